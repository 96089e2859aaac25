"""A reminder superseded before it was sent costs no row, and still is never sent later: not
after a policy change, not from a retry the pass has yet to look at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from freezegun import freeze_time

from tests.conftest import Result
from tests.sink import Answer, Sink
from tests.test_delivery import T0, ledger

DEADLINE = dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=dt.UTC)


def _sent(sink: Sink) -> list[str]:
    return [r.json()["data"]["reminder"]["key"] for r in sink.on("/hook")]


def test_a_skipped_reminder_stays_unsent_when_the_policy_changes(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    with freeze_time(DEADLINE - dt.timedelta(hours=12)):  # added late: 7 days' time has gone
        assert cli("add", "X happens", "--due", "2026-11-25", "--key", "x").code == 0
        first = cli("check", "--json").json()
    assert first["skipped"] == 1
    assert _sent(sink) == ["upcoming-1d"]
    # Only the 7-day lead time now: "upcoming-7d" is the latest whose time has come, but the
    # 1-day reminder already went: a "7 days left" now would be false.
    monkeypatch.setenv("TRACKER_REMINDER_LEAD_TIMES", "7d")
    with freeze_time(DEADLINE - dt.timedelta(hours=11)):
        again = cli("check", "--json").json()
    assert (again["queued"], again["skipped"]) == ([], 0)
    assert _sent(sink) == ["upcoming-1d"]
    # A shorter overdue limit after the fourth went: nothing earlier comes back either.
    monkeypatch.delenv("TRACKER_REMINDER_LEAD_TIMES")
    with freeze_time(DEADLINE + dt.timedelta(days=40)):
        assert cli("check").code == 0
    monkeypatch.setenv("TRACKER_REMINDER_OVERDUE_LIMIT", "2")
    with freeze_time(DEADLINE + dt.timedelta(days=41)):
        assert cli("check", "--json").json()["queued"] == []
    assert _sent(sink) == ["upcoming-1d", "overdue-4"]


def test_each_skipped_reminder_is_named_once(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    with freeze_time(T0):  # 25 November 12:00: the 7-day reminder's time went unseen
        assert cli("add", "X happens", "--due", "2026-11-25", "--key", "x").code == 0
        assert cli("check").code == 0
    with freeze_time(T0 + dt.timedelta(days=2)):
        report = cli("check", "--json").json()
    assert report["skipped"] == 0
    named = [r.json()["data"]["reminder"]["skipped"] for r in sink.on("/hook")]
    assert named == [["upcoming-7d"], []]
    assert _sent(sink) == ["upcoming-1d", "due"]


def test_a_retry_the_pass_supersedes_is_not_sent_beside_the_new_reminder(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    sink.answer("/hook", Answer(503))
    with freeze_time(DEADLINE - dt.timedelta(hours=23)):
        assert cli("add", "X happens", "--due", "2026-11-25", "--key", "x").code == 0
        assert cli("check").code == 0  # "upcoming-1d" fails: retrying
    sink.answer("/hook", Answer(200))
    with freeze_time(DEADLINE + dt.timedelta(minutes=5)):
        report = cli("check", "--json").json()
    assert report["superseded"] == 1
    assert _sent(sink)[1:] == ["due"]  # the stale "1 day left" never arrives
    rows = {r.reminder: r.status for r in ledger(database_url)}
    assert rows == {"upcoming-1d": "skipped", "due": "delivered"}
