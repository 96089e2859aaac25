"""Queries for evidence: the questions an article may settle (tracker.news.evidence owns the
transactions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from tracker.enums import PredictionStatus
from tracker.errors import NotFound
from tracker.persistence.models import Forecast, Prediction
from tracker.persistence.news_models import EvidenceRow


def unresolved_questions(session: Session, *, limit: int = 100_000) -> list[Prediction]:
    """Open questions, overdue ones included, oldest first: the ones news can settle."""
    return list(
        session.exec(
            select(Prediction)
            .where(col(Prediction.status) == PredictionStatus.OPEN.value)
            .order_by(col(Prediction.id))
            .limit(limit)
        ).all()
    )


def first_forecasts(session: Session) -> dict[int, dt.datetime]:
    """When each open question was first forecast: a question imported today may have been
    asked long before, and its window opens then."""
    query = (
        select(Forecast.prediction_id, func.min(Forecast.made_at))
        .join(Prediction, col(Prediction.id) == col(Forecast.prediction_id))
        .where(col(Prediction.status) == PredictionStatus.OPEN.value)
        .group_by(col(Forecast.prediction_id))
    )
    return {question_id: _utc(made_at) for question_id, made_at in session.exec(query).all()}


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def evidence_page(
    session: Session, *, status: str | None, prediction_id: int | None, limit: int, after: int
) -> list[EvidenceRow]:
    """Evidence oldest first after id `after`, of one status and one question when given."""
    query = select(EvidenceRow).where(col(EvidenceRow.id) > after)
    if status is not None:
        query = query.where(col(EvidenceRow.status) == status)
    if prediction_id is not None:
        query = query.where(col(EvidenceRow.prediction_id) == prediction_id)
    return list(session.exec(query.order_by(col(EvidenceRow.id)).limit(limit)).all())


def get_evidence(session: Session, *, evidence_id: int) -> EvidenceRow:
    found = session.exec(
        select(EvidenceRow).where(col(EvidenceRow.id) == evidence_id).with_for_update()
    ).first()
    if found is None:
        raise NotFound(f"no evidence {evidence_id}", listing="tracker evidence")
    return found


def pending_for_questions(session: Session, *, ids: Sequence[int]) -> list[EvidenceRow]:
    """Evidence waiting for a person on these questions, best first (the page shows it)."""
    if not ids:
        return []
    query = (
        select(EvidenceRow)
        .where(col(EvidenceRow.prediction_id).in_(ids), col(EvidenceRow.status) == "pending")
        .order_by(col(EvidenceRow.score).desc(), col(EvidenceRow.id))
    )
    return list(session.exec(query).all())


def known_pairs(session: Session, *, article_id: int) -> set[int]:
    """The questions an article already gave evidence for (a second scan adds nothing)."""
    query = select(EvidenceRow.prediction_id).where(col(EvidenceRow.article_id) == article_id)
    return set(session.exec(query).all())


def evidence_to_announce(session: Session, *, limit: int) -> list[EvidenceRow]:
    """Pending evidence not announced yet, oldest first, locked until the pass commits (a
    second worker skips it). Evidence a feed resolved by itself is not pending: never announced
    as waiting, and its resolution has its own event."""
    return list(
        session.exec(
            select(EvidenceRow)
            .where(col(EvidenceRow.status) == "pending", col(EvidenceRow.announced_at).is_(None))
            .order_by(col(EvidenceRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


def next_evidence_announcement_at(session: Session) -> dt.datetime | None:
    oldest: dt.datetime | None = session.exec(
        select(func.min(EvidenceRow.created_at)).where(
            col(EvidenceRow.status) == "pending", col(EvidenceRow.announced_at).is_(None)
        )
    ).one()
    return oldest


def open_questions_stamp(session: Session) -> tuple[object, ...]:
    """What changes when the open questions or their first forecasts do: a question added,
    edited, resolved or reopened, a forecast made. An index of their words built for one stamp
    serves every article until it changes."""
    open_rows = session.exec(
        select(func.count(), func.max(Prediction.id), func.max(Prediction.updated_at)).where(
            col(Prediction.status) == PredictionStatus.OPEN.value
        )
    ).one()
    forecasts = session.exec(select(func.max(Forecast.id))).one()
    return (*open_rows, forecasts)
