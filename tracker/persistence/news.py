"""Queries for feeds, articles and proposals (tracker.news owns the transactions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.errors import NotFound
from tracker.persistence.models import Prediction
from tracker.persistence.news_models import Article, Feed, Proposal
from tracker.persistence.state import dialect_insert


def all_feeds(session: Session) -> list[Feed]:
    return list(session.exec(select(Feed).order_by(col(Feed.name))).all())


def get_feed(session: Session, *, ref: str, for_update: bool = False) -> Feed:
    """A feed by its name or URL."""
    query = select(Feed).where((col(Feed.name) == ref) | (col(Feed.url) == ref))
    if for_update:
        query = query.with_for_update()
    feed = session.exec(query).first()
    if feed is None:
        raise NotFound(f"no feed named {ref!r}", listing="tracker feeds list")
    return feed


def feed_names(session: Session) -> set[str]:
    return set(session.exec(select(Feed.name)).all())


def claim_feeds(
    session: Session,
    *,
    now: dt.datetime,
    hold: dt.timedelta,
    names: Sequence[str] | None = None,
) -> list[Feed]:
    """The feeds due now (or those named, due or not), each moved `hold` ahead so that no other
    worker polls it meanwhile; rows another worker holds are skipped (PostgreSQL)."""
    query = select(Feed).order_by(col(Feed.next_poll_at), col(Feed.id))
    if names is None:
        query = query.where(col(Feed.next_poll_at) <= now)
    else:
        query = query.where(col(Feed.name).in_(names))
    feeds = list(session.exec(query.with_for_update(skip_locked=True)).all())
    for feed in feeds:
        feed.next_poll_at = now + hold
        session.add(feed)
    session.flush()
    return feeds


def next_poll_at(session: Session) -> dt.datetime | None:
    earliest: dt.datetime | None = session.exec(select(func.min(Feed.next_poll_at))).one()
    return earliest


def reserve_articles(session: Session, *, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert an article row for each URL not stored yet; the URLs this call inserted (and so
    may fetch). A URL another worker reserved first is left to it."""
    if not rows:
        return set()
    table: Any = Article.__table__  # type: ignore[attr-defined]
    statement = (
        dialect_insert(session, table)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(table.c.url)
    )
    return set(session.execute(statement).scalars().all())


def take_over_unfinished(
    session: Session, *, urls: Sequence[str], before: dt.datetime, now: dt.datetime
) -> set[str]:
    """Of these URLs, those reserved before `before` and still being read (the worker that
    reserved them stopped): reserved again, now, for this worker."""
    if not urls:
        return set()
    table: Any = Article.__table__  # type: ignore[attr-defined]
    statement = (
        sa.update(table)
        .where(
            table.c.url.in_(list(urls)),
            table.c.status == "reading",
            table.c.fetched_at < before,
        )
        .values(fetched_at=now)
        .returning(table.c.url)
    )
    return set(session.execute(statement).scalars().all())


def known_urls(session: Session, *, urls: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(urls), 500):  # bound the IN list
        chunk = list(urls[start : start + 500])
        found.update(session.exec(select(Article.url).where(col(Article.url).in_(chunk))).all())
    return found


def articles_by_url(session: Session, *, urls: Sequence[str]) -> dict[str, Article]:
    rows = session.exec(select(Article).where(col(Article.url).in_(list(urls)))).all()
    return {row.url: row for row in rows}


def proposals(
    session: Session, *, status: str | None = "pending", limit: int = 500, after: int = 0
) -> list[Proposal]:
    """Proposals oldest first (by id), those after the id `after`."""
    query = select(Proposal).where(col(Proposal.id) > after).order_by(col(Proposal.id))
    query = query.limit(limit)
    if status is not None:
        query = query.where(col(Proposal.status) == status)
    return list(session.exec(query).all())


def get_proposal(session: Session, *, proposal_id: int, for_update: bool = False) -> Proposal:
    query = select(Proposal).where(col(Proposal.id) == proposal_id)
    if for_update:
        query = query.with_for_update()
    proposal = session.exec(query).first()
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}", listing="tracker proposals")
    return proposal


_Row = TypeVar("_Row", Article, Feed, Prediction)


def by_id(session: Session, model: type[_Row], *, ids: Sequence[int]) -> dict[int, _Row]:
    """The rows of `model` with these ids (an id not there is left out)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.exec(select(model).where(col(model.id).in_(wanted))).all()
    return {row.id: row for row in rows if row.id is not None}


def articles_by_id(session: Session, *, ids: Sequence[int]) -> dict[int, Article]:
    return by_id(session, Article, ids=ids)


def predictions_by_ids(session: Session, *, ids: Sequence[int]) -> dict[int, Prediction]:
    return by_id(session, Prediction, ids=ids)


def feeds_by_id(session: Session, *, ids: Sequence[int]) -> dict[int, Feed]:
    return by_id(session, Feed, ids=ids)


def questions_due_between(
    session: Session, *, start: dt.datetime, end: dt.datetime, limit: int = 2000
) -> list[Prediction]:
    """Questions whose deadline falls in [start, end]: those a proposal may be the same as."""
    return list(
        session.exec(
            select(Prediction)
            .where(col(Prediction.due_at) >= start, col(Prediction.due_at) <= end)
            .order_by(col(Prediction.id))
            .limit(limit)
        ).all()
    )


def proposals_to_announce(session: Session, *, limit: int) -> list[Proposal]:
    """Pending proposals not announced yet, oldest first, locked until the pass commits: a
    second worker (PostgreSQL) skips them rather than announcing them again. A proposal
    decided before any pass saw it (accepted by a feed that auto-accepts, or rejected at
    once) is not pending, so it is never announced."""
    return list(
        session.exec(
            select(Proposal)
            .where(col(Proposal.status) == "pending", col(Proposal.announced_at).is_(None))
            .order_by(col(Proposal.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


def next_announcement_at(session: Session) -> dt.datetime | None:
    """When the oldest proposal still to announce was made: a pass is due for it now."""
    oldest: dt.datetime | None = session.exec(
        select(func.min(Proposal.created_at)).where(
            col(Proposal.status) == "pending", col(Proposal.announced_at).is_(None)
        )
    ).one()
    return oldest
