"""Routes end to end: several webhook channels on local receivers, each reminder and event
delivered to its routed channels only; follows and the planner's followers hook."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from tests.conftest import Result, assert_one_line_error
from tests.sink import Sink
from tracker.bootstrap import configured_routes
from tracker.channels import build_channels
from tracker.config import load_settings
from tracker.delivery.worker import Worker
from tracker.follows import follower_hook
from tracker.persistence.db import make_engine, transaction
from tracker.persistence.models import Delivery

ROUTES = """
[[routes]]
match_tags = ["SYRIA"]
channels = ["a"]

[[routes]]
match_kinds = ["overdue"]
match_forecasters = ["ISW"]
channels = ["b"]
continue = true

[[routes]]
match_kinds = ["overdue", "resolved"]
channels = ["c"]
"""


def configure(sink: Sink, monkeypatch: pytest.MonkeyPatch, routes: str = ROUTES) -> None:
    channels = "".join(
        f'[[channels]]\nname = "{name}"\nkind = "webhook"\nurl = "{sink.url}/{name}"\n\n'
        for name in ("a", "b", "c")
    )
    Path("tracker.toml").write_text(channels + routes)
    monkeypatch.setenv("TRACKER_CONFIG", "tracker.toml")


def received(sink: Sink) -> dict[str, list[tuple[str, str]]]:
    """Per channel: (question key, reminder kind) of each request."""
    by_path: dict[str, list[tuple[str, str]]] = {}
    for request in sink.received:
        data = request.json()["data"]
        by_path.setdefault(request.path.strip("/"), []).append(
            (data["prediction"]["key"], data["reminder"]["kind"])
        )
    return {path: sorted(items) for path, items in sorted(by_path.items())}


def add(cli: Callable[..., Result], key: str, *extra: str) -> None:
    result = cli("add", f"Claim {key}", "--due", "2025-01", "--key", key, *extra)
    assert result.code == 0, result.err


def ledger(database_url: str) -> list[tuple[str, str, str]]:
    with transaction(make_engine(database_url)) as session:
        rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
        return sorted((r.reminder, r.channel, r.status) for r in rows)


def test_each_route_delivers_to_its_channels_only(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch)
    add(cli, "syria", "--tag", "syria", "--forecaster", "ISW", "--probability", "0.3")
    add(cli, "isw", "--forecaster", "ISW", "--probability", "0.6")  # route 2, then 3
    add(cli, "desk", "--forecaster", "Desk", "--probability", "0.6")  # route 3 only
    first = cli("check", "--json")
    assert first.code == 0, first.err
    assert {q["prediction"]: q["deliveries"] for q in first.json()["queued"]} == {
        "syria": 1, "isw": 2, "desk": 1,
    }  # fmt: skip
    assert received(sink) == {
        "a": [("syria", "overdue")],
        "b": [("isw", "overdue")],
        "c": [("desk", "overdue"), ("isw", "overdue")],
    }
    # The earlier reminders cost no rows: the one sent names them, on every channel.
    rows = ledger(database_url)
    assert {(r, c) for r, c, s in rows} == {
        ("overdue-4", "a"), ("overdue-4", "b"), ("overdue-4", "c"),
    }  # fmt: skip
    assert {s for r, c, s in rows} == {"delivered"}
    named = {tuple(r.json()["data"]["reminder"]["skipped"]) for r in sink.received}
    assert named == {("upcoming-7d", "upcoming-1d", "due", "overdue-1", "overdue-2", "overdue-3")}
    again = cli("check", "--json").json()
    assert again["queued"] == []  # what the routes chose is in the ledger: nothing twice
    assert cli("resolve", "desk", "no").code == 0
    assert cli("resolve", "syria", "yes").code == 0
    after = cli("check", "--json").json()
    assert after["resolution_events"] == 2
    assert received(sink)["c"] == [("desk", "overdue"), ("desk", "resolved"), ("isw", "overdue")]
    assert received(sink)["a"] == [("syria", "overdue"), ("syria", "resolved")]
    assert len(sink.received) == 6


def test_a_reminder_no_route_matches_goes_nowhere(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch, routes='[[routes]]\nmatch_tags = ["iran"]\nchannels = ["a"]\n')
    add(cli, "quiet")
    report = cli("check", "--json").json()
    assert report["queued"] == [{"prediction": "quiet", "reminder": "overdue-4", "deliveries": 0}]
    assert sink.received == []
    assert ledger(database_url) == []
    assert cli("check", "--json").json()["queued"] == []  # its next reminder time moved on


def test_a_channel_added_to_a_route_later_gets_the_latest_reminder(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch, routes='[[routes]]\nchannels = ["a"]\n')
    add(cli, "k1")
    assert cli("check").code == 0
    configure(sink, monkeypatch, routes='[[routes]]\nchannels = ["a", "b"]\n')
    # A policy change looks at every open question again (the latest reminder is the same).
    monkeypatch.setenv("TRACKER_REMINDER_LEAD_TIMES", "7d,2d,1d")
    assert cli("check").code == 0
    assert received(sink) == {"a": [("k1", "overdue")], "b": [("k1", "overdue")]}
    reminders = {(r, c) for r, c, s in ledger(database_url) if s == "delivered"}
    assert reminders == {("overdue-4", "a"), ("overdue-4", "b")}


def test_no_routes_keep_every_channel(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(sink, monkeypatch, routes="")
    add(cli, "k1", "--tag", "syria")
    assert cli("check").code == 0
    assert received(sink) == {c: [("k1", "overdue")] for c in ("a", "b", "c")}


def test_follow_and_unfollow_are_stored_audited_and_shown(cli: Callable[..., Result]) -> None:
    assert cli("users", "add", "alice", "--email", "alice@example.org").code == 0
    add(cli, "talks", "--tag", "syria")
    followed = cli("users", "follow", "alice", "--tag", "Syria", "--question", "talks")
    assert followed.code == 0, followed.err
    assert followed.out == "alice now follows: question talks, tag syria\n"
    again = cli("users", "follow", "alice", "--tag", "syria")
    assert again.out.endswith("(no change)\n")
    shown = cli("routes", "test", "--question", "talks", "--kind", "due", "--json").json()
    assert shown["followers"] == ["alice"]
    assert cli("users", "unfollow", "alice", "--question", "talks").code == 0
    assert_one_line_error(
        cli("users", "unfollow", "alice", "--question", "talks"), contains="does not follow"
    )
    assert_one_line_error(cli("users", "follow", "alice"), contains="--tag or --question")
    assert_one_line_error(cli("users", "follow", "bob", "--tag", "x"), contains="bob")
    assert_one_line_error(cli("users", "follow", "alice", "--question", "nope"), contains="nope")
    entries = cli("audit", "--json").json()
    follows = [(e["action"], e["subject"], e["after"], e["before"]) for e in entries
               if e["action"].startswith("user.") and "follow" in e["action"]]  # fmt: skip
    assert follows == [
        ("user.follow", "alice", {"follows": "tag syria"}, None),
        ("user.follow", "alice", {"follows": "question talks"}, None),
        ("user.unfollow", "alice", None, {"follows": "question talks"}),
    ]
    shown = cli("routes", "test", "--question", "talks", "--kind", "due", "--json").json()
    assert shown["followers"] == ["alice"]  # still, through the tag
    assert cli("users", "disable", "alice").code == 0
    shown = cli("routes", "test", "--question", "talks", "--kind", "due", "--json").json()
    assert shown["followers"] == []


def test_the_followers_hook_adds_each_followers_channel(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """What the lead wires to email: here a follower's channel is one of the webhooks."""
    configure(sink, monkeypatch, routes='[[routes]]\nmatch_tags = ["iran"]\nchannels = ["a"]\n')
    assert cli("users", "add", "carol", "--email", "carol@example.org").code == 0
    assert cli("users", "add", "dan").code == 0
    add(cli, "followed", "--tag", "syria")
    add(cli, "other")
    assert cli("users", "follow", "carol", "--tag", "syria").code == 0
    assert cli("users", "follow", "dan", "--tag", "syria").code == 0
    settings = load_settings()

    def channel_of(user: Any) -> str | None:
        return "c" if user.email else None  # no email, no channel

    worker = Worker(
        engine=make_engine(database_url),
        settings=settings,
        channels=build_channels(settings),
        rng=random.Random(7),
        routes=configured_routes(settings),
        follow_hook=follower_hook(channel_of),
    )
    report = worker.run_pass()
    assert report.dispatch is not None
    assert received(sink) == {"c": [("followed", "overdue")]}
