"""One poll of the feeds that are due: fetch them at once (a conditional GET each), read the
new items' pages at once, and turn each article into proposals.

The steps alternate between the network and the database so that no transaction is open while
a fetch waits: claim the due feeds; fetch them; record the unchanged and failed ones and reserve
the new articles' URLs (so no worker reads an article twice); fetch those pages; then, a
transaction per feed, store each article, its proposals (or, for a feed that auto-accepts, its
questions) and the feed's state. A feed that fails is retried later, each failure in a row
doubling the wait up to a day; nothing a feed sends stops the poll of the others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import Settings
from tracker.domain.people import Actor
from tracker.enums import AuditVia
from tracker.errors import FetchFailed, TrackerError
from tracker.io import fetch as fetching
from tracker.io.feeds import FeedItem, ParsedFeed, parse_feed
from tracker.io.webpage import article_from_html
from tracker.news.articles import (
    ArticleText,
    article_row,
    candidate_records,
    find_forecasts,
    set_article,
)
from tracker.news.evidence import record_feed_evidence
from tracker.news.proposals import AUTO_TAG, accept_in, propose
from tracker.persistence import news
from tracker.persistence.db import transaction
from tracker.persistence.news_models import Feed

log = logging.getLogger("tracker.feeds")

MAX_BACKOFF = dt.timedelta(days=1)
MIN_ITEM_WORDS = 40  # a feed item's own text stands in for a page that cannot be read


@dataclass
class PollReport:
    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    articles: int = 0
    proposals: int = 0
    accepted: int = 0
    # One (log level, line) per feed that brought news or failed.
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def did_something(self) -> bool:
        return bool(self.failed or self.articles)

    def summary(self) -> str:
        return (
            f"polled {self.feeds} feeds ({self.not_modified} unchanged, {self.failed} failed); "
            f"read {self.articles} articles; {self.proposals} proposals, "
            f"{self.accepted} auto-accepted"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "feeds": self.feeds,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "articles": self.articles,
            "proposals": self.proposals,
            "auto_accepted": self.accepted,
        }


@dataclass
class _Polled:
    """One feed through the poll: what its fetch gave, then its new items and their pages."""

    feed: Feed
    fetched: fetching.Fetched | None = None
    error: TrackerError | None = None
    parsed: ParsedFeed | None = None
    new_items: list[FeedItem] = field(default_factory=list)
    pages: dict[str, fetching.Fetched | TrackerError] = field(default_factory=dict)


@dataclass
class FeedPoller:
    engine: Engine
    settings: Settings

    @property
    def limits(self) -> fetching.FetchLimits:
        return fetching.FetchLimits(
            timeout=self.settings.fetch_timeout, max_bytes=self.settings.fetch_max_bytes
        )

    @property
    def hold(self) -> dt.timedelta:
        """How long a poll may hold a feed, and the articles it reserved, before another worker
        takes them over: the feed's fetch, its pages' fetches and time to spare."""
        return dt.timedelta(seconds=self.settings.fetch_timeout * 4 + 60)

    def poll(self, now: dt.datetime, *, names: Sequence[str] | None = None) -> PollReport:
        """Poll the feeds due at `now` (or those named, due or not)."""
        with transaction(self.engine) as session:
            feeds = news.claim_feeds(session, now=now, hold=self.hold, names=names)
        report = PollReport(feeds=len(feeds))
        if not feeds:
            return report
        polled = [_Polled(feed=feed) for feed in feeds]
        asyncio.run(self._fetch_feeds(polled))
        self._sort_out(polled, now=now, report=report)
        asyncio.run(self._fetch_pages(polled))
        for one in polled:
            if one.parsed is not None and one.error is None:
                self._store(one, now=now, report=report)
        for level, line in report.lines:
            log.log(level, "%s", line)
        return report

    def next_poll_at(self) -> dt.datetime | None:
        with transaction(self.engine) as session:
            return news.next_poll_at(session)

    async def _fetch_feeds(self, polled: list[_Polled]) -> None:
        async with fetching.new_client(
            self.limits, concurrency=self.settings.feed_concurrency
        ) as client:
            gate = asyncio.Semaphore(self.settings.feed_concurrency)

            async def one(item: _Polled) -> None:
                async with gate:
                    try:
                        item.fetched = await fetching.fetch(
                            client, item.feed.url, limits=self.limits,
                            etag=item.feed.etag, last_modified=item.feed.last_modified,
                        )  # fmt: skip
                    except TrackerError as exc:
                        item.error = exc

            await asyncio.gather(*(one(item) for item in polled))

    async def _fetch_pages(self, polled: list[_Polled]) -> None:
        links = [(one, item.link) for one in polled for item in one.new_items if item.link]
        if not links:
            return
        async with fetching.new_client(
            self.limits, concurrency=self.settings.feed_concurrency
        ) as client:
            gate = asyncio.Semaphore(self.settings.feed_concurrency)

            # A feed on the open internet may not send us to a private address (its author
            # is not ours to trust); a feed on one, an intranet's, may.
            owners = {id(owner): owner for owner, _url in links}
            local = {key: await fetching.is_private_url(o.feed.url) for key, o in owners.items()}

            async def one(owner: _Polled, url: str) -> None:
                async with gate:
                    try:
                        owner.pages[url] = await fetching.fetch(
                            client, url, limits=self.limits, public_only=not local[id(owner)]
                        )
                    except TrackerError as exc:
                        owner.pages[url] = exc

            await asyncio.gather(*(one(owner, url) for owner, url in links))

    def _sort_out(self, polled: list[_Polled], *, now: dt.datetime, report: PollReport) -> None:
        """Parse the changed feeds (before any transaction: a long feed takes seconds), then
        in one transaction record the unchanged and failed ones and reserve the new items'
        URLs."""
        for one in polled:
            fetched = one.fetched
            if one.error is None and fetched is not None and not fetched.not_modified:
                try:
                    one.parsed = parse_feed(
                        fetched.body, url=one.feed.url, max_items=self.settings.feed_max_items
                    )
                except TrackerError as exc:
                    one.error = exc
        with transaction(self.engine) as session:
            for one in polled:
                feed = session.get(Feed, one.feed.id)
                if feed is None:  # removed while it was being fetched
                    one.parsed = None
                    continue
                one.feed = feed
                if one.error is not None:
                    _failed(feed, one.error, now=now, report=report)
                elif one.fetched is not None and one.fetched.not_modified:
                    _succeeded(feed, "not modified", now=now)
                    report.not_modified += 1
                elif one.parsed is not None:
                    one.new_items = _reserve(session, feed, one.parsed, now=now, hold=self.hold)

    def _store(self, one: _Polled, *, now: dt.datetime, report: PollReport) -> None:
        """The feed's new articles, their proposals and its state, in one transaction. An
        article that cannot be stored is recorded as failed, with why, and the others go on."""
        feed_id, parsed, fetched = one.feed.id, one.parsed, one.fetched
        assert parsed is not None
        assert fetched is not None
        made, accepted = 0, 0
        try:
            with transaction(self.engine) as session:
                feed = session.get(Feed, feed_id)
                if feed is None:
                    return
                for item in one.new_items:
                    n, a = self._read_one(session, feed, item, one.pages, now=now)
                    made, accepted = made + n, accepted + a
                feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
                if parsed.title and not feed.title:
                    feed.title = parsed.title[:500]
                result = _result_line(parsed, len(one.new_items), made, accepted)
                _succeeded(feed, result, now=now)
                name = feed.name
        except TrackerError as exc:  # the database failed: its articles are taken over later
            with transaction(self.engine) as session:
                again = session.get(Feed, feed_id)
                if again is not None:
                    _failed(again, exc, now=now, report=report)
            return
        report.articles += len(one.new_items)
        report.proposals += made
        report.accepted += accepted
        report.lines.append((logging.INFO, f"feed {name}: {result}"))

    def _read_one(
        self,
        session: Session,
        feed: Feed,
        item: FeedItem,
        pages: dict[str, fetching.Fetched | TrackerError],
        *,
        now: dt.datetime,
    ) -> tuple[int, int]:
        """_read_item in a savepoint: what it could not store is undone, and the article is
        recorded as failed instead."""
        try:
            with session.begin_nested():
                return self._read_item(session, feed, item, pages, now=now)
        except TrackerError as exc:
            why = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            set_article(session, _item_url(feed, item), status="failed", error=why)
            return 0, 0

    def _read_item(
        self,
        session: Session,
        feed: Feed,
        item: FeedItem,
        pages: dict[str, fetching.Fetched | TrackerError],
        *,
        now: dt.datetime,
    ) -> tuple[int, int]:
        """One new item: its article read, its forecasts proposed (or accepted); (proposed,
        accepted)."""
        url = _item_url(feed, item)
        article, problem = _article_text(item, pages.get(item.link or ""))
        if article is None:
            set_article(session, url, status="failed", error=problem[:300] if problem else None)
            return 0, 0
        tz = self.settings.tz
        today = now.astimezone(tz).date()
        published = article.published or (
            item.published.astimezone(tz).date() if item.published else today
        )
        published = min(published, today)  # a date ahead of the clock is a feed's mistake
        candidates = find_forecasts(
            article, published=published, tz=tz, forecaster=feed.forecaster_default
        )
        source = ArticleText(
            text="", url=article.url or item.link, title=article.title or item.title,
            author=article.author, publisher=article.publisher or feed.title, published=published,
        ).source()  # fmt: skip
        records = candidate_records(candidates, source=source, tags=json.loads(feed.tags))
        row = set_article(
            session, url, status="read", title=source.get("title"), author=source.get("author"),
            publisher=source.get("publisher"),
            published_at=dt.datetime.combine(published, dt.time(), dt.UTC),
        )  # fmt: skip
        proposals = propose(session, article=row, records=records, tz=tz, now=now)
        row.proposals = len(proposals)
        session.flush()
        record_feed_evidence(
            session, feed, article=row, text=article.text, published=published, now=now
        )
        accepted = 0
        if feed.auto_accept:
            actor = Actor(name=f"feed:{feed.name}", via=AuditVia.FEED)
            for proposal in proposals:
                accept_in(
                    session, proposal=proposal, actor=actor, now=now, tz=tz,
                    policy=self.settings.reminder_policy, extra_tags=(AUTO_TAG,),
                )  # fmt: skip
                accepted += 1
        return len(proposals), accepted


def _item_url(feed: Feed, item: FeedItem) -> str:
    return (item.link or f"feed-item:{feed.id}:{item.key}")[:2000]


def _reserve(
    session: Session, feed: Feed, parsed: ParsedFeed, *, now: dt.datetime, hold: dt.timedelta
) -> list[FeedItem]:
    """The items not read before, their URLs now reserved for this worker; with them, those a
    worker reserved longer than `hold` ago and never finished (it stopped mid-poll)."""
    by_url: dict[str, FeedItem] = {}
    for item in parsed.items:
        by_url.setdefault(_item_url(feed, item), item)
    known = news.known_urls(session, urls=list(by_url))
    fresh = [url for url in by_url if url not in known]
    stale = news.take_over_unfinished(
        session, urls=[url for url in by_url if url in known], before=now - hold, now=now
    )
    rows = [
        article_row(
            ArticleText(text="", url=url, title=by_url[url].title),
            feed_id=feed.id,
            now=now,
            status="reading",
        )
        for url in fresh
    ]
    mine = news.reserve_articles(session, rows=rows) | stale
    return [item for url, item in by_url.items() if url in mine]


def _article_text(
    item: FeedItem, page: fetching.Fetched | TrackerError | None
) -> tuple[ArticleText | None, str | None]:
    """The item's article from its page, else from the feed's own text of it when that is long
    enough to hold a forecast; else None and why."""
    problem = "the item has no link"
    if isinstance(page, fetching.Fetched):
        try:
            found = article_from_html(page.body, url=page.url, content_type=page.content_type)
            return ArticleText(
                text=found.text, url=found.url or page.url, title=found.title,
                author=found.author, publisher=found.publisher, published=found.published,
            ), None  # fmt: skip
        except TrackerError as exc:
            problem = str(exc)
    elif isinstance(page, TrackerError):
        problem = str(page)
    if item.text and len(item.text.split()) >= MIN_ITEM_WORDS:
        return ArticleText(text=item.text, url=item.link, title=item.title), None
    return None, problem


def _result_line(parsed: ParsedFeed, new: int, made: int, accepted: int) -> str:
    capped = (
        f" (the newest {len(parsed.items)} of {parsed.total} items read)"
        if parsed.total > len(parsed.items)
        else ""
    )
    done = f", {accepted} auto-accepted" if accepted else ""
    return f"{new} new articles, {made} proposals{done}{capped}"


def _succeeded(feed: Feed, result: str, *, now: dt.datetime) -> None:
    feed.last_polled_at = feed.last_success_at = now
    feed.last_result = result[:300]
    feed.last_error = None
    feed.failures = 0
    feed.next_poll_at = now + dt.timedelta(seconds=feed.every_seconds)


def _failed(feed: Feed, error: TrackerError, *, now: dt.datetime, report: PollReport) -> None:
    """A failure in a row doubles the wait before the next poll, up to a day (or the feed's
    own interval, if longer); a Retry-After the server sent is honoured."""
    feed.failures += 1
    feed.last_polled_at = now
    feed.last_error = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
    every = dt.timedelta(seconds=feed.every_seconds)
    wait = min(every * 2 ** min(feed.failures, 20), max(MAX_BACKOFF, every))
    retry_after = getattr(error, "retry_after", None) if isinstance(error, FetchFailed) else None
    if retry_after:
        wait = max(wait, dt.timedelta(seconds=min(retry_after, 7 * 86400)))
    feed.next_poll_at = now + wait
    report.failed += 1
    line = (
        f"feed {feed.name}: {feed.last_error} (failure {feed.failures} in a row; next poll "
        f"at {feed.next_poll_at:%Y-%m-%d %H:%M} UTC)"
    )
    report.lines.append((logging.WARNING, line))
