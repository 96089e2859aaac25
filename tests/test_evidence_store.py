"""Evidence kept from feeds: a poll stores what new articles say about open questions, a person
accepts (resolving the question once) or rejects it; a feed with --auto-resolve resolves alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import ACTOR, SEEDS, Result, assert_one_line_error
from tests.news_server import NewsServer, Page, article_html, rss, running_news_server
from tracker.config import load_settings
from tracker.news import feeds
from tracker.news.polling import FeedPoller

Cli = Callable[..., Result]
NOW = dt.datetime(2025, 2, 21, 9, 0, tzinfo=dt.UTC)
SYRIA_KEY = "russia-full-withdrawal-from-syria-2025-02"
PULLOUT = [
    "Moscow pulled its last troops out of Syria on Tuesday, officials said, ending a decade "
    "of Russian military presence in the country.",
    "Transport planes carrying the remaining soldiers and equipment left the Khmeimim air base "
    "for Russia, according to satellite images reviewed by analysts.",
]


@pytest.fixture
def news() -> Iterator[NewsServer]:
    yield from running_news_server()


def _serve(news: NewsServer) -> str:
    story = news.serve(
        "/world/out", Page(article_html("Russia leaves Syria", PULLOUT, published="2025-02-20"))
    )
    items = [("Russia leaves Syria", story, "Thu, 20 Feb 2025 10:00:00 GMT")]
    return news.serve("/rss", Page(rss(items), content_type="application/rss+xml"))


def _poll(engine: sa.Engine, at: dt.datetime = NOW) -> None:
    settings = load_settings(feed_max_items=5, fetch_timeout=5)
    FeedPoller(engine=engine, settings=settings).poll(at)


def _rows(engine: sa.Engine, query: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.text(query)).mappings()]


def _seeded_and_polled(cli: Cli, engine: sa.Engine, news: NewsServer, **feed: Any) -> None:
    assert cli("seed", SEEDS).code == 0
    feeds.add_feed(engine, url=_serve(news), now=NOW, actor=ACTOR, name="world", **feed)
    _poll(engine)


def test_a_poll_keeps_evidence_once_and_lists_it(
    cli: Cli, engine: sa.Engine, news: NewsServer
) -> None:
    _seeded_and_polled(cli, engine, news)
    _poll(engine, NOW + dt.timedelta(hours=2))  # the article is known: nothing new
    listed = cli("evidence", "--json")
    assert listed.code == 0, listed.err
    [found] = listed.json()
    assert found["question"] == SYRIA_KEY
    assert (found["outcome"], found["occurred_on"], found["status"]) == (
        "yes",
        "2025-02-18",
        "pending",
    )
    assert found["quote"].startswith("Moscow pulled its last troops")
    assert found["source"]["url"].endswith("/world/out")
    assert found["source"]["published"] == "2025-02-20"
    assert cli("evidence", "--question", SYRIA_KEY, "--json").json() == [found]
    other = "syria-interim-government-rules-until-2025-03"
    assert cli("evidence", "--question", other, "--json").json() == []
    assert "Moscow pulled" in cli("evidence").out


def test_accept_resolves_the_question_once(cli: Cli, engine: sa.Engine, news: NewsServer) -> None:
    _seeded_and_polled(cli, engine, news)
    [found] = cli("evidence", "--json").json()
    accepted = cli("evidence", "accept", found["id"])
    assert accepted.code == 0, accepted.err
    assert SYRIA_KEY in accepted.out
    [resolution] = _rows(
        engine, "SELECT outcome, occurred_on, note, evidence_url, resolved_by, via FROM resolution"
    )
    assert resolution["outcome"] == "yes"
    assert str(resolution["occurred_on"]) == "2025-02-18"
    assert resolution["note"] == found["quote"]
    assert resolution["evidence_url"] == found["source"]["url"]
    assert (resolution["resolved_by"], resolution["via"]) == ("tester", "news")
    again = cli("evidence", "accept", found["id"])
    assert_one_line_error(again, code=again.code, contains="already accepted")
    assert again.code != 0
    assert len(_rows(engine, "SELECT id FROM resolution")) == 1
    assert cli("evidence", "--json").json() == []
    assert cli("evidence", "--status", "accepted", "--json").json()[0]["decided_by"] == "tester"


def test_reject_keeps_the_question_open(cli: Cli, engine: sa.Engine, news: NewsServer) -> None:
    _seeded_and_polled(cli, engine, news)
    [found] = cli("evidence", "--json").json()
    rejected = cli("evidence", "reject", found["id"], "--reason", "an earlier drawdown")
    assert rejected.code == 0, rejected.err
    assert _rows(engine, "SELECT id FROM resolution") == []
    [row] = cli("evidence", "--status", "rejected", "--json").json()
    assert row["reason"] == "an earlier drawdown"
    assert_one_line_error(cli("evidence", "accept", found["id"]), code=2, contains="already")


def test_unknown_ids_and_bad_options_are_one_line(cli: Cli) -> None:
    assert cli("seed", SEEDS).code == 0
    assert_one_line_error(cli("evidence", "accept", "999"), contains="no evidence 999")
    assert_one_line_error(cli("evidence", "reject", "0"), contains="no evidence 0")
    assert_one_line_error(cli("evidence", "--status", "maybe"), contains="--status")
    assert_one_line_error(cli("evidence", "--question", "no-such-key"))


def test_auto_resolve_resolves_strong_evidence(
    cli: Cli, engine: sa.Engine, news: NewsServer
) -> None:
    _seeded_and_polled(cli, engine, news, auto_resolve=True)
    [row] = _rows(engine, "SELECT status, decided_by FROM evidence")
    assert row == {"status": "accepted", "decided_by": "feed:world"}
    [resolution] = _rows(engine, "SELECT outcome, resolved_by, via FROM resolution")
    assert resolution == {"outcome": "yes", "resolved_by": "feed:world", "via": "news"}
