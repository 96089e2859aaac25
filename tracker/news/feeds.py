"""Use cases for the feeds watched: add, list, remove. Each is one transaction and one audit
entry; polling them is tracker.news.polling."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from tracker.domain.inputs import clean_text, normalize_tags, parse_url
from tracker.domain.people import Actor
from tracker.errors import Conflict, InvalidInput
from tracker.io.fetch import public_url
from tracker.persistence import audit, news
from tracker.persistence.db import transaction
from tracker.persistence.news_models import Feed

DEFAULT_EVERY = dt.timedelta(minutes=30)
MIN_EVERY = dt.timedelta(minutes=1)
MAX_EVERY = dt.timedelta(days=7)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def add_feed(
    engine: Engine,
    *,
    url: str,
    now: dt.datetime,
    actor: Actor,
    name: str | None = None,
    tags: Sequence[str] = (),
    forecaster_default: str | None = None,
    every: dt.timedelta = DEFAULT_EVERY,
    auto_accept: bool = False,
    auto_resolve: bool = False,
) -> Feed:
    """Watch a feed from now on; its first poll is due at once."""
    address = parse_url(url, "URL")
    assert address is not None
    if not MIN_EVERY <= every <= MAX_EVERY:
        raise InvalidInput("--every must be between 1 minute and 7 days")
    given = clean_text(name, "--name", limit=100)
    if given is not None and not NAME_PATTERN.match(given):
        raise InvalidInput(
            f"--name {given!r} must be letters, digits, '.', '_' or '-', starting with a letter "
            "or digit"
        )
    with transaction(engine) as session:
        if any(feed.url == address for feed in news.all_feeds(session)):
            raise Conflict(f"{public_url(address)} is already watched (tracker feeds list)")
        taken = news.feed_names(session)
        if given is not None and given in taken:
            raise Conflict(f"a feed is already named {given!r}; give --name another")
        feed = Feed(
            name=given or _free_name(address, taken),
            url=address,
            tags=json.dumps(list(normalize_tags(list(tags)))),
            forecaster_default=clean_text(forecaster_default, "--forecaster-default"),
            every_seconds=int(every.total_seconds()),
            auto_accept=auto_accept,
            auto_resolve=auto_resolve,
            next_poll_at=now,
            created_at=now,
        )
        session.add(feed)
        session.flush()
        audit.record(
            session, actor=actor, action="feed.add", now=now, subject=feed.name,
            after=feed_fields(feed),
        )  # fmt: skip
        return feed


def list_feeds(engine: Engine) -> list[Feed]:
    with transaction(engine) as session:
        return news.all_feeds(session)


def remove_feed(engine: Engine, *, ref: str, now: dt.datetime, actor: Actor) -> Feed:
    """Stop watching a feed; the articles it brought and their proposals stay."""
    with transaction(engine) as session:
        feed = news.get_feed(session, ref=ref, for_update=True)
        fields = feed_fields(feed)
        session.delete(feed)
        audit.record(
            session, actor=actor, action="feed.remove", now=now, subject=feed.name, before=fields
        )
        return feed


def feed_fields(feed: Feed) -> dict[str, object]:
    return {
        "name": feed.name,
        "url": public_url(feed.url),
        "tags": json.loads(feed.tags),
        "forecaster_default": feed.forecaster_default,
        "every_seconds": feed.every_seconds,
        "auto_accept": feed.auto_accept,
        "auto_resolve": feed.auto_resolve,
    }


def _free_name(url: str, taken: set[str]) -> str:
    """The feed's host without "www.", numbered when another feed has it."""
    host = (urlsplit(url).hostname or "feed").removeprefix("www.")
    base = re.sub(r"[^A-Za-z0-9._-]", "-", host)[:90] or "feed"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name
