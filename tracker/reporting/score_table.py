"""The summary's tally from the forecast_score table, aggregated in SQL: the same Tally the
streaming pass fills (tracker.reporting.tally), with memory independent of questions and
forecasts. One row per (question, forecaster) holds what score_question returned for it when
the question's scores last changed (tracker.persistence.scores.rescore).

`--by horizon` is per forecast, not per (question, forecaster): it still streams.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.enums import GroupBy
from tracker.persistence.models import ForecastScore, Prediction, PredictionTag, Resolution, Source
from tracker.reporting.queries import SummaryFilter, current_resolution_join, filtered
from tracker.reporting.tally import NO_GROUP, Tally

_CAME_TRUE = sa.case((col(Resolution.came_true), 1), else_=0)


class _Scored:
    """The queries' common parts: the scored questions the filters keep, and their scores."""

    def __init__(self, filters: SummaryFilter, forecaster: str | None) -> None:
        self.filters = filters
        self.forecaster = forecaster
        early_before = filters.exclude_early_before
        # "yes" resolutions of questions not yet due are left out of everything but the counts
        self.kept = (
            sa.true()
            if early_before is None
            else sa.not_(
                sa.and_(col(Resolution.outcome) == "yes", col(Prediction.due_at) > early_before)
            )
        )

    def questions(self, *columns: Any) -> Any:
        query = (
            sa.select(*columns)
            .select_from(Prediction)
            .join(Resolution, current_resolution_join())
            .where(col(Resolution.outcome).in_(["yes", "no"]))
        )
        return filtered(query, self.filters)

    def scores(self, *columns: Any) -> Any:
        """Kept questions joined to their scores (only the forecaster's, with a filter: the
        others were scored with the crowd, and are not reported)."""
        query = self.questions(*columns).where(self.kept)
        query = query.join(ForecastScore, col(ForecastScore.prediction_id) == col(Prediction.id))
        if self.forecaster:
            query = query.where(self.named(ForecastScore.forecaster))
        return query

    def named(self, column: Any) -> Any:
        return sa.func.lower(column) == sa.func.lower(self.forecaster)

    def has_score(self) -> Any:
        """The question has a score (of the forecaster's, with a filter)."""
        query = sa.select(sa.literal(1)).where(
            col(ForecastScore.prediction_id) == col(Prediction.id)
        )
        if self.forecaster:
            query = query.where(self.named(ForecastScore.forecaster))
        return query.exists()

    def unscored_kept(self, *columns: Any) -> Any:
        """Kept questions with no score (of the forecaster's, with a filter)."""
        return self.questions(*columns).where(self.kept, ~self.has_score())


def table_tally(
    session: Session, *, filters: SummaryFilter, by: GroupBy | None, forecaster: str | None
) -> Tally:
    """What Tally.add over every scored question would have made, from SQL aggregates: one
    pass over the questions, one over their scores, and for a grouping by source or tag one
    more of each."""
    if by == GroupBy.horizon:
        raise ValueError("--by horizon is per forecast: it streams the forecasts")
    tally = Tally(by=by, forecaster=forecaster, exclude_early_after=None)
    scored = _Scored(filters, forecaster)
    _question_counts(session, scored, tally)
    _scores(session, scored, tally)
    if by == GroupBy.forecaster:
        _unscored_by_named(session, scored, tally)
    elif by is not None:
        _by_question_group(session, scored, tally, by)
    return tally


def _count_if(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _question_counts(session: Session, scored: _Scored, tally: Tally) -> None:
    """Resolved yes and no (every one), and of the kept ones: how many, hits, unscored."""
    query = scored.questions(
        col(Resolution.outcome),
        sa.func.count(),
        _count_if(scored.kept),
        _count_if(sa.and_(scored.kept, col(Resolution.came_true))),
        _count_if(sa.and_(scored.kept, ~scored.has_score())),
    ).group_by(col(Resolution.outcome))
    for outcome, count, kept, hits, unscored in session.execute(query):
        if outcome == "yes":
            tally.resolved_yes = int(count)
        else:
            tally.resolved_no = int(count)
        tally.whole.resolved += int(kept)
        tally.whole.hits += int(hits)
        tally.unscored += int(unscored)
    tally.time_weighted.questions = tally.whole.resolved - tally.unscored


def _scores(session: Session, scored: _Scored, tally: Tally) -> None:
    """Every score row, once, grouped by (forecaster, probability, outcome): the plain
    scores' counts, each forecaster's time-weighted sums (fed in name order, as the stream's
    totals are read) and, by forecaster, each one's questions and hits."""
    query = scored.scores(
        col(ForecastScore.forecaster),
        col(ForecastScore.probability),
        col(ForecastScore.came_true),
        sa.func.count(),
        sa.func.sum(col(ForecastScore.brier)),
        sa.func.sum(col(ForecastScore.log_loss_bits)),
        sa.func.count(col(ForecastScore.relative_brier)),
        sa.func.coalesce(sa.func.sum(col(ForecastScore.relative_brier)), 0.0),
    ).group_by(
        col(ForecastScore.forecaster), col(ForecastScore.probability), col(ForecastScore.came_true)
    )
    sums: dict[str, list[Any]] = {}
    by_forecaster = tally.by == GroupBy.forecaster
    for name, probability, came_true, count, brier, log_bits, shared, relative in session.execute(
        query
    ):
        outcome, p, n = int(came_true), float(probability), int(count)
        tally.whole.plain[outcome][p] += n
        totals = sums.setdefault(name, [0, 0.0, 0.0, 0, 0.0])
        for index, value in enumerate((n, float(brier), float(log_bits), int(shared))):
            totals[index] += value
        totals[4] += float(relative)
        if by_forecaster:
            group = tally.group(name)
            group.plain[outcome][p] += n
            group.resolved += n
            group.hits += n * outcome
    for name in sorted(sums):
        tally.time_weighted.add_sums(name, *sums[name])


def _unscored_by_named(session: Session, scored: _Scored, tally: Tally) -> None:
    """A question no forecaster scored counts under the name it was first stated with, as
    before forecasts (with a filter, only when that is the forecaster's name)."""
    query = scored.unscored_kept(
        col(Prediction.forecaster), sa.func.count(), sa.func.sum(_CAME_TRUE)
    )
    if scored.forecaster:
        query = query.where(scored.named(Prediction.forecaster))
    for named, count, hits in session.execute(query.group_by(col(Prediction.forecaster))):
        group = tally.group(named or NO_GROUP[GroupBy.forecaster])
        group.resolved += int(count)
        group.hits += int(hits or 0)


def _group_column(by: GroupBy) -> Any:
    if by == GroupBy.source:
        return sa.func.coalesce(Source.title, Source.url)
    return col(PredictionTag.tag)


def _with_group(query: Any, by: GroupBy) -> Any:
    if by == GroupBy.source:
        return query.outerjoin(Source, col(Source.id) == col(Prediction.source_id))
    return query.outerjoin(PredictionTag, col(PredictionTag.prediction_id) == col(Prediction.id))


def _by_question_group(session: Session, scored: _Scored, tally: Tally, by: GroupBy) -> None:
    """By source or tag: each group's questions, hits and plain scores (a question counts in
    each of its tags)."""
    group = _group_column(by)
    counts = _with_group(
        scored.questions(group, sa.func.count(), sa.func.sum(_CAME_TRUE)).where(scored.kept), by
    ).group_by(group)
    for name, count, hits in session.execute(counts):
        tally_group = tally.group(name if name is not None else NO_GROUP[by])
        tally_group.resolved += int(count)
        tally_group.hits += int(hits or 0)
    plain = _with_group(
        scored.scores(
            group, col(ForecastScore.probability), col(ForecastScore.came_true), sa.func.count()
        ),
        by,
    ).group_by(group, col(ForecastScore.probability), col(ForecastScore.came_true))
    for name, probability, came_true, count in session.execute(plain):
        tally_group = tally.group(name if name is not None else NO_GROUP[by])
        tally_group.plain[int(came_true)][float(probability)] += int(count)
