"""Polling feeds end to end against a local HTTP server: new articles become proposals once,
an unchanged feed costs a 304, a failing feed backs off and recovers, and nothing one feed does
stops the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import ACTOR, SEEDS
from tests.news_server import NewsServer, Page, article_html, rss, running_news_server
from tracker.config import Settings, load_settings
from tracker.enums import ListStatus
from tracker.news import feeds
from tracker.news.polling import FeedPoller, PollReport
from tracker.news.proposals import list_proposals

ARTICLE = (SEEDS / "2024-12-isw-russia-syria-pullout.txt").read_text()
TITLE, *PARAGRAPHS = [line for line in ARTICLE.splitlines() if line.strip()]
NOW = dt.datetime(2024, 12, 26, 9, 0, tzinfo=dt.UTC)
QUIET = [
    "The city council met on Tuesday to discuss the budget for parks and libraries.",
    "Members heard from residents about the opening hours of the central library.",
] * 4


@pytest.fixture
def news() -> Iterator[NewsServer]:
    yield from running_news_server()


def _settings(**overrides: Any) -> Settings:
    return load_settings(feed_max_items=5, fetch_timeout=5, **overrides)


def _poll(engine: sa.Engine, at: dt.datetime, **overrides: Any) -> PollReport:
    return FeedPoller(engine=engine, settings=_settings(**overrides)).poll(at)


def _feed_row(engine: sa.Engine, name: str) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM feed WHERE name = :n"), {"n": name})
        return dict(row.mappings().one())


def _serve_isw(news: NewsServer, **feed: Any) -> str:
    story = news.serve("/world/isw", Page(article_html(TITLE, PARAGRAPHS, published="2024-12-24")))
    quiet = news.serve("/local/council", Page(article_html("Council", QUIET, published=None)))
    items = [
        (TITLE, story, "Tue, 24 Dec 2024 10:00:00 GMT"),
        ("Council", quiet, "Mon, 23 Dec 2024 10:00:00 GMT"),
    ]
    return news.serve("/rss", Page(rss(items), content_type="application/rss+xml", **feed))


def test_new_articles_become_proposals_once(engine: sa.Engine, news: NewsServer) -> None:
    url = _serve_isw(news, etag='"v1"')
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world", tags=["syria"])
    report = _poll(engine, NOW)
    assert (report.feeds, report.articles, report.failed) == (1, 2, 0)
    assert report.proposals == 3
    views = list_proposals(engine)
    assert {v.article.title for v in views if v.article} == {TITLE}
    assert all(v.proposal.status == "pending" for v in views)
    sources = [v.proposal.record for v in views]
    assert all("/world/isw" in record and "syria" in record for record in sources)
    assert news.hits["/world/isw"] == 1
    assert all(agent.startswith("tracker/") for agent in news.user_agents)
    row = _feed_row(engine, "world")
    assert row["etag"] == '"v1"'
    assert row["failures"] == 0
    assert row["last_result"] == "2 new articles, 3 proposals"
    # Not due again until its interval has passed; then a conditional GET answered 304.
    assert _poll(engine, NOW + dt.timedelta(minutes=10)).feeds == 0
    later = _poll(engine, NOW + dt.timedelta(minutes=31))
    assert (later.feeds, later.not_modified, later.articles) == (1, 1, 0)
    assert news.conditional["/rss"] == 1
    assert news.hits["/world/isw"] == 1  # never fetched twice
    assert len(list_proposals(engine)) == 3


def test_a_changed_feed_reads_only_its_new_items(engine: sa.Engine, news: NewsServer) -> None:
    url = _serve_isw(news)
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world")
    _poll(engine, NOW)
    extra = news.serve("/local/bins", Page(article_html("Bins", QUIET, published="2024-12-27")))
    items = [
        ("Bins", extra, "Fri, 27 Dec 2024 10:00:00 GMT"),
        (TITLE, news.url + "/world/isw", "Tue, 24 Dec 2024 10:00:00 GMT"),
    ]
    news.serve("/rss", Page(rss(items), content_type="application/rss+xml"))
    report = _poll(engine, NOW + dt.timedelta(hours=1))
    assert report.articles == 1
    assert news.hits["/world/isw"] == 1
    assert news.hits["/local/bins"] == 1


def test_a_failing_feed_backs_off_then_recovers(engine: sa.Engine, news: NewsServer) -> None:
    broken = Page(b"oops", status=500)
    url = _serve_isw(news)
    good = news.pages["/rss"][0]
    news.serve("/rss", broken, good)
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world")
    first = _poll(engine, NOW)
    assert (first.failed, first.articles) == (1, 0)
    row = _feed_row(engine, "world")
    assert row["failures"] == 1
    assert "500" in row["last_error"]
    assert row["last_success_at"] is None
    # Twice the 30-minute interval after one failure.
    assert _poll(engine, NOW + dt.timedelta(minutes=31)).feeds == 0
    recovered = _poll(engine, NOW + dt.timedelta(minutes=61))
    assert (recovered.failed, recovered.articles) == (0, 2)
    row = _feed_row(engine, "world")
    assert (row["failures"], row["last_error"]) == (0, None)


def test_one_bad_feed_does_not_stop_the_others(engine: sa.Engine, news: NewsServer) -> None:
    good = _serve_isw(news)
    garbage = news.serve("/bad", Page(b"<html><body>not a feed</body></html>"))
    missing = news.serve("/gone", Page(b"gone", status=404))
    for name, url in (("good", good), ("bad", garbage), ("gone", missing)):
        feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name=name)
    report = _poll(engine, NOW)
    assert (report.feeds, report.failed, report.articles) == (3, 2, 2)
    assert "RSS or Atom" in _feed_row(engine, "bad")["last_error"]
    assert "404" in _feed_row(engine, "gone")["last_error"]
    with engine.connect() as connection:
        feed_ids = connection.execute(sa.text("SELECT DISTINCT feed_id FROM article")).all()
    assert len(feed_ids) == 1


def test_auto_accept_stores_questions_tagged_auto(engine: sa.Engine, news: NewsServer) -> None:
    url = _serve_isw(news)
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world", auto_accept=True)
    report = _poll(engine, NOW)
    assert report.accepted == 3
    assert list_proposals(engine) == []
    from tracker import service

    stored = service.list_predictions(
        engine, status=ListStatus.ALL, now=NOW, due_soon=dt.timedelta(days=7)
    ).items
    assert len(stored) == 3
    assert all("auto" in record.tags for record in stored)
    with engine.connect() as connection:
        actors = connection.execute(sa.text("SELECT DISTINCT actor FROM audit_entry")).all()
    assert ("feed:world",) in actors


def test_a_long_feed_is_read_to_its_newest_items(engine: sa.Engine, news: NewsServer) -> None:
    items = [
        (f"Story {n}", news.url + f"/story/{n}", "Mon, 23 Dec 2024 10:00:00 GMT")
        for n in range(10_000)
    ]
    url = news.serve("/long", Page(rss(items), content_type="application/rss+xml"))
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="long")
    report = _poll(engine, NOW)
    assert report.articles == 5
    assert "of 10000 items" in _feed_row(engine, "long")["last_result"]
    assert sum(news.hits[f"/story/{n}"] for n in range(10_000)) == 5


def test_tracker_run_polls_a_feed_and_logs_a_failing_one(
    cli: Any, database_url: str, news: NewsServer
) -> None:
    """The real service, end to end: `tracker run` polls the feeds at start, beside the
    reminder pass, proposes what it found, logs a failing feed in one line, and stops cleanly."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import process_env

    url = _serve_isw(news)
    broken = news.serve("/broken", Page(b"<rss><channel><item>", content_type="text/xml"))
    assert cli("feeds", "add", url, "--name", "world").code == 0
    assert cli("feeds", "add", broken, "--name", "broken").code == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "run"],
        env=process_env(database_url, TRACKER_CHECK_INTERVAL="1h"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not news.hits["/world/isw"]:
            time.sleep(0.1)
        time.sleep(1.0)  # let it store what it read
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "feed world: 2 new articles, 3 proposals" in err
    assert "feed broken:" in err
    assert len(cli("proposals", "--json").json()) == 3
    listed = {f["name"]: f for f in cli("feeds", "list", "--json").json()}
    assert listed["broken"]["failures"] == 1
    assert listed["world"]["last_error"] is None


def test_articles_a_stopped_worker_left_unread_are_read_later(
    engine: sa.Engine, news: NewsServer
) -> None:
    url = _serve_isw(news)
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world")
    with engine.begin() as connection:  # a worker reserved the story, then was killed
        connection.execute(
            sa.text(
                "INSERT INTO article (url, status, proposals, fetched_at) "
                "VALUES (:url, 'reading', 0, :at)"
            ),
            {"url": news.url + "/world/isw", "at": NOW - dt.timedelta(seconds=30)},
        )
    soon = _poll(engine, NOW)  # within the hold: still the other worker's
    assert (soon.articles, news.hits["/world/isw"]) == (1, 0)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE feed SET etag = NULL, next_poll_at = :at"), {"at": NOW})
    later = _poll(engine, NOW + dt.timedelta(minutes=10))
    assert (later.articles, later.proposals) == (1, 3)
    assert news.hits["/world/isw"] == 1


def test_an_article_that_cannot_be_stored_fails_alone(engine: sa.Engine, news: NewsServer) -> None:
    """A hostile page (a bidi override in its headline, a site name of 400 characters) costs
    only itself: the feed's other articles are read, and the next feed is polled."""
    odd = news.serve(
        "/world/odd",
        Page(
            article_html("Moscow \u202e plans", PARAGRAPHS, published="2024-12-24").replace(
                b"Example News", b"S" * 400
            )
        ),
    )
    url = _serve_isw(news)
    body = news.pages["/rss"][0].body.replace(
        b"<item>", f"<item><title>odd</title><link>{odd}</link></item><item>".encode(), 1
    )
    news.serve("/rss", Page(body, content_type="application/rss+xml"))
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world")
    report = _poll(engine, NOW)
    assert (report.failed, report.articles) == (0, 3)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT url, status, title, publisher FROM article"))
        by_url = {row.url: row for row in rows}
    assert by_url[odd].status == "read"
    assert "\u202e" not in by_url[odd].title
    assert len(by_url[odd].publisher) == 200
    assert all(row.status == "read" for row in by_url.values())


def test_a_feed_dated_ahead_of_the_clock_makes_no_future_forecast(
    engine: sa.Engine, news: NewsServer
) -> None:
    story = news.serve("/world/isw", Page(article_html(TITLE, PARAGRAPHS, published=None)))
    items = [(TITLE, story, "Fri, 01 Jan 2027 10:00:00 GMT")]
    url = news.serve("/rss", Page(rss(items), content_type="application/rss+xml"))
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world", auto_accept=True)
    assert _poll(engine, NOW).accepted == 3
    with engine.connect() as connection:
        made = connection.execute(sa.text("SELECT max(made_at) FROM forecast")).scalar_one()
    assert str(made) <= str(NOW)


def test_a_failure_storing_one_article_keeps_the_others(
    engine: sa.Engine, news: NewsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.errors import InvalidInput
    from tracker.news import polling
    from tracker.news.proposals import propose as real

    def refuse_the_council(session: Any, *, article: Any, **kwargs: Any) -> Any:
        found = real(session, article=article, **kwargs)  # written, then undone
        if "council" in article.url:
            raise InvalidInput("the council's page broke something")
        return found

    monkeypatch.setattr(polling, "propose", refuse_the_council)
    url = _serve_isw(news)
    feeds.add_feed(engine, url=url, now=NOW, actor=ACTOR, name="world")
    report = _poll(engine, NOW)
    assert (report.failed, report.proposals) == (0, 3)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT url, status, error FROM article")).all()
    failed = [row for row in rows if row.status == "failed"]
    assert [row.error for row in failed] == ["the council's page broke something"]
    assert len(list_proposals(engine)) == 3


def test_a_public_feed_cannot_send_us_to_a_private_address(
    engine: sa.Engine, news: NewsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed on the internet whose item links to 127.0.0.1 (or a cloud's metadata address)
    gets that article refused; a feed on a private address (these tests', an intranet's) may
    link to one."""
    from tracker.io import fetch

    real = fetch.is_private_url
    feed_url = _serve_isw(news)

    async def feed_looks_public(url: str) -> bool:
        return False if url == feed_url else await real(url)

    monkeypatch.setattr(fetch, "is_private_url", feed_looks_public)
    feeds.add_feed(engine, url=feed_url, now=NOW, actor=ACTOR, name="world")
    report = _poll(engine, NOW)
    assert (report.failed, report.proposals) == (0, 0)
    assert news.hits["/world/isw"] == 0
    with engine.connect() as connection:
        errors = connection.execute(sa.text("SELECT error FROM article")).scalars().all()
    assert all("private or local address" in error for error in errors)


def test_private_addresses_are_told_apart() -> None:
    import asyncio

    from tracker.io.fetch import is_private_url

    for url in ("http://127.0.0.1:5432/", "http://169.254.169.254/latest", "http://10.0.0.1/",
                "http://[::1]/", "http://localhost/"):  # fmt: skip
        assert asyncio.run(is_private_url(url)), url
    assert not asyncio.run(is_private_url("http://93.184.215.14/"))
