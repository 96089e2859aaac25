"""Leases: a send that started ends as what happened to it, whatever retired its row
meanwhile; and on PostgreSQL a lease is judged by the database's clock, not a worker's."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from tests.conftest import ACTOR, TEST_DATABASE_URL
from tests.sink import Sink
from tests.test_delivery import T0, _add_due_prediction, age_leases, ledger, make_worker, queue_now
from tracker import service
from tracker.channels.base import Attempt, AttemptOutcome
from tracker.clock import utcnow
from tracker.delivery import leases
from tracker.delivery import ledger as outbox
from tracker.delivery.worker import Worker
from tracker.domain.deadlines import parse_due
from tracker.domain.inputs import PredictionInput
from tracker.enums import Outcome
from tracker.persistence.db import transaction
from tracker.persistence.models import Delivery

LEASE = dt.timedelta(minutes=2)
POLICY = outbox.RetryPolicy(max_attempts=3, backoff=(dt.timedelta(seconds=5),))
UTC = ZoneInfo("UTC")


def _claim(worker: Worker, owner: str, now: dt.datetime) -> list[leases.ClaimedDelivery]:
    with transaction(worker.engine) as session:
        return leases.claim(session, owner=owner, now=now, lease=LEASE, limit=10)


def _record(worker: Worker, delivery_id: int, attempt: Attempt, now: dt.datetime) -> dict[str, int]:
    with transaction(worker.engine) as session:
        return leases.record(session, results=[leases.AttemptResult(delivery_id, attempt)],
                             owner="me", now=now, policy=POLICY, rng=random.Random(1),
                             cancel_if_resolved=True)  # fmt: skip


def _retire(worker: Worker, how: str, now: dt.datetime) -> None:
    if how == "resolved":
        service.resolve(worker.engine, ref="p", outcome=Outcome.YES, now=now, tz=UTC, actor=ACTOR)
    else:  # a later reminder of the prediction was queued meanwhile
        with transaction(worker.engine) as session:
            outbox.supersede_reminders(session, keeping=[(1, "overdue-9")], now=now)


@pytest.mark.parametrize("how", ["resolved", "superseded"])
@pytest.mark.parametrize(
    ("attempt", "status", "attempts"),
    [
        (Attempt(AttemptOutcome.DELIVERED, 200), "delivered", 1),
        (Attempt(AttemptOutcome.PERMANENT, 410, error="HTTP 410"), "dead", 1),
        (Attempt(AttemptOutcome.RETRY, 503, error="HTTP 503"), "retired", 1),
    ],
)
def test_a_row_retired_while_in_flight_ends_as_its_send_did(
    database_url: str, sink: Sink, how: str, attempt: Attempt, status: str, attempts: int
) -> None:
    """Claim, then resolve (or supersede), then record: the receiver's 200 is what the ledger
    says, never "cancelled" with no attempts; a send that may be retried is not retried."""
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(worker)
        queue_now(worker)
        [row] = _claim(worker, "me", T0)
        _retire(worker, how, T0)
        counts = _record(worker, row.id, attempt, T0)
    [stored] = [r for r in ledger(database_url) if r.id == row.id]
    retired = "cancelled" if how == "resolved" else "skipped"
    expected = retired if status == "retired" else status
    assert counts == {expected: 1}
    assert (stored.status, stored.attempts, stored.lease_owner) == (expected, attempts, None)
    assert stored.last_status_code == attempt.status_code
    assert stored.next_attempt_at is None  # nothing more will be sent
    assert (stored.delivered_at is not None) == (expected == "delivered")
    if status == "retired":
        assert stored.last_error is not None
        assert stored.last_error.startswith("HTTP 503 (not retried: ")


def test_a_dead_workers_retired_claim_stays_retired(database_url: str, sink: Sink) -> None:
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(worker)
        queue_now(worker)
        [row] = _claim(worker, "dead-worker", T0)
        _retire(worker, "resolved", T0)
    with freeze_time(T0 + dt.timedelta(minutes=5)):
        age_leases(worker, dt.timedelta(minutes=5))
        worker.run_pass()  # its resolution event goes out; the reminder is not taken over
    [stored] = [r for r in ledger(database_url) if r.id == row.id]
    assert (stored.status, stored.attempts) == ("cancelled", 0)
    assert [r.json()["type"] for r in sink.on("/hook")] == ["prediction.resolved"]


@pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only: SQLite is one machine, with one clock"
)
def test_a_worker_whose_clock_runs_ahead_does_not_take_a_live_lease(
    database_url: str, sink: Sink
) -> None:
    first = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    now = utcnow()
    due = parse_due(f"{now - dt.timedelta(days=2):%Y-%m-%d}", UTC)
    data = PredictionInput(key="p", claim="Claim p", due=due, due_text="two days ago")
    service.add_prediction(first.engine, data=data, now=now - dt.timedelta(days=30), actor=ACTOR)
    queue_now(first, now)
    [held] = _claim(first, f"first-{uuid.uuid4().hex[:6]}", now)
    ahead = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(now + dt.timedelta(minutes=3)):  # past the lease, by this worker's clock
        assert _claim(ahead, "ahead", utcnow()) == []
        ahead.run_pass()
    assert sink.received == []
    [row] = [r for r in ledger(database_url) if r.id == held.id]
    assert row.status == "sending"
    assert row.lease_owner is not None
    assert row.lease_owner.startswith("first-")
    age_leases(ahead, dt.timedelta(minutes=3))  # the database's clock passes the lease too
    with freeze_time(now + dt.timedelta(minutes=3)):
        assert [r.id for r in _claim(ahead, "ahead", utcnow())] == [held.id]


def test_a_claim_takes_the_earliest_due_whatever_their_status(
    database_url: str, sink: Sink
) -> None:
    """Waiting, retrying and lease-expired rows are one queue, by next attempt then id (SQLite
    reads each status apart and merges them)."""
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    ids: dict[int, str] = {}
    for key in ("a", "b", "c", "d"):
        _add_due_prediction(worker, key=key)
        ids[service.show_prediction(worker.engine, ref=key).prediction.id or 0] = key
    queue_now(worker)
    rows = {ids[row.prediction_id or 0]: row.id or 0 for row in ledger(database_url)}
    assert len(rows) == 4
    state = {"a": ("pending", 1), "b": ("retrying", 4), "c": ("sending", 3), "d": ("retrying", 2)}
    with transaction(worker.engine) as session:
        for key, (status, hours) in state.items():
            found = session.get(Delivery, rows[key])
            assert found is not None
            found.status, found.next_attempt_at = status, T0 - dt.timedelta(hours=hours)
            session.add(found)
    with transaction(worker.engine) as session:
        taken = leases.claim(session, owner="me", now=T0, lease=LEASE, limit=3)
    assert sorted(row.id for row in taken) == sorted(rows[key] for key in ("b", "c", "d"))
    with transaction(worker.engine) as session:
        [last] = leases.claim(session, owner="me", now=T0, lease=LEASE, limit=3)
    assert last.id == rows["a"]
