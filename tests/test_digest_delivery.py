"""Digest routes end to end: reminders held through a period go out as one message at its end,
once, whatever crashes, restarts or concurrent workers do; non-digest routes send at once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import col, select

from tests.conftest import Result, finish_all, process_env, start_checks
from tests.sink import Sink
from tracker.bootstrap import configured_routes
from tracker.channels import build_channels
from tracker.config import load_settings
from tracker.delivery.worker import Worker
from tracker.persistence.db import make_engine, transaction
from tracker.persistence.models import Delivery

# Route 1 keeps Syria's reminders for a daily digest at 08:00 Berlin (07:00 UTC in December)
# on channel "a"; route 2 sends everything to "b" at once.
ROUTES = """
[[routes]]
match_tags = ["syria"]
match_kinds = ["upcoming", "due", "overdue"]
channels = ["a"]
digest = "daily 08:00"
timezone = "Europe/Berlin"
continue = true

[[routes]]
channels = ["b"]
"""


def configure(sink: Sink, monkeypatch: pytest.MonkeyPatch, routes: str = ROUTES) -> Path:
    channels = "".join(
        f'[[channels]]\nname = "{name}"\nkind = "webhook"\nurl = "{sink.url}/{name}"\n\n'
        for name in ("a", "b")
    )
    path = Path("tracker.toml").resolve()
    path.write_text(channels + routes)
    monkeypatch.setenv("TRACKER_CONFIG", str(path))
    return path


def add(cli: Callable[..., Result], key: str, due: str, at: str = "2026-11-20T12:00Z") -> None:
    with freeze_time(at):
        result = cli("add", f"Claim {key}", "--due", due, "--key", key, "--tag", "syria",
                     "--forecaster", "ISW", "--probability", "0.3")  # fmt: skip
    assert result.code == 0, result.err


def check(cli: Callable[..., Result], at: str) -> dict[str, Any]:
    with freeze_time(at):
        result = cli("check", "--json")
    assert result.code == 0, result.err
    report: dict[str, Any] = result.json()
    return report


def bodies(sink: Sink, channel: str) -> list[dict[str, Any]]:
    return [r.json() for r in sink.received if r.path.strip("/") == channel]


def rows(database_url: str) -> list[Delivery]:
    with transaction(make_engine(database_url)) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())


def test_a_daily_digest_sends_one_message_per_period(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch)
    for key, hour in (("q1", 10), ("q2", 12), ("q3", 15)):
        add(cli, key, f"2026-12-02T{hour}:00Z")
    for time in ("10:30", "12:30", "15:30"):  # each question's "due" falls due that day
        check(cli, f"2026-12-02T{time}:00Z")
    # Route 2 sends at once beside the digest: q2 and q3's day-before reminders, then the dues.
    assert sorted((b["data"]["prediction"]["key"], b["data"]["reminder"]["kind"])
                  for b in bodies(sink, "b")) == [
        ("q1", "due"), ("q2", "due"), ("q2", "upcoming"), ("q3", "due"), ("q3", "upcoming"),
    ]  # fmt: skip
    # q2's and q3's "1 day left" fell due yesterday, in the period that ended at 08:00 today
    # (the service was not running then): the first pass sends that period's digest.
    [late] = bodies(sink, "a")
    assert late["timestamp"] == "2026-12-02T07:00:00Z"
    assert [(i["prediction"]["key"], i["reminder"]["kind"]) for i in late["data"]["items"]] == [
        ("q2", "upcoming"), ("q3", "upcoming"),
    ]  # fmt: skip
    held = [r for r in rows(database_url) if r.status == "held"]
    assert sorted(r.reminder for r in held) == ["due", "due", "due"]
    assert {r.digest for r in held} == {"1/20261203T0700Z"}
    shown = cli("deliveries", "--status", "held", "--json").json()
    assert [r["next_attempt_at"] for r in shown] == ["2026-12-03T07:00:00Z"] * 3

    before = check(cli, "2026-12-03T06:59:59Z")
    assert before["digests"] == []
    assert len(bodies(sink, "a")) == 1
    with freeze_time("2026-12-03T07:00:00Z"):
        dry = cli("check", "--dry-run", "--json").json()
    assert [d["items"] for d in dry["digests"]] == [3]
    assert len(bodies(sink, "a")) == 1
    sent = check(cli, "2026-12-03T07:00:00Z")  # 08:00 in Berlin
    assert sent["digests"] == [{"channel": "a", "digest": "1/20261203T0700Z", "items": 3}]
    message = bodies(sink, "a")[-1]
    assert message["type"] == "prediction.digest"
    data = message["data"]
    assert data["digest"]["schedule"] == "daily 08:00 (Europe/Berlin)"
    assert [(i["prediction"]["key"], i["reminder"]["kind"]) for i in data["items"]] == [
        ("q1", "due"), ("q2", "due"), ("q3", "due"),
    ]  # fmt: skip
    assert data["items"][0]["forecasts"][0]["forecaster"] == "ISW"
    statuses = {r.status for r in rows(database_url) if r.digest == "1/20261203T0700Z"}
    assert statuses == {"skipped", "delivered"}  # the items, and the digest itself
    assert check(cli, "2026-12-03T07:05:00Z")["digests"] == []
    assert check(cli, "2026-12-04T07:00:00Z")["digests"] == []  # an empty period sends nothing
    assert len(bodies(sink, "a")) == 2


def test_a_question_resolved_before_the_send_drops_out(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch)
    add(cli, "kept", "2026-12-02T10:00Z")
    add(cli, "settled", "2026-12-02T11:00Z")
    check(cli, "2026-12-02T11:30:00Z")
    with freeze_time("2026-12-02T12:00:00Z"):
        assert cli("resolve", "settled", "yes").code == 0
    check(cli, "2026-12-03T07:00:00Z")
    [message] = bodies(sink, "a")
    assert [i["prediction"]["key"] for i in message["data"]["items"]] == ["kept"]
    cancelled = [r for r in rows(database_url) if r.channel == "a" and r.status == "cancelled"]
    assert [r.reminder for r in cancelled] == ["due"]


def test_a_restarted_worker_never_sends_a_period_twice(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """A worker that wrote the digest and died before sending it: the next one sends that
    message (the same webhook-id), and writes no second one."""
    configure(sink, monkeypatch)
    add(cli, "q1", "2026-12-02T10:00Z")
    check(cli, "2026-12-02T10:30:00Z")
    settings = load_settings()
    engine = make_engine(database_url)
    with freeze_time("2026-12-03T07:00:00Z"):
        first = Worker(engine=engine, settings=settings, channels=build_channels(settings),
                       routes=configured_routes(settings))  # fmt: skip
        queued = first.run_pass(dry_run=False).queue.digests
    assert [d["items"] for d in queued] == [1]
    check(cli, "2026-12-03T07:01:00Z")  # a fresh process after the first one
    check(cli, "2026-12-03T07:02:00Z")
    digests = [r for r in rows(database_url) if r.kind == "digest"]
    assert [(r.channel, r.status) for r in digests] == [("a", "delivered")]
    assert len(bodies(sink, "a")) == 1


def test_a_row_held_after_its_period_went_out_waits_for_the_next(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """A planner that committed after another worker wrote the period's message (a race): its
    row goes in the next period's message, never in a second one for the same period."""
    configure(sink, monkeypatch)
    add(cli, "q1", "2026-12-02T10:00Z")
    check(cli, "2026-12-02T10:30:00Z")
    check(cli, "2026-12-03T07:00:00Z")
    with transaction(make_engine(database_url)) as session:  # held again, as if committed late
        row = session.exec(select(Delivery).where(
            col(Delivery.channel) == "a", col(Delivery.status) == "skipped",
            col(Delivery.digest) == "1/20261203T0700Z")).one()  # fmt: skip
        row.status, row.next_attempt_at = "held", dt.datetime(2026, 12, 3, 7, tzinfo=dt.UTC)
    check(cli, "2026-12-03T07:10:00Z")
    moved = [r for r in rows(database_url) if r.status == "held"]
    assert [r.digest for r in moved] == ["1/20261204T0700Z"]
    assert len(bodies(sink, "a")) == 1
    check(cli, "2026-12-04T07:00:00Z")
    assert [b["data"]["reminder"]["key"] for b in bodies(sink, "a")] == [
        "digest-1-20261203T0700Z", "digest-1-20261204T0700Z",
    ]  # fmt: skip


def test_two_concurrent_checks_send_each_period_once(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    config = configure(sink, monkeypatch)
    # No overdue reminders: they would (rightly) supersede the held "due" ones.
    monkeypatch.setenv("TRACKER_OVERDUE_LIMIT", "0")
    for number in range(6):
        add(cli, f"q{number}", f"2025-12-02T{10 + number}:00Z", at="2025-11-20T12:00Z")
    check(cli, "2025-12-02T16:30:00Z")  # held for 3 December 2025, long past
    processes = start_checks(
        process_env(database_url, TRACKER_CONFIG=str(config), TRACKER_OVERDUE_LIMIT="0"), 2
    )
    for _out, err in finish_all(processes, timeout=120):
        assert "Traceback" not in err, err
    digests = [r for r in rows(database_url) if r.kind == "digest"]
    assert [(r.channel, r.digest) for r in digests] == [("a", "1/20251203T0700Z")]
    [message] = bodies(sink, "a")
    assert len(message["data"]["items"]) == 6
    assert {r.status for r in rows(database_url) if r.channel == "a"} >= {"skipped", "delivered"}
    assert not [r for r in rows(database_url) if r.status == "held"]
    assert json.loads(digests[0].payload)["digest"]["count"] == 6


def test_routes_test_says_which_digest_would_hold_a_reminder(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(sink, monkeypatch)
    add(cli, "q1", "2026-12-02T10:00Z")
    with freeze_time("2026-12-02T10:30:00Z"):
        shown = cli("routes", "test", "--question", "q1", "--kind", "due")
        listed = cli("routes", "test", "--question", "q1", "--kind", "due", "--json").json()
    assert shown.out.startswith(
        "A due reminder for q1 would go to: a (in route 1's digest daily 08:00 (Europe/Berlin), "
        "at 2026-12-03T07:00:00Z), b"
    )
    assert listed["digests"] == {
        "a": {"route": 1, "schedule": "daily 08:00 (Europe/Berlin)",
              "send_at": "2026-12-03T07:00:00Z"},
    }  # fmt: skip
