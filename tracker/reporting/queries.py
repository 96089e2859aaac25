"""The summary's queries: counts and outcomes aggregated in the database, so that a summary's
memory grows with distinct probabilities and groups, not with predictions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.persistence.models import (
    Prediction,
    PredictionStatus,
    PredictionTag,
    Resolution,
    Source,
)


@dataclass(frozen=True)
class SummaryFilter:
    since: dt.datetime | None = None  # predictions due at or after this
    forecaster: str | None = None
    exclude_early_before: dt.datetime | None = None  # leave out "yes" not yet due at this time


def _filtered(query: Any, filters: SummaryFilter) -> Any:
    if filters.since is not None:
        query = query.where(col(Prediction.due_at) >= filters.since)
    if filters.forecaster:
        query = query.where(
            sa.func.lower(Prediction.forecaster) == sa.func.lower(filters.forecaster)
        )
    return query


def _current_resolution_join() -> Any:
    return sa.and_(
        col(Resolution.prediction_id) == col(Prediction.id),
        col(Resolution.superseded_at).is_(None),
    )


def summary_counts(
    session: Session, *, filters: SummaryFilter, now: dt.datetime, due_soon: dt.timedelta
) -> dict[str, int]:
    """Open (due soon, overdue) and annulled: read through the status index, no join. The
    resolved ones are counted from summary_rows, which reads them anyway."""
    is_open = col(Prediction.status) == PredictionStatus.OPEN.value

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    soon = sa.and_(is_open, col(Prediction.due_at) >= now, col(Prediction.due_at) < now + due_soon)
    query = _filtered(
        sa.select(
            count(is_open),
            count(soon),
            count(sa.and_(is_open, col(Prediction.due_at) < now)),
            count(col(Prediction.status) == PredictionStatus.ANNULLED.value),
        ).where(
            col(Prediction.status).in_(
                [PredictionStatus.OPEN.value, PredictionStatus.ANNULLED.value]
            )
        ),
        filters,
    )
    values = session.execute(query).one()
    names = ("open", "due_soon", "overdue", "annulled")
    return {name: int(value or 0) for name, value in zip(names, values, strict=True)}


@dataclass(frozen=True)
class OutcomeCount:
    group: str | None
    probability: float | None
    yes: bool  # resolved "yes" (whether or not inside its window)
    came_true: bool  # "yes", and inside its window when the day it happened is known
    early: bool  # "yes" for a prediction not yet due (at the summary's `now`)
    count: int


def summary_rows(
    session: Session, *, filters: SummaryFilter, by: str | None, now: dt.datetime
) -> list[OutcomeCount]:
    """Resolved yes/no predictions grouped in the database, so that the result grows with
    distinct probabilities (and groups), not with predictions. One scan serves the counts,
    the hit rates, the scores and --exclude-early."""
    yes = sa.case((col(Resolution.outcome) == "yes", 1), else_=0)
    came_true = sa.case((col(Resolution.came_true), 1), else_=0)
    early = sa.case(
        (sa.and_(col(Resolution.outcome) == "yes", col(Prediction.due_at) > now), 1), else_=0
    )
    group: Any = sa.literal(None)
    if by == "source":
        group = sa.func.coalesce(Source.title, Source.url)
    elif by == "tag":
        group = PredictionTag.tag
    elif by == "forecaster":
        group = Prediction.forecaster
    query = (
        sa.select(group, col(Prediction.probability), yes, came_true, early, sa.func.count())
        .select_from(Prediction)
        .join(Resolution, _current_resolution_join())
    )
    if by == "source":
        query = query.outerjoin(Source, col(Source.id) == col(Prediction.source_id))
    elif by == "tag":
        query = query.outerjoin(
            PredictionTag, col(PredictionTag.prediction_id) == col(Prediction.id)
        )
    query = query.where(col(Resolution.outcome).in_(["yes", "no"]))
    query = _filtered(query, filters).group_by(group, Prediction.probability, yes, came_true, early)
    return [
        OutcomeCount(name, probability, bool(y), bool(t), bool(e), int(n))
        for name, probability, y, t, e, n in session.execute(query).all()
    ]


def occurred_rows(
    session: Session, *, filters: SummaryFilter
) -> list[tuple[dt.date, dt.datetime, str, int]]:
    """(occurred_on, due_at, the deadline's zone, count) for "yes" resolutions that say when
    it happened."""
    query = (
        sa.select(
            col(Resolution.occurred_on),
            col(Prediction.due_at),
            col(Prediction.timezone),
            sa.func.count(),
        )
        .select_from(Prediction)
        .join(Resolution, _current_resolution_join())
        .where(col(Resolution.outcome) == "yes", col(Resolution.occurred_on).is_not(None))
    )
    if filters.exclude_early_before is not None:
        query = query.where(col(Prediction.due_at) <= filters.exclude_early_before)
    query = _filtered(query, filters).group_by(
        Resolution.occurred_on, Prediction.due_at, Prediction.timezone
    )
    return [(day, due, zone, int(count)) for day, due, zone, count in session.execute(query).all()]
