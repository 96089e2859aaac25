"""Evidence from the news: scan articles against the open questions (tracker.evidence does the
reading), keep what is found for a person to accept or reject, and resolve on acceptance.

Accepting resolves the question through the resolve service, in the same transaction: the
outcome and occurred_on the sentence gives, the article as evidence URL, the quote as note,
resolved by the person who accepted it, via "news". A feed with auto_resolve accepts by itself
evidence scored above AUTO_RESOLVE_THRESHOLD (as "feed:<name>").
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker import service
from tracker.domain.inputs import clean_text
from tracker.domain.people import Actor
from tracker.enums import AuditVia, Outcome, ResolvedVia
from tracker.errors import AlreadyResolved, Conflict, NotFound
from tracker.evidence import AUTO_RESOLVE_THRESHOLD, Evidence, OpenQuestion, QuestionIndex, scan
from tracker.persistence import audit, paging
from tracker.persistence import evidence as rows
from tracker.persistence.db import transaction
from tracker.persistence.models import Prediction
from tracker.persistence.news_models import Article, EvidenceRow, Feed

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUSES = (PENDING, ACCEPTED, REJECTED, "all")
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class EvidenceView:
    row: EvidenceRow
    question: Prediction | None


def question_index(engine: Engine) -> QuestionIndex:
    """Every open and overdue question, indexed by the words of its claim."""
    with transaction(engine, commit=False) as session:
        return index_in(session)


# The index last built, per database, with the stamp it was built for: a feed poll scans many
# articles against the same questions, and reading 10,000 claims costs about a second.
_indexes: weakref.WeakKeyDictionary[Engine, tuple[tuple[object, ...], QuestionIndex]] = (
    weakref.WeakKeyDictionary()
)


def index_in(session: Session) -> QuestionIndex:
    """The open questions' index, built again only when they changed since the last one."""
    where = session.get_bind().engine
    stamp = rows.open_questions_stamp(session)
    cached = _indexes.get(where)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    first = rows.first_forecasts(session)
    index = QuestionIndex(
        open_question(row, first.get(row.id or 0)) for row in rows.unresolved_questions(session)
    )
    _indexes[where] = (stamp, index)
    return index


def open_question(row: Prediction, first_forecast: dt.datetime | None) -> OpenQuestion:
    """A stored question as the scan reads it: its window runs from its start (or, without
    one, the day it was first forecast or stored) to its deadline, as days in its own zone."""
    assert row.id is not None
    tz = zone(row.timezone)
    start = row.window_start or min(filter(None, (first_forecast, row.created_at)))
    return OpenQuestion(
        key=row.key,
        claim=row.claim,
        opened=min(start, row.due_at).astimezone(tz).date(),
        due=row.due_at.astimezone(tz).date(),
        question_id=row.id,
    )


def scan_text(engine: Engine, *, text: str, published: dt.date) -> list[Evidence]:
    return scan(text, published, question_index(engine))


def record_evidence(
    session: Session,
    *,
    article: Article,
    text: str,
    published: dt.date,
    now: dt.datetime,
    auto_resolve_as: Actor | None = None,
) -> tuple[int, int]:
    """Scan a stored article and keep what it says about open questions, once per question;
    with `auto_resolve_as`, resolve on evidence above AUTO_RESOLVE_THRESHOLD. (found, resolved)"""
    assert article.id is not None
    known = rows.known_pairs(session, article_id=article.id)
    found = resolved = 0
    for item in scan(text, published, index_in(session)):
        question_id = item.question.question_id
        if question_id is None or question_id in known:
            continue
        row = EvidenceRow(
            article_id=article.id, prediction_id=question_id, outcome=item.outcome,
            occurred_on=item.occurred_on, quote=item.quote[:4000], score=item.score,
            url=None if article.url.startswith("feed-item:") else article.url,
            title=article.title, published_on=published, created_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        found += 1
        if auto_resolve_as is not None and item.score > AUTO_RESOLVE_THRESHOLD:
            try:
                with session.begin_nested():
                    _accept_in(session, row, actor=auto_resolve_as, now=now)
                resolved += 1
            except AlreadyResolved:  # resolved meanwhile: the evidence waits for a person
                row.status = PENDING
    return found, resolved


def record_feed_evidence(
    session: Session,
    feed: Feed,
    *,
    article: Article,
    text: str,
    published: dt.date,
    now: dt.datetime,
) -> tuple[int, int]:
    """record_evidence for an article a feed poll stored; a feed with auto_resolve resolves on
    strong evidence as "feed:<name>"."""
    actor = Actor(name=f"feed:{feed.name}", via=AuditVia.FEED) if feed.auto_resolve else None
    return record_evidence(
        session, article=article, text=text, published=published, now=now, auto_resolve_as=actor
    )


def page_evidence(
    engine: Engine,
    *,
    status: str | None = PENDING,
    question: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> paging.Page[EvidenceView]:
    """A page of evidence, oldest first, after the one `cursor` names."""
    from tracker.persistence import store

    after = paging.decode_cursor(cursor, "e", (int,))[0] if cursor else 0
    with transaction(engine, commit=False) as session:
        question_id = None
        if question is not None:
            question_id = store.get_prediction(session, ref=question).id
        found = rows.evidence_page(
            session, status=status, prediction_id=question_id,
            limit=paging.check_limit(limit) + 1, after=after,
        )  # fmt: skip
        page = paging.page_of(found, limit, lambda e: (e.id,), "e")
        questions = {
            row.prediction_id: session.get(Prediction, row.prediction_id) for row in page.items
        }
        views = [EvidenceView(row, questions.get(row.prediction_id)) for row in page.items]
        return paging.Page(views, page.next)


def accept(engine: Engine, *, evidence_id: int, actor: Actor, now: dt.datetime) -> EvidenceView:
    """Resolve the question as the evidence says, once: a second accept is a Conflict."""
    with transaction(engine) as session:
        row = _pending(session, evidence_id)
        _accept_in(session, row, actor=actor, now=now)
        return EvidenceView(row, session.get(Prediction, row.prediction_id))


def reject(
    engine: Engine, *, evidence_id: int, actor: Actor, now: dt.datetime, reason: str | None
) -> EvidenceView:
    why = clean_text(reason, "--reason", limit=1000)
    with transaction(engine) as session:
        row = _pending(session, evidence_id)
        _decide(row, REJECTED, actor=actor, now=now, reason=why)
        audit.record(
            session, actor=actor, action="evidence.reject", now=now, subject=str(row.id),
            after={"evidence": row.id, "question": row.prediction_id, "reason": why},
        )  # fmt: skip
        return EvidenceView(row, session.get(Prediction, row.prediction_id))


def _accept_in(session: Session, row: EvidenceRow, *, actor: Actor, now: dt.datetime) -> None:
    question = session.get(Prediction, row.prediction_id)
    if question is None:
        raise NotFound(f"evidence {row.id}: its question is gone", listing="tracker evidence")
    tz = zone(question.timezone)
    occurred_on = row.occurred_on if row.occurred_on and row.occurred_on <= now.date() else None
    resolution = service.new_resolution(
        Outcome(row.outcome), now=now, tz=tz, occurred_on=occurred_on, note=row.quote[:2000],
        evidence_url=row.url, resolved_by=actor.name, via=ResolvedVia.NEWS,
    )  # fmt: skip
    service.resolve_in(
        session, ref=question.key, resolution=resolution, tz=tz, force=False, actor=actor
    )
    _decide(row, ACCEPTED, actor=actor, now=now, reason=None)


def _pending(session: Session, evidence_id: int) -> EvidenceRow:
    if not 1 <= evidence_id <= MAX_ID:
        raise NotFound(f"no evidence {evidence_id}", listing="tracker evidence")
    row = rows.get_evidence(session, evidence_id=evidence_id)
    if row.status != PENDING:
        when = row.decided_at.date().isoformat() if row.decided_at else "earlier"
        raise Conflict(
            f"evidence {evidence_id} was already {row.status} by {row.decided_by} on {when}"
        )
    return row


def _decide(
    row: EvidenceRow, status: str, *, actor: Actor, now: dt.datetime, reason: str | None
) -> None:
    row.status, row.decided_at, row.decided_by, row.reason = status, now, actor.name, reason


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")
