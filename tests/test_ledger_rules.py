"""The ledger's finer rules: pacing after a 429, a failing channel, what a retry may send,
claims of a dead worker, a changed policy, and a clean stop in the middle of sending."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from freezegun import freeze_time

from tests.conftest import (
    Result,
    assert_one_line_error,
    import_due_predictions,
    process_env,
)
from tests.sink import Answer, Sink
from tests.test_delivery import T0, _add_due_prediction, ledger, make_worker, queue_now
from tracker.channels.base import Attempt, OutgoingMessage
from tracker.delivery import leases
from tracker.delivery import ledger as outbox
from tracker.persistence.db import transaction


def _reminders(database_url: str) -> list[Any]:
    return [r for r in ledger(database_url) if r.status != "skipped"]


def test_a_long_429_defers_the_others_instead_of_holding_them(
    database_url: str, sink: Sink
) -> None:
    sink.answer("/slack", Answer(429, "rate_limited", headers={"Retry-After": "120"}))
    worker = make_worker(database_url, slack_webhook_url=f"{sink.url}/slack",
                         slack_min_interval=0.1)  # fmt: skip
    with freeze_time(T0):
        for n in range(3):
            _add_due_prediction(worker, key=f"s{n}")
        started = time.monotonic()
        worker.run_pass()
        elapsed = time.monotonic() - started
    assert elapsed < 10  # nobody slept through the 120 s pause
    assert len(sink.on("/slack")) == 1  # one 429, then no more hammering
    rows = _reminders(database_url)
    assert {r.status for r in rows} == {"retrying"}
    assert sorted(r.attempts for r in rows) == [0, 0, 1]  # deferrals are not attempts
    for row in rows:
        assert row.next_attempt_at is not None
        assert (row.next_attempt_at - T0).total_seconds() >= 110


class Exploding:
    """A channel with a bug: it raises instead of returning an Attempt."""

    name = "boom"
    kind = "webhook"
    rate_key = None

    def describe(self) -> str:
        return "boom"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        raise KeyError("no such field")


def test_a_channel_that_raises_fails_only_its_own_deliveries(database_url: str, sink: Sink) -> None:
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    worker.channels = {**worker.channels, "boom": Exploding()}
    with freeze_time(T0):
        for n in range(2):
            _add_due_prediction(worker, key=f"p{n}")
        worker.run_pass()
    rows = _reminders(database_url)
    assert {(r.channel, r.status) for r in rows} == {("webhook", "delivered"), ("boom", "dead")}
    assert all(r.last_error == "internal error: KeyError" for r in rows if r.channel == "boom")
    assert len(sink.on("/hook")) == 2


def test_retry_never_sends_a_reminder_that_no_longer_applies(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    sink.answer("/hook", Answer(404))
    with freeze_time(T0):
        for key in ("a", "b"):
            assert cli("add", key, "--due", "2026-11-20", "--key", key).code == 0
        assert cli("check").code == 0
    dead = {
        d["prediction"]: d["id"] for d in cli("deliveries", "--status", "dead", "--json").json()
    }
    assert set(dead) == {"a", "b"}
    sink.answer("/hook", Answer(200))
    with freeze_time(T0 + dt.timedelta(minutes=1)):
        assert cli("resolve", "a", "no").code == 0
        assert_one_line_error(cli("retry", str(dead["a"])), contains="no longer applies")
        assert "1 deliveries queued again" in cli("retry", "--dead").out  # b only
        report = cli("check", "--json").json()
    sent = [(r.json()["type"], r.json()["data"]["prediction"]["key"]) for r in sink.received]
    assert ("prediction.reminder", "a") not in sent[1 + 1 :]  # the 404s were the first two
    assert ("prediction.reminder", "b") in sent
    assert ("prediction.resolved", "a") in sent
    assert report["outcomes"] == {"delivered": 2}


def test_a_stale_reminder_is_not_retried_after_a_later_one(database_url: str, sink: Sink) -> None:
    sink.answer("/hook", Answer(404))
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0 - dt.timedelta(days=6)):  # the 7-day reminder of a 20 Nov deadline
        _add_due_prediction(worker)
        worker.run_pass()
    sink.answer("/hook", Answer(200))
    with freeze_time(T0):  # the "due" one goes out
        worker.run_pass()
        with transaction(worker.engine) as session:
            assert outbox.retry(session, ids=None, now=T0) == 0
    sent = [r.json()["data"]["reminder"]["key"] for r in sink.on("/hook")]
    assert sent == ["upcoming-7d", "due"]  # the dead 7-day one stays dead
    [stale] = [r for r in _reminders(database_url) if r.reminder == "upcoming-7d"]
    assert stale.status == "dead"


def test_resolving_cancels_what_a_dead_worker_held(
    cli: Callable[..., Result], database_url: str, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(worker, key="held")
        queue_now(worker)
        with transaction(worker.engine) as session:
            assert leases.claim(session, owner="dead", now=T0, lease=dt.timedelta(minutes=2),
                                limit=5)  # fmt: skip
        assert cli("resolve", "held", "yes").code == 0
    with freeze_time(T0 + dt.timedelta(minutes=5)):  # long after the dead worker's lease
        worker.run_pass()
    types = [r.json()["type"] for r in sink.on("/hook")]
    assert types == ["prediction.resolved"]
    [reminder] = [r for r in _reminders(database_url) if r.kind == "due"]
    assert reminder.status == "cancelled"


def test_release_hands_claims_back(database_url: str, sink: Sink) -> None:
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(worker)
        queue_now(worker)
        with transaction(worker.engine) as session:
            [row] = leases.claim(session, owner="me", now=T0, lease=dt.timedelta(minutes=2),
                                 limit=5)  # fmt: skip
            assert row.id is not None
            assert leases.release(session, ids=[row.id], owner="someone else", now=T0) == 0
            assert leases.release(session, ids=[row.id], owner="me", now=T0) == 1
    [row] = _reminders(database_url)
    assert (row.status, row.lease_owner, row.next_attempt_at) == ("pending", None, T0)


def test_a_changed_policy_keeps_reminding(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    with freeze_time(T0):
        assert cli("add", "x", "--due", "2026-11-24", "--key", "x").code == 0
        assert cli("check").code == 0  # "due" (24 Nov 23:59) went out
    monkeypatch.setenv("TRACKER_OVERDUE_EVERY", "1d")
    monkeypatch.setenv("TRACKER_OVERDUE_LIMIT", "10")
    keys = []
    for day in (1, 2, 3):
        with freeze_time(T0 + dt.timedelta(days=day)):
            report = cli("check", "--json").json()
        keys += [q["reminder"] for q in report["queued"]]
    # daily from 25 Nov 23:59: one at each of the next three passes (26, 27, 28 Nov)
    assert keys == ["overdue-1", "overdue-2", "overdue-3"]
    assert len(sink.on("/hook")) == 4


@pytest.mark.slow
def test_sigterm_in_the_middle_of_sending_hands_back_the_rest(
    cli: Callable[..., Result], database_url: str, sink: Sink, tmp_path: Path
) -> None:
    import_due_predictions(cli, tmp_path, 10)
    sink.answer("/hook", Answer(200, delay=1.5))
    env = process_env(database_url, TRACKER_WEBHOOK_URL=f"{sink.url}/hook",
                      TRACKER_DELIVERY_CONCURRENCY="2", TRACKER_CHECK_INTERVAL="1h")  # fmt: skip
    service = subprocess.Popen([sys.executable, "-m", "tracker", "run"], env=env,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        sink.wait_for(1, timeout=30)
        service.send_signal(signal.SIGTERM)
        _, err = service.communicate(timeout=30)
    finally:
        service.kill()
    assert service.returncode == 0, err
    rows = cli("deliveries", "--limit", "500", "--json").json()
    statuses = [d["status"] for d in rows if d["status"] != "skipped"]
    assert "sending" not in statuses  # nothing left claimed
    assert statuses.count("delivered") == len(sink.received)
    sink.answer("/hook", Answer(200))
    lone = cli("check", "--json")  # a shell without the webhook: it leaves those rows alone
    assert lone.json()["attempts"] == 0
    with pytest.MonkeyPatch.context() as shell:
        shell.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
        assert cli("check").code == 0
    ids = [r.headers["webhook-id"] for r in sink.received]
    assert len(ids) == 10
    assert len(set(ids)) == 10  # what was handed back was never sent twice
