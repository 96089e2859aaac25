"""The forecast_score table: each forecaster's scores on each question resolved yes or no.

rescore(session, prediction_ids) deletes those questions' rows and writes them again from
their forecasts and current resolution, exactly as the streaming summary scores them
(tracker.domain.timeweighted.score_question, closed at close_seconds). Every write that can
change a question's scores calls it in its own transaction: resolving, reopening, a resolution
replaced by another, a forecast added to a resolved question, a resolved question's deadline
moved, an import. A question open or annulled has no rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.domain.deadlines import stored_zone
from tracker.domain.forecasts import close_time
from tracker.domain.timeweighted import score_question
from tracker.persistence.bulk import insert_rows
from tracker.persistence.models import Forecast, ForecastScore, Prediction, Resolution

# Questions rescored per round of queries: an import or the migration's backfill of a
# million forecasts goes in batches, so memory stays a batch's.
BATCH = 2_000
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def epoch(column: Any, dialect: str) -> Any:
    """Seconds since the epoch, as a float, in SQL."""
    if dialect == "postgresql":
        return sa.cast(sa.extract("epoch", column), sa.Float)
    # SQLite keeps naive UTC text; julianday reads it to the millisecond, and keeps its order.
    return (sa.func.julianday(column) - UNIX_EPOCH_JULIAN_DAY) * 86400.0


def close_seconds(
    due_at: float, resolved_at: float, occurred_on: dt.date | str | None, zone: str | None
) -> float:
    """When a question closed, in seconds since the epoch: the earliest of its deadline, its
    resolution and the start of the day the event happened (in the deadline's zone)."""
    close = min(due_at, resolved_at)
    if occurred_on is not None:  # rare: the rule itself, on datetimes
        if isinstance(occurred_on, str):  # SQLite hands dates back as text
            occurred_on = dt.date.fromisoformat(occurred_on)
        close = close_time(
            dt.datetime.fromtimestamp(due_at, dt.UTC),
            dt.datetime.fromtimestamp(resolved_at, dt.UTC),
            occurred_on,
            stored_zone(zone),
        ).timestamp()
    return close


def current_resolution_join() -> Any:
    return sa.and_(
        col(Resolution.prediction_id) == col(Prediction.id),
        col(Resolution.superseded_at).is_(None),
    )


def rescore(session: Session, prediction_ids: Iterable[int]) -> None:
    """Write again the forecast_score rows of these questions (and of any other question
    whose id falls between them in a batch: rewriting a question's rows from its forecasts
    and resolution changes nothing when they were right), inside the caller's transaction
    (flushed first, so pending changes count)."""
    ids = sorted(set(prediction_ids))
    if not ids:
        return
    session.flush()
    connection = session.connection()
    for low, high in id_ranges(ids):
        _rescore_range(connection, low, high)


def id_ranges(ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Sorted ids as ranges (first, last) of at most BATCH ids spanning less than 2 * BATCH.

    Ranges, not lists of ids: a range reads through the primary key whatever the planner
    thinks of the tables (straight after an import into an empty database PostgreSQL has no
    statistics, and an IN list of 2,000 ids was compared with every resolution: 20 s a
    batch)."""
    first = count = 0
    for index, prediction_id in enumerate(ids):
        if count and (count >= BATCH or prediction_id - ids[first] >= 2 * BATCH):
            yield ids[first], ids[index - 1]
            first, count = index, 0
        count += 1
    if count:
        yield ids[first], ids[-1]


def rescore_all(connection: sa.Connection) -> None:
    """Every question resolved yes or no (the migration's backfill, and the benchmark's)."""
    query = (
        sa.select(col(Prediction.id))
        .join(Resolution, current_resolution_join())
        .where(col(Resolution.outcome).in_(["yes", "no"]))
        .order_by(col(Prediction.id))
    )
    ids = [int(i) for i in connection.execute(query).scalars() if i is not None]
    for low, high in id_ranges(ids):
        _rescore_range(connection, low, high)


def _rescore_range(connection: sa.Connection, low: int, high: int) -> None:
    table: Any = ForecastScore.__table__  # type: ignore[attr-defined]
    connection.execute(sa.delete(table).where(table.c.prediction_id.between(low, high)))
    rows = list(_score_rows(connection, low, high))
    if rows:
        insert_rows(connection, table, rows)


def _score_rows(connection: sa.Connection, low: int, high: int) -> Iterator[dict[str, Any]]:
    """The rows of the questions resolved yes or no with ids from low to high."""
    dialect = connection.dialect.name
    questions = connection.execute(
        sa.select(
            col(Prediction.id),
            epoch(Prediction.due_at, dialect),
            epoch(Resolution.resolved_at, dialect),
            col(Resolution.occurred_on),
            col(Prediction.timezone),
            col(Resolution.came_true),
        )
        .join(Resolution, current_resolution_join())
        .where(
            col(Prediction.id).between(low, high),
            col(Resolution.prediction_id).between(low, high),
            col(Resolution.outcome).in_(["yes", "no"]),
        )
    ).all()
    if not questions:
        return
    closes = {
        row[0]: (close_seconds(row[1], row[2], row[3], row[4]), int(bool(row[5])))
        for row in questions
    }
    forecasts = connection.execute(
        sa.select(
            col(Forecast.prediction_id),
            col(Forecast.forecaster),
            epoch(Forecast.made_at, dialect),
            col(Forecast.probability),
        )
        .where(col(Forecast.prediction_id).between(min(closes), max(closes)))
        .order_by(col(Forecast.prediction_id), col(Forecast.made_at), col(Forecast.id))
    ).all()
    for prediction_id, rows in groupby(forecasts, key=itemgetter(0)):
        if prediction_id not in closes:
            continue  # open or annulled: no scores
        close, outcome = closes[prediction_id]
        for score in score_question((row[1:] for row in rows), close, outcome):
            yield {
                "prediction_id": prediction_id,
                "forecaster": score.forecaster,
                "held_from": dt.datetime.fromtimestamp(score.held_from, dt.UTC),
                "brier": score.brier,
                "log_loss_bits": score.log_loss_bits,
                "relative_brier": score.relative_brier,
                "probability": score.latest,
                "came_true": outcome,
            }
