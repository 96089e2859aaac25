"""Proposals: forecasts found in an article, waiting for a person to accept or reject them.

Accepting one stores it as a question, unless an existing question says the same thing by the
same deadline (tracker.domain.matching): then the article becomes a source of that question and,
when it names a forecaster with a different probability, a new forecast on it. Each use case is
one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker import importing
from tracker.domain import matching
from tracker.domain.forecasts import ForecastInput, check_made_at, in_force
from tracker.domain.inputs import ImportedPrediction, clean_text
from tracker.domain.people import Actor
from tracker.domain.reminders import ReminderPolicy
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.io.records import prediction_from_mapping
from tracker.persistence import audit, news, paging, store
from tracker.persistence import questions as question_rows
from tracker.persistence.db import transaction
from tracker.persistence.models import Prediction
from tracker.persistence.news_models import Article, Proposal
from tracker.questions import question_close

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
AUTO_TAG = "auto"


@dataclass(frozen=True)
class Corrections:
    """What the person accepting a proposal changes in it first."""

    claim: str | None = None
    due: str | None = None  # a due phrase, read as `tracker add --due` reads it
    forecaster: str | None = None
    probability: float | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    proposal: Proposal
    prediction: Prediction | None = None  # the question stored or added to
    attached: bool = False  # added to an existing question instead of a new one
    forecast_added: bool = False
    score: float | None = None  # the match's similarity, when attached
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalView:
    """A proposal with what a person needs to decide: its article and the question it matches."""

    proposal: Proposal
    article: Article | None
    match: Prediction | None


def claim_hash(record: dict[str, Any]) -> str:
    text = f"{record.get('claim')}\x00{record.get('due_at')}\x00{record.get('forecaster')}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def propose(
    session: Session,
    *,
    article: Article,
    records: Sequence[dict[str, Any]],
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[Proposal]:
    """Store a proposal for each found forecast (as `extract --json` gives it, with tags and
    source), each matched against the stored questions. Two forecasts of one article that
    say the same are one proposal; one that could never be stored as a question (a claim too
    long, say) is left out rather than failing the whole article."""
    made: list[Proposal] = []
    seen: set[str] = set()
    for record in records:
        try:
            item = prediction_from_mapping(record, tz=tz, now=now)
        except InvalidInput:
            continue
        digest = claim_hash(record)
        if digest in seen:
            continue
        seen.add(digest)
        found = best_match(session, item)
        proposal = Proposal(
            article_id=article.id,
            claim=item.prediction.claim,
            claim_hash=digest,
            due_at=item.prediction.due.due_at,
            forecaster=item.prediction.forecaster,
            probability=item.prediction.probability,
            record=json.dumps(record, ensure_ascii=False),
            match_prediction_id=None if found is None else found.question_id,
            match_score=None if found is None else found.score,
            created_at=now,
        )
        session.add(proposal)
        made.append(proposal)
    session.flush()
    return made


def best_match(session: Session, item: ImportedPrediction) -> matching.ClaimMatch | None:
    due = item.prediction.due
    span = matching.DeadlineSpan(
        due_at=due.due_at, window_start=due.window_start, precision=due.precision.value
    )
    start, end = matching.deadline_search_range(span)
    existing = [
        matching.Existing(
            question_id=row.id,
            key=row.key,
            claim=row.claim,
            deadline=matching.DeadlineSpan(
                due_at=row.due_at, window_start=row.window_start, precision=row.precision
            ),
        )
        for row in news.questions_due_between(session, start=start, end=end)
        if row.id is not None
    ]
    return matching.best_match(item.prediction.claim, span, existing)


def list_proposals(engine: Engine, *, status: str | None = PENDING) -> list[ProposalView]:
    """The first 500 proposals, oldest first (page_proposals goes on from there)."""
    return page_proposals(engine, status=status, limit=500).items


def page_proposals(
    engine: Engine, *, status: str | None = PENDING, limit: int = 100, cursor: str | None = None
) -> paging.Page[ProposalView]:
    """A page of proposals, oldest first, after the one `cursor` names."""
    after = paging.decode_cursor(cursor, "p", (int,))[0] if cursor else 0
    with transaction(engine) as session:
        found = news.proposals(
            session, status=status, limit=paging.check_limit(limit) + 1, after=after
        )
        page = paging.page_of(found, limit, lambda p: (p.id,), "p")
        rows = page.items
        articles = news.articles_by_id(
            session, ids=[p.article_id for p in rows if p.article_id is not None]
        )
        matches = news.predictions_by_ids(
            session,
            ids=[i for p in rows for i in (p.match_prediction_id, p.prediction_id) if i],
        )
        views = [
            ProposalView(
                proposal=p,
                article=articles.get(p.article_id) if p.article_id else None,
                match=matches.get(p.prediction_id or p.match_prediction_id or 0),
            )
            for p in rows
        ]
        return paging.Page(views, page.next)


def get_proposal(engine: Engine, *, proposal_id: int) -> Proposal:
    """One proposal, decided or not; NotFound when there is none."""
    with transaction(engine) as session:
        return news.get_proposal(session, proposal_id=proposal_id)


def show_proposal(engine: Engine, *, proposal_id: int) -> ProposalView:
    """One proposal, whatever its status, with its article and the question it matches."""
    with transaction(engine) as session:
        proposal = news.get_proposal(session, proposal_id=proposal_id)
        articles = news.articles_by_id(session, ids=[proposal.article_id or 0])
        matches = news.predictions_by_ids(session, ids=[proposal.match_prediction_id or 0])
        return ProposalView(
            proposal=proposal,
            article=articles.get(proposal.article_id or 0),
            match=matches.get(proposal.match_prediction_id or 0),
        )


def accept(
    engine: Engine,
    *,
    proposal_id: int,
    actor: Actor,
    now: dt.datetime,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    corrections: Corrections = Corrections(),
    as_new: bool = False,
) -> Decision:
    """Store the proposal as a question, or add it to the question it matches (unless
    `as_new`); refused when it was already decided."""
    with transaction(engine) as session:
        proposal = _pending(session, proposal_id)
        return accept_in(
            session, proposal=proposal, actor=actor, now=now, tz=tz, policy=policy,
            corrections=corrections, as_new=as_new,
        )  # fmt: skip


def accept_in(
    session: Session,
    *,
    proposal: Proposal,
    actor: Actor,
    now: dt.datetime,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    corrections: Corrections = Corrections(),
    as_new: bool = False,
    extra_tags: Sequence[str] = (),
) -> Decision:
    """accept, in a transaction the caller owns (a feed that auto-accepts)."""
    record = _corrected(json.loads(proposal.record), corrections, extra_tags)
    item = prediction_from_mapping(record, tz=tz, now=now)
    found = None if as_new else best_match(session, item)
    same_key = store.predictions_by_key(session, keys=[item.prediction.key])
    if same_key and as_new:
        # Stored anyway as a question of its own: under a key of its own, or the import
        # below would update the question it was told not to join.
        record["key"] = _free_key(session, item.prediction.key)
        item = prediction_from_mapping(record, tz=tz, now=now)
    elif same_key and found is None:
        existing = same_key[item.prediction.key]
        assert existing.id is not None
        found = matching.ClaimMatch(question_id=existing.id, key=existing.key, score=1.0)
    if found is not None:
        decision = _attach(session, proposal, item, found, now=now)
    else:
        change = importing.Change(actor=actor, action="proposal.accept", source=None)
        importing.store_in(
            session, items=[item], now=now, policy=policy, tz=tz, change=change, audited=False
        )
        stored = store.predictions_by_key(session, keys=[item.prediction.key])
        decision = Decision(proposal=proposal, prediction=stored[item.prediction.key])
    prediction = decision.prediction
    assert prediction is not None
    _decide(proposal, ACCEPTED, actor=actor, now=now, prediction_id=prediction.id)
    audit.record(
        session, actor=actor, action="proposal.accept", now=now, prediction_id=prediction.id,
        subject=prediction.key,
        after={"proposal": proposal.id, "attached": decision.attached, "score": decision.score,
               "forecast_added": decision.forecast_added, "claim": item.prediction.claim},
    )  # fmt: skip
    return decision


def _free_key(session: Session, key: str) -> str:
    """`key-2`, `key-3`, ...: the first that no question has."""
    for number in range(2, 1000):
        candidate = f"{key[: 120 - len(str(number)) - 1]}-{number}"
        if not store.predictions_by_key(session, keys=[candidate]):
            return candidate
    raise Conflict(f"questions {key}-2 to {key}-999 exist already; give --claim to tell it apart")


def reject(
    engine: Engine, *, proposal_id: int, actor: Actor, now: dt.datetime, reason: str | None
) -> Proposal:
    why = clean_text(reason, "--reason", limit=1000)
    with transaction(engine) as session:
        proposal = _pending(session, proposal_id)
        _decide(proposal, REJECTED, actor=actor, now=now, reason=why)
        audit.record(
            session, actor=actor, action="proposal.reject", now=now, subject=str(proposal.id),
            after={"proposal": proposal.id, "claim": proposal.claim, "reason": why},
        )  # fmt: skip
        return proposal


MAX_ID = 2**31 - 1  # an id column's range on PostgreSQL


def _pending(session: Session, proposal_id: int) -> Proposal:
    if not 1 <= proposal_id <= MAX_ID:
        raise NotFound(f"no proposal {proposal_id}", listing="tracker proposals")
    proposal = news.get_proposal(session, proposal_id=proposal_id, for_update=True)
    if proposal.status != PENDING:
        when = proposal.decided_at.date().isoformat() if proposal.decided_at else "earlier"
        raise Conflict(
            f"proposal {proposal_id} was already {proposal.status} by {proposal.decided_by} "
            f"on {when}"
        )
    return proposal


def _decide(
    proposal: Proposal,
    status: str,
    *,
    actor: Actor,
    now: dt.datetime,
    prediction_id: int | None = None,
    reason: str | None = None,
) -> None:
    proposal.status = status
    proposal.decided_at = now
    proposal.decided_by = actor.name
    proposal.prediction_id = prediction_id
    proposal.reason = reason


def _corrected(
    record: dict[str, Any], corrections: Corrections, extra_tags: Sequence[str]
) -> dict[str, Any]:
    record = dict(record)
    if corrections.claim is not None:
        record["claim"] = corrections.claim
    if corrections.due is not None:
        for name in ("due_at", "window_start", "precision", "due_text"):
            record.pop(name, None)
        record["due"] = corrections.due
    if corrections.forecaster is not None:
        record["forecaster"] = corrections.forecaster
    if corrections.probability is not None:
        record["probability"] = corrections.probability
        record["basis"] = None  # a person's number, not one implied by a hedge word
    tags = [*record.get("tags", []), *corrections.tags, *extra_tags]
    record["tags"] = list(dict.fromkeys(tags))
    if corrections != Corrections():
        record.pop("key", None)  # made again from the corrected claim and deadline
    return record


def _attach(
    session: Session,
    proposal: Proposal,
    item: ImportedPrediction,
    found: matching.ClaimMatch,
    *,
    now: dt.datetime,
) -> Decision:
    """The article as one more source of the matched question and, when it names a forecaster
    whose forecast in force there differs, a new forecast made when the article came out."""
    prediction = store.get_prediction(session, ref=str(found.question_id), for_update=True)
    assert prediction.id is not None
    data = item.prediction
    notes: list[str] = []
    if data.source is not None and not data.source.is_empty():
        source = store.upsert_source(session, source=data.source)
        assert source.id is not None
        question_rows.cite_source(session, prediction_id=prediction.id, source_id=source.id)
    added = False
    if data.forecaster is not None and data.probability is not None:
        added = _add_forecast(session, prediction, item, now=now, notes=notes)
    return Decision(
        proposal=proposal, prediction=prediction, attached=True, forecast_added=added,
        score=found.score, notes=notes,
    )  # fmt: skip


def _add_forecast(
    session: Session,
    prediction: Prediction,
    item: ImportedPrediction,
    *,
    now: dt.datetime,
    notes: list[str],
) -> bool:
    data = item.prediction
    assert prediction.id is not None
    assert data.forecaster is not None
    assert data.probability is not None
    parts = question_rows.load_parts(session, chunks=[[prediction.id]], with_versions=False)
    held = in_force(parts.forecasts.get(prediction.id, []))
    current = held.get(data.forecaster)
    if current is not None and current.probability == data.probability:
        notes.append(f"{data.forecaster}'s forecast there is already {data.probability:.0%}")
        return False
    published = data.source.published_at if data.source is not None else None
    made = min(published or now, now)
    resolution = store.current_resolution(session, prediction_id=prediction.id)
    try:
        made = check_made_at(made, close=question_close(prediction, resolution), now=now)
    except InvalidInput:
        notes.append("the question had closed when the article came out: no forecast added")
        return False
    forecast = ForecastInput(
        forecaster=data.forecaster, probability=data.probability, made_at=made,
        quote=data.quote, source=data.source, basis=data.basis,
    )  # fmt: skip
    question_rows.add_forecast(
        session, prediction=prediction, forecast=forecast, made_at=made, now=now
    )
    return True
