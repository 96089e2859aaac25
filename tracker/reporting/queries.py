"""The summary's filters and its aggregate queries: counts of open and annulled questions, and
the days on which "yes" outcomes happened, grouped in the database. The scored questions and
their forecasts are streamed (tracker.reporting.forecast_rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.persistence.models import Forecast, Prediction, PredictionStatus, Resolution


@dataclass(frozen=True)
class SummaryFilter:
    since: dt.datetime | None = None  # questions due at or after this
    forecaster: str | None = None  # questions this forecaster forecast, or was first named on
    exclude_early_before: dt.datetime | None = None  # leave out "yes" not yet due at this time


def filtered(query: Any, filters: SummaryFilter) -> Any:
    if filters.since is not None:
        query = query.where(col(Prediction.due_at) >= filters.since)
    if filters.forecaster:
        # Questions first stated with this forecaster (with or without a probability), or
        # that they forecast since; names match whatever their case.
        name = sa.func.lower(filters.forecaster)
        forecast_by = (
            sa.select(sa.literal(1))
            .where(
                col(Forecast.prediction_id) == col(Prediction.id),
                sa.func.lower(Forecast.forecaster) == name,
            )
            .exists()
        )
        query = query.where(sa.or_(sa.func.lower(Prediction.forecaster) == name, forecast_by))
    return query


def current_resolution_join() -> Any:
    return sa.and_(
        col(Resolution.prediction_id) == col(Prediction.id),
        col(Resolution.superseded_at).is_(None),
    )


def summary_counts(
    session: Session, *, filters: SummaryFilter, now: dt.datetime, due_soon: dt.timedelta
) -> dict[str, int]:
    """Open (due soon, overdue) and annulled: read through the status index, no join. The
    resolved ones are counted from the stream of scored questions, which reads them anyway."""
    is_open = col(Prediction.status) == PredictionStatus.OPEN.value

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    soon = sa.and_(is_open, col(Prediction.due_at) >= now, col(Prediction.due_at) < now + due_soon)
    query = filtered(
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
        .join(Resolution, current_resolution_join())
        .where(col(Resolution.outcome) == "yes", col(Resolution.occurred_on).is_not(None))
    )
    if filters.exclude_early_before is not None:
        query = query.where(col(Prediction.due_at) <= filters.exclude_early_before)
    query = filtered(query, filters).group_by(
        Resolution.occurred_on, Prediction.due_at, Prediction.timezone
    )
    return [(day, due, zone, int(count)) for day, due, zone, count in session.execute(query).all()]
