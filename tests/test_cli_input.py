"""Arguments that reach the database as typed: bytes that are not UTF-8, and numbers larger
than any id. One line and exit 2, never "unexpected ..." and exit 1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Result, assert_one_line_error

# What Python makes of the byte 0xff in argv (os.fsdecode: surrogateescape).
NOT_UTF8 = "caf\udcff"
HUGE = "9" * 25


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("show", NOT_UTF8), "REF"),
        (("resolve", NOT_UTF8, "yes"), "REF"),
        (("reopen", NOT_UTF8), "REF"),
        (("list", "--forecaster", NOT_UTF8), "--forecaster"),
        (("list", "--tag", NOT_UTF8), "--tag"),
        (("deliveries", "--prediction", NOT_UTF8), "--prediction"),
        (("summary", "--forecaster", NOT_UTF8), "--forecaster"),
        (("add", NOT_UTF8, "--due", "2030"), "CLAIM"),
        (("add", "Claim", "--due", "2030", "--forecaster", NOT_UTF8), "--forecaster"),
    ],
)
def test_an_argument_that_is_not_utf8_is_refused_naming_it(
    cli: Callable[..., Result], args: tuple[str, ...], name: str
) -> None:
    assert cli("add", "Claim", "--due", "2030").code == 0
    result = cli(*args)
    assert_one_line_error(result, contains=name)
    assert "unexpected" not in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("deliveries", "--limit", HUGE), "--limit"),
        (("deliveries", "--limit", "0"), "--limit"),
        (("retry", HUGE), "DELIVERY_ID"),
        (("retry", "0"), "DELIVERY_ID"),
        (("retry", str(2**31 - 1)), "no delivery has id"),
        (("retry", str(2**31)), "DELIVERY_ID"),
        (("show", "9" * 23), "no prediction has id"),
        (("show", "9" * 18), "no prediction has id"),
        (("show", str(2**31)), "no prediction has id"),
        (("show", "0" * 30 + "1"), "no prediction has id"),
        (("resolve", "9" * 23, "yes"), "no prediction has id"),
        (("deliveries", "--prediction", "9" * 23), "no prediction has id"),
        (("summary", "--bins", HUGE), "--bins"),
    ],
)
def test_a_number_larger_than_any_id_is_refused_or_not_found(
    cli: Callable[..., Result], args: tuple[str, ...], message: str
) -> None:
    assert cli("db", "upgrade").code == 0
    result = cli(*args)
    assert_one_line_error(result, contains=message)


def test_the_largest_page_of_deliveries_is_accepted(cli: Callable[..., Result]) -> None:
    assert cli("add", "Claim", "--due", "2030").code == 0
    result = cli("deliveries", "--limit", "1000000", "--json")
    assert result.code == 0, result.err
    assert result.json() == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.text(max_size=20)  # lone surrogates and control characters included
    | st.sampled_from([NOT_UTF8, HUGE, "-1", "0", "\uff11", "\x1b[2J", "a\x00b", "9" * 10])
)
def test_any_reference_or_filter_is_found_or_refused_in_one_line(
    cli: Callable[..., Result], text: str
) -> None:
    cli("db", "upgrade")
    for args in (
        ("show", text),
        ("list", "--forecaster", text, "--tag", text),
        ("deliveries", "--prediction", text),
        ("summary", "--forecaster", text),
    ):
        result = cli(*args)
        assert result.code in (0, 2), (args, result.err)
        assert "Traceback" not in result.err
        if result.code == 2:
            assert len(result.err.strip().splitlines()) == 1, result.err
            assert "\x1b" not in result.err
