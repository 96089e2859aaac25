"""Schemathesis against the OpenAPI spec: whatever the generated requests, never a 5xx.

Driven through schemathesis' Python API and hypothesis directly, one test per operation
(its pytest plugin does not load under this pytest).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeAlias

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from tests.conftest import API_TOKEN, SEEDS, Result, Web
from tests.test_proposals_api import propose

INBOUND_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

# schemathesis leaves an operation's parameter, response, security and schema types open.
Operation: TypeAlias = schemathesis.APIOperation[Any, Any, Any, Any]


def _operations(web: Web) -> list[Operation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", web.client.app)
    operations: list[Operation] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # an operation schemathesis cannot read is the spec's fault
        operations.append(result.ok())
    return operations


@pytest.mark.slow
def test_no_generated_request_makes_a_server_error(
    make_web: Callable[..., Web], cli: Callable[..., Result]
) -> None:
    assert cli("seed", SEEDS).code == 0
    web = make_web(inbound_webhook_secret=INBOUND_SECRET)
    propose(web)  # proposals 1 and 2, for the accept and reject operations to find
    operations = _operations(web)
    assert len(operations) >= 9
    calls: list[int] = []
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        def check(case: schemathesis.Case[Operation]) -> None:
            response = case.call_and_validate(
                headers={"authorization": f"Bearer {API_TOKEN}"}, checks=[not_a_server_error]
            )
            calls.append(response.status_code)

        try:
            check()
        except Unsatisfiable:
            # No invalid request exists for an operation without inputs (GET /status).
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert len(calls) > 12 * len(operations)
    assert 200 in calls
    assert 422 in calls
