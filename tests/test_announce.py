"""New proposals announced through the delivery ledger: once per article and channel, signed,
routed by kind "proposal", never twice, and never once decided."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import standardwebhooks
from freezegun import freeze_time
from sqlmodel import col, select

from tests.conftest import ACTOR, Result, assert_one_line_error, is_sqlite
from tests.sink import Answer, Sink
from tracker.domain.deadlines import UTC_ZONE
from tracker.news.articles import ArticleText, propose_article
from tracker.news.proposals import reject
from tracker.persistence.db import make_engine, transaction, upgrade_to_head
from tracker.persistence.models import Delivery
from tracker.persistence.news_models import Proposal

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def record(claim: str, forecaster: str, probability: float | None, *tags: str) -> dict[str, Any]:
    """A found forecast as `tracker extract --json` gives it, tagged as a feed tags it."""
    return {
        "quote": f"{claim}, {forecaster} said.",
        "claim": claim,
        "due_at": "2027-02-28T23:59:59.999999Z",
        "window_start": None,
        "precision": "month",
        "due_text": "by February 2027",
        "probability": probability,
        "basis": None,
        "forecaster": forecaster,
        "tags": ["extracted", *tags],
    }


def propose(database_url: str, url: str, *records: dict[str, Any]) -> list[int]:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    article = ArticleText(text="", url=url, title=f"Title of {url.rsplit('/', 1)[-1]}")
    source = {"url": url, "title": article.title}
    made = propose_article(
        engine,
        article=article,
        records=[{**r, "source": source} for r in records],
        tz=UTC_ZONE,
        now=NOW,
    )
    return [p.id for p in made.proposals if p.id is not None]


def configure(sink: Sink, monkeypatch: pytest.MonkeyPatch, routes: str = "") -> None:
    channels = "".join(
        f'[[channels]]\nname = "{name}"\nkind = "webhook"\nurl = "{sink.url}/{name}"\n'
        f'secret = "{SECRET}"\n\n'
        for name in ("a", "b")
    )
    Path("tracker.toml").write_text(channels + routes)
    monkeypatch.setenv("TRACKER_CONFIG", "tracker.toml")


def ledger(database_url: str) -> list[Delivery]:
    with transaction(make_engine(database_url)) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())


def announced(database_url: str) -> dict[int, dt.datetime | None]:
    with transaction(make_engine(database_url)) as session:
        return {p.id or 0: p.announced_at for p in session.exec(select(Proposal)).all()}


def check(cli: Callable[..., Result]) -> dict[str, Any]:
    with freeze_time(NOW + dt.timedelta(minutes=1)):
        result = cli("check", "--json")
    assert result.code == 0, result.err
    report: dict[str, Any] = result.json()
    return report


def test_new_proposals_are_announced_once_per_article_signed(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch)
    monkeypatch.setenv("TRACKER_PUBLIC_URL", "https://tracker.example/")
    first = propose(
        database_url, "https://news.example/syria",
        record("Moscow pulls out of Syria", "ISW", 0.35, "syria"),
        record("Assad leaves Damascus", "Desk", None, "syria"),
    )  # fmt: skip
    second = propose(database_url, "https://news.example/iran", record("A deal", "ISW", 0.6))
    report = check(cli)
    assert [item["proposals"] for item in report["proposals"]] == [first, second]
    assert report["outcomes"] == {"delivered": 4}  # two articles, two channels: not 3 x 2
    verifier = standardwebhooks.Webhook(SECRET)
    with freeze_time(NOW + dt.timedelta(minutes=1)):  # when it was signed
        bodies = [verifier.verify(r.body, r.headers) for r in sink.on("/a")]  # raises if not
    assert [b["type"] for b in bodies] == ["proposal.created"] * 2
    syria = next(b["data"] for b in bodies if b["data"]["article"]["url"].endswith("syria"))
    assert syria["reminder"]["kind"] == "proposal"
    assert syria["article"]["title"] == "Title of syria"
    assert syria["page"] == "https://tracker.example/#proposed"
    assert [(p["id"], p["claim"], p["forecaster"], p["probability"], p["due"], p["accept"])
            for p in syria["proposals"]] == [
        (first[0], "Moscow pulls out of Syria", "ISW", 0.35, "February 2027",
         f"tracker proposals accept {first[0]}"),
        (first[1], "Assad leaves Damascus", "Desk", None, "February 2027",
         f"tracker proposals accept {first[1]}"),
    ]  # fmt: skip
    assert syria["proposals"][0]["source"]["url"] == "https://news.example/syria"
    rows = ledger(database_url)
    assert {(r.proposal_id, r.prediction_id, r.kind, r.channel, r.status) for r in rows} == {
        (ids[0], None, "proposal", channel, "delivered")
        for ids in (first, second)
        for channel in ("a", "b")
    }
    assert set(announced(database_url).values()) == {NOW + dt.timedelta(minutes=1)}
    again = check(cli)
    assert again["proposals"] == []
    assert again["attempts"] == 0
    assert len(sink.received) == 4
    listed = cli("deliveries", "--json")
    assert listed.code == 0, listed.err
    assert {(d["prediction"], d["proposal_id"]) for d in listed.json()} == {
        (None, first[0]),
        (None, second[0]),
    }
    table = cli("deliveries")
    assert f"proposal {first[0]}" in table.out
    assert "None" not in table.out


def test_a_failed_announcement_is_retried_with_the_same_id(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch, '[[routes]]\nmatch_kinds = ["proposal"]\nchannels = ["a"]\n')
    sink.answer("/a", Answer(status=503), Answer(status=200))
    [only] = propose(database_url, "https://news.example/x", record("A deal", "ISW", 0.6))
    assert check(cli)["outcomes"] == {"retry": 1}
    with freeze_time(NOW + dt.timedelta(hours=2)):
        later = cli("check", "--json").json()
    assert later["proposals"] == []
    assert later["outcomes"] == {"delivered": 1}
    tries = sink.on("/a")
    assert len(tries) == 2
    assert tries[0].headers["webhook-id"] == tries[1].headers["webhook-id"]
    assert [(r.proposal_id, r.status, r.attempts) for r in ledger(database_url)] == [
        (only, "delivered", 2)
    ]


ROUTES = """
[[routes]]
match_kinds = ["proposal"]
match_forecasters = ["ISW"]
channels = ["b"]

[[routes]]
match_kinds = ["overdue"]
channels = ["a"]
"""


def test_proposals_go_only_where_the_routes_for_their_kind_say(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch, ROUTES)
    ids = propose(
        database_url, "https://news.example/mixed",
        record("ISW's claim", "ISW", 0.2), record("Desk's claim", "Desk", 0.7),
    )  # fmt: skip
    quiet = propose(database_url, "https://news.example/quiet", record("Other", "Desk", 0.5))
    report = check(cli)
    assert [(i["proposals"], i["deliveries"]) for i in report["proposals"]] == [
        (ids, 1),
        (quiet, 0),
    ]
    assert sink.on("/a") == []
    [message] = sink.on("/b")
    # Only the proposal its route asked for, though the article had two.
    assert [p["claim"] for p in message.json()["data"]["proposals"]] == ["ISW's claim"]
    # Routed nowhere is decided too: announced, not looked at again every pass.
    assert None not in announced(database_url).values()
    assert check(cli)["proposals"] == []


def test_a_proposal_decided_before_any_pass_is_not_announced(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch)
    kept, dropped = propose(
        database_url, "https://news.example/two",
        record("Kept", "ISW", 0.2), record("Dropped", "ISW", 0.3),
    )  # fmt: skip
    engine = make_engine(database_url)
    reject(engine, proposal_id=dropped, actor=ACTOR, now=NOW, reason="not a forecast")
    check(cli)
    [message, _] = sink.received
    assert [p["id"] for p in message.json()["data"]["proposals"]] == [kept]
    assert announced(database_url) == {kept: NOW + dt.timedelta(minutes=1), dropped: None}


# --- what each channel says ------------------------------------------------------------------

MESSAGE_DATA = {
    "reminder": {"kind": "proposal", "key": "proposal-5", "scheduled_for": "2026-11-25T12:00:00Z"},
    "article": {"url": "https://news.example/a", "title": "Talks <soon>", "feed": "wire"},
    "page": "https://tracker.example/#proposed",
    "proposals": [
        {"id": 5, "claim": "Talks start & end", "due": "February 2027", "forecaster": "ISW",
         "probability": 0.35, "match": {"key": "talks-2027", "score": 0.81},
         "accept": "tracker proposals accept 5"},
        {"id": 6, "claim": "A ceasefire", "due": "2027", "forecaster": None,
         "probability": None, "match": None, "accept": "tracker proposals accept 6"},
    ],
}  # fmt: skip


def _message() -> Any:
    from tracker.channels.base import OutgoingMessage

    return OutgoingMessage("msg_1", "proposal.created", NOW, MESSAGE_DATA)


def test_every_channel_lists_each_proposal_with_the_command_that_accepts_it() -> None:
    from tracker.channels.chat import notice
    from tracker.channels.console import console_line
    from tracker.channels.email_text import compose
    from tracker.channels.slack import format_slack
    from tracker.channels.text import digest_item_line
    from tracker.channels.webhook import webhook_body

    first = "Talks start & end (due February 2027; ISW 35%; matches talks-2027, 0.81)"
    second = "A ceasefire (due 2027)"
    slack = format_slack(_message(), now=NOW, tz=UTC_ZONE)
    assert slack["text"] == "2 new proposals from Talks &lt;soon&gt;"
    sections = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert sections == [
        "*Talks start &amp; end*\ndue February 2027; ISW 35%; matches talks-2027, 0.81\n"
        "`tracker proposals accept 5`",
        "*A ceasefire*\ndue 2027\n`tracker proposals accept 6`",
        "*Article:* <https://news.example/a|Talks &lt;soon&gt;>",
        "*Review:* <https://tracker.example/#proposed|the proposals waiting>",
    ]
    chat = notice(_message(), now=NOW, tz=UTC_ZONE)  # Discord, Teams and ntfy
    assert (chat.level, chat.title, chat.link, chat.command) == (
        "other", "2 new proposals from Talks <soon>", "https://news.example/a", None,
    )  # fmt: skip
    assert chat.note == (
        f"{first}: tracker proposals accept 5\n{second}: tracker proposals accept 6\n"
        "Review them at https://tracker.example/#proposed"
    )
    assert console_line(_message(), now=NOW, tz=UTC_ZONE) == (
        f"2 new proposals from Talks <soon>: {first}: tracker proposals accept 5; "
        f"{second}: tracker proposals accept 6; Review them at https://tracker.example/#proposed"
    )
    mail = compose(_message(), now=NOW, tz=UTC_ZONE, channel="desk")
    assert mail.subject.endswith("2 new proposals from Talks <soon>")
    assert f"{first}: tracker proposals accept 5" in " ".join(mail.text.split())
    assert digest_item_line(MESSAGE_DATA, NOW, UTC_ZONE).startswith("2 new proposals from")
    assert json.loads(webhook_body(_message()))["type"] == "proposal.created"


def test_routes_test_shows_where_a_proposals_announcement_would_go(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch, ROUTES)
    isw, desk = propose(
        database_url, "https://news.example/r",
        record("ISW's claim", "ISW", 0.2, "syria"), record("Desk's claim", "Desk", 0.7),
    )  # fmt: skip
    shown = cli("routes", "test", "--proposal", isw, "--json")
    assert shown.code == 0, shown.err
    assert shown.json() == {
        "proposal": f"proposal {isw}", "kind": "proposal", "tags": ["extracted", "syria"],
        "forecasters": ["ISW"], "channels": ["b"], "digests": {}, "followers": [],
    }  # fmt: skip
    said = cli("routes", "test", "--proposal", desk)
    assert (
        said.out == f"The announcement of proposal {desk} would go to: nowhere (no route matches)\n"
    )
    assert_one_line_error(cli("routes", "test", "--proposal", isw, "--kind", "due"))
    assert_one_line_error(cli("routes", "test", "--proposal", isw, "--question", "x"))
    assert_one_line_error(cli("routes", "test", "--question", "x"), contains="--kind")
    assert sink.received == []


def test_a_digest_route_keeps_new_proposals_for_its_message(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    digest = '[[routes]]\nmatch_kinds = ["proposal"]\nchannels = ["a"]\ndigest = "daily 08:00"\n'
    configure(sink, monkeypatch, digest)
    [one] = propose(database_url, "https://news.example/d", record("A deal", "ISW", 0.6))
    [two] = propose(database_url, "https://news.example/e", record("No deal", "ISW", 0.4))
    assert check(cli)["outcomes"] == {}  # held for the 08:00 digest
    assert [(r.status, r.digest) for r in ledger(database_url)] == [
        ("held", "1/20261126T0800Z")
    ] * 2
    with freeze_time("2026-11-26T08:00:00Z"):
        sent = cli("check", "--json").json()
    assert sent["digests"] == [{"channel": "a", "digest": "1/20261126T0800Z", "items": 2}]
    [message] = sink.on("/a")
    with freeze_time("2026-11-26T08:00:00Z"):
        body = standardwebhooks.Webhook(SECRET).verify(message.body, message.headers)
    assert body["type"] == "prediction.digest"
    assert [item["proposals"][0]["id"] for item in body["data"]["items"]] == [one, two]
    # A digest of proposals alone has no question to name.
    [row] = [r for r in ledger(database_url) if r.kind == "digest"]
    assert (row.prediction_id, row.status) == (None, "delivered")


def test_a_second_worker_skips_proposals_another_is_announcing(database_url: str) -> None:
    """PostgreSQL: the rows one pass has locked are skipped by another's, which neither waits
    nor announces them too (SQLite lets one writer in at a time: nothing to skip)."""
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only: SQLite's passes never overlap")
    from tracker.delivery.plan import queue_due
    from tracker.domain.reminders import ReminderPolicy
    from tracker.persistence import news

    ids = propose(database_url, "https://news.example/c", record("A deal", "ISW", 0.6))
    engine = make_engine(database_url)
    policy = ReminderPolicy()

    def queue() -> list[dict[str, Any]]:
        report = queue_due(engine, policy=policy, channels=["a"], tz=UTC_ZONE, now=NOW)
        return report.proposals

    with transaction(engine) as first:
        assert [p.id for p in news.proposals_to_announce(first, limit=10)] == ids
        assert queue() == []  # skipped, not waited for
    assert [item["proposals"] for item in queue()] == [ids]
    assert queue() == []


def test_the_service_wakes_for_a_proposal_to_announce(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from tracker.delivery.admin import next_wake_at

    configure(sink, monkeypatch)
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    assert next_wake_at(engine) is None
    propose(database_url, "https://news.example/w", record("A deal", "ISW", 0.6))
    assert next_wake_at(engine) == NOW  # when it was proposed: a pass is due
    check(cli)
    assert next_wake_at(engine) is None
