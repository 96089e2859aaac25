"""Queries for evidence: the questions an article may settle (tracker.news.evidence owns the
transactions)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, func, select

from tracker.enums import PredictionStatus
from tracker.persistence.models import Forecast, Prediction


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
