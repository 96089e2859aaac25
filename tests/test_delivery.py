"""Reminders end to end: queued in the ledger, sent to a real local receiver, recorded."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import random
from collections.abc import Callable
from typing import Any

import pytest
import standardwebhooks
from freezegun import freeze_time
from sqlmodel import col, select

from tests.conftest import ACTOR, SEEDS, Result, assert_one_line_error
from tests.sink import Answer, Sink
from tracker.channels import build_channels
from tracker.channels.base import Attempt, AttemptOutcome
from tracker.config import load_settings
from tracker.delivery.worker import Worker
from tracker.domain.deadlines import UTC_ZONE
from tracker.persistence.db import make_engine, transaction, upgrade_to_head
from tracker.persistence.models import Delivery

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def make_worker(database_url: str, **overrides: Any) -> Worker:
    settings = load_settings(database_url=database_url, **overrides)
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    return Worker(
        engine=engine,
        settings=settings,
        channels=build_channels(settings),
        rng=random.Random(7),
    )


def ledger(database_url: str) -> list[Delivery]:
    with transaction(make_engine(database_url)) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())


def statuses(database_url: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in ledger(database_url):
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


@pytest.fixture
def webhook_env(monkeypatch: pytest.MonkeyPatch, sink: Sink) -> Sink:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", SECRET)
    return sink


def test_seeds_give_one_signed_overdue_reminder_each(
    cli: Callable[..., Result], webhook_env: Sink, database_url: str
) -> None:
    assert cli("seed", SEEDS).code == 0
    first = cli("check", "--json")
    assert first.code == 0, first.err
    report = first.json()
    assert [q["reminder"] for q in report["queued"]] == ["overdue-4"] * 3
    assert report["outcomes"] == {"delivered": 3}
    received = webhook_env.on("/hook")
    assert len(received) == 3
    verifier = standardwebhooks.Webhook(SECRET)
    for request in received:
        body = verifier.verify(request.body, request.headers)  # raises if the signature is bad
        assert body["type"] == "prediction.reminder"
        assert body["data"]["reminder"]["kind"] == "overdue"
        assert body["data"]["prediction"]["status"] == "open"
        # The six before it, never sent, are named in it, not given rows of their own.
        assert body["data"]["reminder"]["skipped"] == [
            "upcoming-7d", "upcoming-1d", "due", "overdue-1", "overdue-2", "overdue-3",
        ]  # fmt: skip
    assert {r.json()["data"]["prediction"]["due_label"] for r in received} == {
        "February 2025", "20 February 2025", "March 2025",
    }  # fmt: skip
    assert statuses(database_url) == {"delivered": 3}
    assert report["skipped"] == 18
    listed = cli("deliveries", "--json").json()
    assert [len(d["skipped_reminders"]) for d in listed] == [6, 6, 6]
    again = cli("check", "--json").json()
    assert again["queued"] == []
    assert again["attempts"] == 0
    assert len(webhook_env.received) == 3


def test_the_schedule_over_time(
    cli: Callable[..., Result], webhook_env: Sink, database_url: str
) -> None:
    with freeze_time(T0):
        assert cli("add", "Talks resume", "--due", "2026-12-05", "--key", "talks").code == 0
    sent: list[str] = []
    for day, expected in [
        (1, None),  # 26 Nov: nothing yet
        (3, None),  # 28 Nov 12:00, before 5 Dec 23:59 less 7 days
        (4, "upcoming-7d"),
        (9, None),
        (10, "upcoming-1d"),
        (11, "due"),
        (18, "overdue-1"),
        (19, None),
    ]:
        with freeze_time(T0 + dt.timedelta(days=day)):
            result = cli("check", "--json")
        assert result.code == 0, result.err
        queued = [q["reminder"] for q in result.json()["queued"]]
        assert queued == ([expected] if expected else []), day
        if expected:
            sent.append(expected)
    kinds = [r.json()["data"]["reminder"]["key"] for r in webhook_env.on("/hook")]
    assert kinds == sent


def test_a_seven_day_outage_sends_one_reminder_per_prediction(
    cli: Callable[..., Result], webhook_env: Sink, database_url: str
) -> None:
    with freeze_time(T0):
        for n in range(5):
            assert cli("add", f"Claim {n}", "--due", "2026-12-05", "--key", f"c{n}").code == 0
    with freeze_time(T0 + dt.timedelta(days=4)):  # 29 Nov: the 7-day reminders go out
        assert cli("check").code == 0
    assert len(webhook_env.on("/hook")) == 5
    # Down from 29 November to 6 December: the 1-day reminder and the deadline passed unseen.
    with freeze_time(T0 + dt.timedelta(days=11)):
        report = cli("check", "--json").json()
    assert [q["reminder"] for q in report["queued"]] == ["due"] * 5
    assert len(webhook_env.on("/hook")) == 10
    assert statuses(database_url) == {"delivered": 10}
    latest = webhook_env.on("/hook")[-5:]
    assert {tuple(r.json()["data"]["reminder"]["skipped"]) for r in latest} == {("upcoming-1d",)}
    # A reminder sent on time names none.
    assert webhook_env.on("/hook")[0].json()["data"]["reminder"]["skipped"] == []


def test_resolving_cancels_reminders_and_sends_a_resolved_event(
    cli: Callable[..., Result],
    webhook_env: Sink,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    webhook_env.answer("/hook", Answer(503, "busy"))
    with freeze_time(T0):
        assert cli("add", "X happens", "--due", "2026-11-20", "--key", "x").code == 0
        assert cli("check").code == 0
    assert statuses(database_url) == {"retrying": 1}
    webhook_env.answer("/hook", Answer(200))
    with freeze_time(T0 + dt.timedelta(minutes=1)), monkeypatch.context() as shell:
        # resolved from a shell that knows nothing of the service's channels
        shell.delenv("TRACKER_WEBHOOK_URL")
        shell.delenv("TRACKER_WEBHOOK_SECRET")
        assert cli("resolve", "x", "no", "--note", "It did not.").code == 0
    assert statuses(database_url) == {"cancelled": 1}
    with freeze_time(T0 + dt.timedelta(minutes=2)):
        report = cli("check", "--json").json()
    assert report["resolution_events"] == 1
    assert report["outcomes"] == {"delivered": 1}
    last = webhook_env.on("/hook")[-1].json()
    assert last["type"] == "prediction.resolved"
    assert last["data"]["resolution"]["outcome"] == "no"
    assert last["data"]["resolution"]["note"] == "It did not."
    assert last["data"]["prediction"]["status"] == "resolved"
    # Reopening schedules the reminder that applies now, and it is sent.
    with freeze_time(T0 + dt.timedelta(minutes=3)):
        assert cli("reopen", "x").code == 0
        report = cli("check", "--json").json()
    assert [q["reminder"] for q in report["queued"]] == ["due"]  # cancelled, so due again
    assert webhook_env.on("/hook")[-1].json()["data"]["reminder"]["key"] == "due"


@pytest.mark.parametrize(
    ("answer", "status", "wait"),
    [
        (Answer(200), "delivered", None),
        (Answer(204, ""), "delivered", None),
        (Answer(500, "oops"), "retrying", (4, 6)),  # 5 s +/- 20%
        (Answer(502), "retrying", (4, 6)),
        (Answer(408), "retrying", (4, 6)),
        (Answer(425), "retrying", (4, 6)),
        (Answer(429, headers={"Retry-After": "120"}), "retrying", (120, 121)),
        (Answer(503, headers={"Retry-After": "Wed, 25 Nov 2026 13:00:00 GMT"}), "retrying",
         (3600, 3601)),
        (Answer(301, headers={"Location": "https://elsewhere.example/x"}), "dead", None),
        (Answer(400), "dead", None),
        (Answer(404), "dead", None),
        (Answer(410), "dead", None),
        (Answer(422), "dead", None),
    ],
)  # fmt: skip
def test_status_codes_in_the_ledger(
    database_url: str, sink: Sink, answer: Answer, status: str, wait: tuple[int, int] | None
) -> None:
    sink.answer("/hook", answer)
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(worker)
        worker.run_pass()
    [row] = [r for r in ledger(database_url) if r.status != "skipped"]
    assert row.status == status
    assert row.attempts == 1
    assert row.last_status_code == answer.status
    if wait is None:
        assert row.next_attempt_at is None
    else:
        assert row.next_attempt_at is not None
        seconds = (row.next_attempt_at - T0).total_seconds()
        assert wait[0] <= seconds <= wait[1]


def queue_now(worker: Worker, now: dt.datetime = T0) -> None:
    """Only the queueing half of a pass (the sending half is left to the test)."""
    from tracker.delivery import plan as queueing

    queueing.queue_due(worker.engine, policy=worker.settings.reminder_policy,
                       channels=list(worker.channels), tz=UTC_ZONE, now=now)  # fmt: skip


def _add_due_prediction(worker: Worker, key: str = "p") -> None:
    from tracker import service
    from tracker.domain.deadlines import parse_due
    from tracker.domain.inputs import PredictionInput

    due = parse_due("2026-11-20", UTC_ZONE)
    data = PredictionInput(key=key, claim=f"Claim {key}", due=due, due_text="by 20 November 2026")
    service.add_prediction(worker.engine, data=data, now=T0 - dt.timedelta(days=30), actor=ACTOR)


def test_retries_keep_the_webhook_id_and_body_until_delivered(
    database_url: str, sink: Sink
) -> None:
    sink.answer("/hook", Answer(500), Answer(500), Answer(200))
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook", webhook_secret=SECRET)
    with freeze_time(T0):
        _add_due_prediction(worker)
        worker.run_pass()
    for minutes in (1, 60):  # past the first (5 s) and second (5 min) backoff
        with freeze_time(T0 + dt.timedelta(minutes=minutes)):
            worker.run_pass()
    requests = sink.on("/hook")
    assert len(requests) == 3
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert len({r.body for r in requests}) == 1
    assert len({r.headers["webhook-timestamp"] for r in requests}) == 3
    [row] = [r for r in ledger(database_url) if r.status != "skipped"]
    assert (row.status, row.attempts) == ("delivered", 3)


def test_out_of_attempts_is_dead_and_retry_brings_it_back(
    cli: Callable[..., Result], database_url: str, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    monkeypatch.setenv("TRACKER_DELIVERY_MAX_ATTEMPTS", "2")
    sink.answer("/hook", Answer(500))
    with freeze_time(T0):
        assert cli("add", "Y", "--due", "2026-11-20", "--key", "y").code == 0
        assert cli("check").code == 0
    with freeze_time(T0 + dt.timedelta(hours=1)):
        assert cli("check").code == 0
        dead = cli("deliveries", "--status", "dead", "--json").json()
        assert [d["attempts"] for d in dead] == [2]
        assert dead[0]["last_error"].startswith("HTTP 500")
        status = cli("status", "--json").json()
        assert status["deliveries"]["dead"] == 1
        assert "Dead deliveries" in cli("status").out
        sink.answer("/hook", Answer(200))
        assert cli("retry", str(dead[0]["id"])).code == 0
        assert cli("check").code == 0
    assert cli("deliveries", "--status", "dead", "--json").json() == []
    assert_one_line_error(cli("retry", str(dead[0]["id"])), contains="delivered")
    assert_one_line_error(cli("retry", "999"), contains="no delivery has id 999")
    assert_one_line_error(cli("retry"), contains="--dead")


def age_leases(worker: Worker, by: dt.timedelta) -> None:
    """Move every lease `by` into the past: PostgreSQL judges leases by its own clock, which
    freezegun cannot move, so a test lets time pass for the database this way."""
    with transaction(worker.engine) as session:
        for row in session.exec(select(Delivery).where(Delivery.status == "sending")):
            assert row.lease_expires_at is not None
            row.lease_expires_at -= by
            row.next_attempt_at = row.lease_expires_at  # a lease's expiry is its due time too


def test_an_expired_lease_is_taken_over(database_url: str, sink: Sink) -> None:
    from tracker.delivery import leases
    from tracker.delivery import ledger as outbox

    crashed = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(crashed)
        queue_now(crashed)
        with transaction(crashed.engine) as session:
            claimed = leases.claim(
                session, owner="dead-worker", now=T0, lease=dt.timedelta(minutes=2), limit=10
            )
        assert len(claimed) == 1
        survivor = make_worker(database_url, webhook_url=f"{sink.url}/hook")
        survivor.run_pass()
        assert sink.received == []  # the lease still holds
    with freeze_time(T0 + dt.timedelta(minutes=3)):
        age_leases(survivor, dt.timedelta(minutes=3))
        survivor.run_pass()
    assert len(sink.on("/hook")) == 1
    [row] = [r for r in ledger(database_url) if r.status != "skipped"]
    assert (row.status, row.lease_owner) == ("delivered", None)
    # The dead worker's late report of the same delivery changes nothing: its lease is lost.
    with transaction(crashed.engine) as session:
        counts = leases.record(
            session,
            results=[leases.AttemptResult(row.id or 0, Attempt(AttemptOutcome.RETRY))],
            owner="dead-worker",
            now=T0 + dt.timedelta(minutes=4),
            policy=outbox.RetryPolicy(max_attempts=3, backoff=(dt.timedelta(seconds=5),)),
            rng=random.Random(1),
        )
    assert counts == {"lease_lost": 1}
    [row] = [r for r in ledger(database_url) if r.status != "skipped"]
    assert row.status == "delivered"


@pytest.mark.parametrize("cancel_if_resolved", [True, False])
def test_a_failed_reminder_of_a_prediction_resolved_meanwhile_is_cancelled(
    database_url: str, sink: Sink, cancel_if_resolved: bool
) -> None:
    """Resolving retires unsent reminders itself; should a resolution ever land without that
    (the prediction closed by other means while a send was out), the record still does not
    schedule a retry of a reminder nobody needs any more."""
    import sqlalchemy as sa

    from tracker.delivery import leases
    from tracker.delivery import ledger as outbox
    from tracker.persistence.models import Prediction

    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    with freeze_time(T0):
        _add_due_prediction(worker)
        queue_now(worker)
        with transaction(worker.engine) as session:
            [row] = leases.claim(session, owner="me", now=T0, lease=dt.timedelta(minutes=2),
                                 limit=5)  # fmt: skip
            session.execute(sa.update(Prediction).values(status="resolved"))
            counts = leases.record(
                session,
                results=[leases.AttemptResult(row.id, Attempt(AttemptOutcome.RETRY, error="x"))],
                owner="me",
                now=T0,
                policy=outbox.RetryPolicy(max_attempts=3, backoff=(dt.timedelta(seconds=5),)),
                rng=random.Random(1),
                cancel_if_resolved=cancel_if_resolved,
            )
    [stored] = [r for r in ledger(database_url) if r.status != "skipped"]
    if cancel_if_resolved:
        assert counts == {"cancelled": 1}
        assert (stored.status, stored.next_attempt_at) == ("cancelled", None)
        assert stored.last_error == "x (not retried: the prediction was resolved)"
    else:
        assert counts == {"retrying": 1}
        assert stored.status == "retrying"
        assert stored.next_attempt_at is not None
        assert stored.next_attempt_at > T0
    assert stored.lease_owner is None
    assert stored.attempts == 1


def test_one_slow_receiver_does_not_hold_up_the_others(database_url: str, sink: Sink) -> None:
    sink.answer("/slow", Answer(200, delay=2.0))
    channels = [
        {"name": "slow", "kind": "webhook", "url": f"{sink.url}/slow"},
        {"name": "fast", "kind": "webhook", "url": f"{sink.url}/fast"},
    ]
    worker = make_worker(database_url, channels=channels, delivery_concurrency=8)
    with freeze_time(T0):
        for n in range(4):
            _add_due_prediction(worker, key=f"p{n}")
        worker.run_pass()
    fast, slow = sink.on("/fast"), sink.on("/slow")
    assert (len(fast), len(slow)) == (4, 4)
    first_slow_answer = min(r.done_at for r in slow)
    # Every slow request started before the first slow answer came back (they ran at once),
    # and every fast one was sent before it too: nobody waited for the slow receiver.
    assert max(r.at for r in slow) < first_slow_answer
    assert max(r.at for r in fast) < first_slow_answer
    assert statuses(database_url)["delivered"] == 8


def test_a_stalled_channel_leaves_the_others_their_share(database_url: str, sink: Sink) -> None:
    """Channel a stalls past the request timeout, b answers at once. a's rows come first in
    the ledger's order, so a claim of "the next N due rows" would hold nothing but a's: b is
    claimed and sent in its own share of the slots, all of it before a's first timeout."""
    import threading

    timeout = 1.0
    sink.answer("/a", Answer(200, delay=30.0))  # never answers in time
    channels = [
        {"name": "a", "kind": "webhook", "url": f"{sink.url}/a"},
        {"name": "b", "kind": "webhook", "url": f"{sink.url}/b"},
    ]
    worker = make_worker(database_url, channels=channels, delivery_concurrency=4,
                         request_timeout=timeout)  # fmt: skip
    with freeze_time(T0):
        for n in range(6):
            _add_due_prediction(worker, key=f"p{n}")
        queue_now(worker)
        with transaction(worker.engine) as session:  # a's rows due an hour before b's
            for row in session.exec(select(Delivery).where(Delivery.channel == "a")):
                row.next_attempt_at = T0 - dt.timedelta(hours=1)
        sending = threading.Thread(target=worker.run_pass)
        sending.start()
        try:
            all_b = sink.wait_until(lambda got: sum(r.path == "/b" for r in got) == 6, 20)
        finally:
            worker.stop.set()  # hand back a's rows that never started
            sending.join(timeout=30)
    assert all_b
    b, a = sink.on("/b"), sink.on("/a")
    assert max(r.at for r in b) < min(r.at for r in a) + timeout
    assert 1 <= len(a) <= 2  # a's own share of the 4 slots, and no more
    assert statuses(database_url)["delivered"] == 6


def test_slack_is_paced_per_url(database_url: str, sink: Sink) -> None:
    worker = make_worker(
        database_url, slack_webhook_url=f"{sink.url}/slack", slack_min_interval=0.3
    )
    with freeze_time(T0):
        for n in range(3):
            _add_due_prediction(worker, key=f"s{n}")
        worker.run_pass()
    received = sink.on("/slack")
    assert len(received) == 3
    gaps = [b.at - a.at for a, b in itertools.pairwise(received)]
    # Arrival times jitter on a busy machine; unpaced sends would come all at once.
    assert all(gap >= 0.15 for gap in gaps), gaps
    assert sum(gaps) >= 0.9 * 0.3 * len(gaps), gaps
    message = received[0].json()
    assert "blocks" in message
    assert "text" in message
    assert "tracker resolve s" in json.dumps(message)


def test_dry_run_changes_nothing(
    cli: Callable[..., Result], webhook_env: Sink, database_url: str
) -> None:
    assert cli("seed", SEEDS).code == 0
    report = cli("check", "--dry-run", "--json").json()
    assert report["dry_run"] is True
    assert len(report["queued"]) == 3
    assert report["pending"] == 3
    assert ledger(database_url) == []
    assert webhook_env.received == []
    assert "Dry run" in cli("check", "--dry-run").out


def test_console_channel_logs_reminders_when_nothing_else_is_configured(
    cli: Callable[..., Result], caplog: pytest.LogCaptureFixture
) -> None:
    assert cli("seed", SEEDS).code == 0
    with caplog.at_level(logging.INFO, logger="tracker.reminders"):
        assert cli("check").code == 0
    overdue = [r.getMessage() for r in caplog.records if "OVERDUE by" in r.getMessage()]
    assert len(overdue) == 3
    assert any("tracker resolve syria-demands-russian-withdrawal-2025-02-20" in m for m in overdue)


def test_channels_list_masks_secrets_and_test_sends(
    cli: Callable[..., Result], webhook_env: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = f"{webhook_env.url}/services/T000/B000/SECRETTOKENVALUE123"
    monkeypatch.setenv("TRACKER_SLACK_WEBHOOK_URL", slack)
    listed = cli("channels")
    assert listed.code == 0
    assert "webhook" in listed.out
    assert "slack" in listed.out
    assert "SECRETTOKENVALUE123" not in listed.out
    assert "/hook" not in listed.out
    assert SECRET not in listed.out
    tested = cli("channels", "test", "webhook")
    assert tested.code == 0, tested.err
    assert "delivered (HTTP 200" in tested.out
    assert webhook_env.on("/hook")[-1].json()["type"] == "tracker.test"
    webhook_env.answer("/hook", Answer(500, "down"))
    failed = cli("channels", "test", "webhook")
    assert_one_line_error(failed, code=1, contains="retry (HTTP 500")
    assert_one_line_error(cli("channels", "test", "nope"), contains="no channel is named 'nope'")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TRACKER_WEBHOOK_URL": "ftp://example.org/h"}, "must start with https:// or http://"),
        ({"TRACKER_WEBHOOK_URL": "not a url"}, "spaces"),
        ({"TRACKER_WEBHOOK_URL": "http://x/h", "TRACKER_WEBHOOK_SECRET": "hunter2"}, "whsec_"),
        ({"TRACKER_WEBHOOK_SECRET": SECRET}, "TRACKER_WEBHOOK_URL is not"),
        ({"TRACKER_CHANNELS": '[{"name": "x", "kind": "webhook"}]'}, "needs a url"),
        ({"TRACKER_CHANNELS": '[{"name": "x", "kind": "pigeon"}]'}, "kind"),
        ({"TRACKER_CHANNELS": '[{"name": "slack", "kind": "console"}]',
          "TRACKER_SLACK_WEBHOOK_URL": "https://hooks.example/x"}, "two channels"),
    ],
)  # fmt: skip
def test_a_bad_channel_stops_the_service_at_start(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    message: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for command in (("check",), ("run",)):
        result = cli(*command)
        assert_one_line_error(result, contains=message)
        assert "hunter2" not in result.err


def test_reminders_and_resolutions_carry_the_forecasts_in_force(
    cli: Callable[..., Result], webhook_env: Sink
) -> None:
    with freeze_time(T0):
        assert cli("add", "Talks resume", "--due", "2026-12-05", "--key", "talks",
                   "--forecaster", "ISW", "--probability", "0.5",
                   "--made-at", "2026-11-01").code == 0  # fmt: skip
        for args in (("ISW", "35%", "2026-11-20"), ("Desk", "3:2", "2026-11-24T09:00")):
            by, probability, at = args
            assert cli("forecast", "talks", probability, "--by", by, "--at", at).code == 0
    with freeze_time(T0 + dt.timedelta(days=4)):  # the 7-day reminder
        assert cli("check").code == 0
        # Made after the reminder was queued: not in the payload frozen then.
        assert cli("forecast", "talks", "0.9", "--by", "Desk").code == 0
        assert cli("resolve", "talks", "yes").code == 0
        assert cli("check").code == 0
    reminder, resolved = (r.json()["data"] for r in webhook_env.on("/hook"))
    assert reminder["reminder"]["key"] == "upcoming-7d"
    assert reminder["forecasts"] == [
        {"forecaster": "ISW", "probability": 0.35, "made_at": "2026-11-20T00:00:00Z"},
        {"forecaster": "Desk", "probability": 0.6, "made_at": "2026-11-24T09:00:00Z"},
    ]
    assert reminder["prediction"]["forecaster"] == "ISW"  # the keys it always had stay
    assert resolved["resolution"]["outcome"] == "yes"
    assert [(f["forecaster"], f["probability"]) for f in resolved["forecasts"]] == [
        ("ISW", 0.35), ("Desk", 0.9)
    ]  # fmt: skip
