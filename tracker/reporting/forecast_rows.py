"""The summary's two streams, both in question order: the scored questions (resolved yes or no,
as the filters keep them), and every forecast on them by (made_at, id).

A summary of 3 million forecasts must not hold them, nor pay for an ORM object each: rows come
from the database cursor in batches, as plain tuples, with times as seconds since the epoch
computed in SQL, and are merged one question at a time (merged_by_question).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, groupby
from operator import itemgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col

from tracker.enums import GroupBy
from tracker.persistence.models import Forecast, Prediction, PredictionTag, Resolution, Source
from tracker.persistence.scores import close_seconds, epoch
from tracker.reporting.queries import SummaryFilter, current_resolution_join, filtered

# Rows fetched per round trip: large enough that the per-batch cost vanishes, small enough
# that a batch is a few megabytes.
BATCH = 10_000

# (prediction id, forecaster, made_at in seconds since the epoch, probability)
ForecastRow = tuple[int, str, float, float]


class ScoredQuestion(NamedTuple):
    id: int
    due_at: float  # seconds since the epoch
    close: float  # the earliest of the deadline, the resolution and the day it happened
    outcome: int  # 1 came true (in its window), else 0: the o of every score
    yes: bool  # resolved "yes", whether or not inside its window
    named: str | None  # the forecaster the question was first stated with (maybe no probability)
    groups: tuple[str | None, ...]  # its source, or its tags (empty: untagged); () otherwise


def _scored(query: Any, filters: SummaryFilter) -> Any:
    """Resolved yes or no (annulled is never scored), as the filters keep them."""
    query = query.join(Resolution, current_resolution_join()).where(
        col(Resolution.outcome).in_(["yes", "no"])
    )
    return filtered(query, filters)


def scored_questions(
    connection: Connection, *, filters: SummaryFilter, by: GroupBy | None
) -> Iterator[ScoredQuestion]:
    """Each scored question once, by id."""
    dialect = connection.dialect.name
    group: Any = sa.literal(None)
    if by == GroupBy.source:
        group = sa.func.coalesce(Source.title, Source.url)
    elif by == GroupBy.tag:
        group = PredictionTag.tag
    query = sa.select(
        col(Prediction.id),
        epoch(Prediction.due_at, dialect),
        epoch(Resolution.resolved_at, dialect),
        col(Resolution.occurred_on),
        col(Prediction.timezone),
        col(Resolution.came_true),
        col(Resolution.outcome),
        col(Prediction.forecaster),
        group,
    ).select_from(Prediction)
    if by == GroupBy.source:
        query = query.outerjoin(Source, col(Source.id) == col(Prediction.source_id))
    elif by == GroupBy.tag:
        query = query.outerjoin(
            PredictionTag, col(PredictionTag.prediction_id) == col(Prediction.id)
        )
    rows = stream(connection, _scored(query, filters).order_by(col(Prediction.id)))
    for _, same in groupby(rows, key=itemgetter(0)):  # a question has a row per tag
        first, *more = same
        yield _question(first, groups=(first[8], *(row[8] for row in more)), by=by)


def _question(
    row: tuple[Any, ...], *, groups: tuple[str | None, ...], by: GroupBy | None
) -> ScoredQuestion:
    prediction_id, due_at, resolved_at, occurred_on, zone, came_true, outcome, named, _ = row
    close = close_seconds(due_at, resolved_at, occurred_on, zone)
    if by == GroupBy.tag and groups == (None,):
        groups = ()  # the outer join's one empty row: no tag at all
    return ScoredQuestion(
        prediction_id, due_at, close, int(bool(came_true)), outcome == "yes", named,
        groups if by in (GroupBy.source, GroupBy.tag) else (),
    )  # fmt: skip


def scored_forecasts(connection: Connection, *, filters: SummaryFilter) -> Iterator[ForecastRow]:
    """Every forecast on the scored questions, by (question, made_at, id): each forecaster's,
    even with a forecaster filter, since a relative score needs the crowd."""
    dialect = connection.dialect.name
    scored_ids = _scored(sa.select(col(Prediction.id)).select_from(Prediction), filters)
    query = (
        sa.select(
            col(Forecast.prediction_id),
            col(Forecast.forecaster),
            epoch(Forecast.made_at, dialect),
            col(Forecast.probability),
        )
        .where(col(Forecast.prediction_id).in_(scored_ids))
        .order_by(col(Forecast.prediction_id), col(Forecast.made_at), col(Forecast.id))
    )
    return stream(connection, query)


def stream(connection: Connection, query: Any) -> Iterator[Any]:
    """The rows of `query` as plain tuples, straight from the DBAPI cursor (a server-side one on
    PostgreSQL) a batch at a time: no Row objects, no result processing."""
    result = connection.execution_options(stream_results=True).execute(query)
    # A streamed result reads one row ahead into its own buffer (SQLAlchemy's buffered
    # strategy); take that one through the result, then the cursor is where the rest begin.
    first = result.fetchone()
    if first is None:
        result.close()
        return iter(())
    if getattr(result.cursor_strategy, "_rowbuffer", None):
        raise RuntimeError("the result read more than one row ahead; rows would be lost")
    cursor = result.cursor

    def batches() -> Iterator[Sequence[Any]]:
        try:
            yield [tuple(first)]
            while batch := cursor.fetchmany(BATCH):
                yield batch
        finally:
            result.close()

    return chain.from_iterable(batches())


def merged_by_question(
    questions: Iterable[ScoredQuestion], forecasts: Iterable[ForecastRow]
) -> Iterator[tuple[ScoredQuestion, Iterable[ForecastRow]]]:
    """Each question with its forecasts (to be read before the next question is asked for).
    Forecasts of a question the other stream does not have are passed over."""
    by_question = groupby(forecasts, key=itemgetter(0))
    pending = next(by_question, None)
    for question in questions:
        while pending is not None and pending[0] < question.id:
            pending = next(by_question, None)
        if pending is not None and pending[0] == question.id:
            yield question, pending[1]
            pending = next(by_question, None)
        else:
            yield question, ()
