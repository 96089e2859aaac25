"""Stale-forecast nudges: once per stale_after per (question, forecaster), while the question
is open and its deadline ahead, routed like reminders; with frozen time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlmodel import col, select

from tests.conftest import Result
from tests.sink import Answer, Sink
from tracker.channels.base import OutgoingMessage
from tracker.channels.chat import notice
from tracker.channels.console import console_line
from tracker.channels.email_text import compose
from tracker.channels.slack import format_slack
from tracker.delivery.nudges import nudge_key
from tracker.domain.deadlines import UTC_ZONE
from tracker.persistence.db import make_engine, transaction
from tracker.persistence.models import Delivery

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def nudging(monkeypatch: pytest.MonkeyPatch, sink: Sink) -> Sink:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    monkeypatch.setenv("TRACKER_STALE_AFTER", "30d")
    return sink


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def setup_question(cli: Callable[..., Result], key: str = "talks") -> None:
    with freeze_time(T0):
        ok(cli("add", "Talks resume", "--due", "2027-01", "--key", key,
               "--forecaster", "ISW", "--probability", "0.3"))  # fmt: skip
    with freeze_time(at(20)):
        ok(cli("forecast", key, "60%", "--by", "Desk"))


def nudged(cli: Callable[..., Result], days: float) -> list[str]:
    with freeze_time(at(days)):
        report = ok(cli("check", "--json")).json()
    return sorted(n["forecaster"] for n in report["nudges"])


def test_a_nudge_per_stale_period_and_a_new_forecast_starts_again(
    cli: Callable[..., Result], nudging: Sink
) -> None:
    setup_question(cli)
    assert nudged(cli, 29) == []
    assert nudged(cli, 31) == ["ISW"]
    assert nudged(cli, 31.2) == []  # the same period
    assert nudged(cli, 51) == ["Desk"]  # 30 days after Desk's forecast
    assert nudged(cli, 59) == []
    assert nudged(cli, 61) == ["ISW"]  # a second period without an update
    with freeze_time(at(62)):
        ok(cli("forecast", "talks", "40%", "--by", "ISW"))
    assert nudged(cli, 85) == ["Desk"]
    assert nudged(cli, 91) == []
    assert nudged(cli, 92.5) == ["ISW"]  # 30 days after ISW's new forecast
    bodies = [r.json() for r in nudging.on("/hook")]
    assert len(bodies) == 5
    first = bodies[0]
    assert first["type"] == "forecast.stale"
    assert first["data"]["reminder"]["kind"] == "stale-forecast"
    assert first["data"]["reminder"]["forecaster"] == "ISW"
    assert first["data"]["reminder"]["key"] == nudge_key("ISW", T0, 1)
    assert first["data"]["prediction"]["key"] == "talks"


def test_no_nudge_after_the_deadline_or_once_resolved_and_a_waiting_one_is_cancelled(
    cli: Callable[..., Result], nudging: Sink, database_url: str
) -> None:
    setup_question(cli)
    with freeze_time(T0):
        ok(cli("add", "Soon", "--due", "2026-01-20", "--key", "soon",
               "--forecaster", "ISW", "--probability", "0.3"))  # fmt: skip
    nudging.answer("/hook", Answer(status=503))
    with freeze_time(at(31)):
        report = ok(cli("check", "--json")).json()
    assert [(n["prediction"], n["forecaster"]) for n in report["nudges"]] == [("talks", "ISW")]
    with freeze_time(at(32)):
        ok(cli("resolve", "talks", "no"))
    with transaction(make_engine(database_url)) as session:
        rows = session.exec(select(Delivery).where(col(Delivery.kind) == "stale-forecast")).all()
        assert [r.status for r in rows] == ["cancelled"]
    assert nudged(cli, 80) == []


def test_nudges_follow_the_routes(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("tracker.toml").write_text(
        "".join(
            f'[[channels]]\nname = "{n}"\nkind = "webhook"\nurl = "{sink.url}/{n}"\n\n'
            for n in ("a", "b", "c")
        )
        + '[[routes]]\nmatch_kinds = ["stale-forecast"]\nmatch_forecasters = ["ISW"]\n'
        'channels = ["a"]\n\n[[routes]]\nmatch_kinds = ["stale-forecast"]\nchannels = ["b"]\n'
        '\n[[routes]]\nmatch_kinds = ["upcoming", "due", "overdue"]\nchannels = ["c"]\n'
    )
    monkeypatch.setenv("TRACKER_CONFIG", "tracker.toml")
    monkeypatch.setenv("TRACKER_STALE_AFTER", "30d")
    setup_question(cli)
    assert nudged(cli, 55) == ["Desk", "ISW"]
    routed = sorted((r.path, r.json()["data"]["reminder"]["forecaster"]) for r in sink.received)
    assert routed == [("/a", "ISW"), ("/b", "Desk")]
    shown = cli("routes", "test", "--question", "talks", "--kind", "stale-forecast",
                "--forecaster", "Desk")  # fmt: skip
    assert shown.out == "A stale-forecast reminder for talks would go to: b\n"


def test_nudges_are_off_by_default(cli: Callable[..., Result], sink: Sink) -> None:
    setup_question(cli)
    assert nudged(cli, 100) == []


def test_the_nudge_reads_well_in_the_log_and_on_slack() -> None:
    data = {
        "reminder": {"kind": "stale-forecast", "key": "stale-x-1", "forecaster": "ISW",
                     "forecast_made_at": "2026-01-01T12:00:00Z"},
        "prediction": {"key": "talks", "claim": "Talks resume", "due_at": "2027-01-31T23:59:59Z",
                       "precision": "month", "tz": "UTC", "window_start": None},
        "forecasts": [{"forecaster": "ISW", "probability": 0.3, "made_at": "2026-01-01T12:00:00Z"}],
    }  # fmt: skip
    message = OutgoingMessage("msg_1", "forecast.stale", at(45), data)
    line = console_line(message, now=at(45), tz=UTC_ZONE)
    assert line == (
        'Update your forecast? ISW\'s 30% on "Talks resume" (due January 2027) is 45 days old: '
        "tracker forecast talks PROBABILITY --by 'ISW'"
    )
    slack = format_slack(message, now=at(45), tz=UTC_ZONE)
    assert slack["text"].startswith("Update your forecast? ISW's 30% on")
    mail = compose(message, now=at(45), tz=UTC_ZONE, channel="desk-mail")
    assert "Update your forecast?" in mail.subject
    assert "tracker forecast talks PROBABILITY --by 'ISW'" in " ".join(mail.text.split())
    chat = notice(message, now=at(45), tz=UTC_ZONE)
    assert (chat.title, chat.claim) == ("Update your forecast?", "Talks resume")
    assert chat.note is not None
    assert "is 45 days old" in chat.note
