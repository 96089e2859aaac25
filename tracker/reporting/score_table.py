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

    def unscored_kept(self, *columns: Any) -> Any:
        """Kept questions with no score (of the forecaster's, with a filter)."""
        has_score = sa.select(sa.literal(1)).where(
            col(ForecastScore.prediction_id) == col(Prediction.id)
        )
        if self.forecaster:
            has_score = has_score.where(self.named(ForecastScore.forecaster))
        return self.questions(*columns).where(self.kept, ~has_score.exists())


def table_tally(
    session: Session, *, filters: SummaryFilter, by: GroupBy | None, forecaster: str | None
) -> Tally:
    """What Tally.add over every scored question would have made, from SQL aggregates."""
    if by == GroupBy.horizon:
        raise ValueError("--by horizon is per forecast: it streams the forecasts")
    tally = Tally(by=by, forecaster=forecaster, exclude_early_after=None)
    scored = _Scored(filters, forecaster)
    outcomes = scored.questions(col(Resolution.outcome), sa.func.count())
    for outcome, count in session.execute(outcomes.group_by(col(Resolution.outcome))):
        if outcome == "yes":
            tally.resolved_yes = int(count)
        else:
            tally.resolved_no = int(count)
    kept = scored.questions(sa.func.count(), sa.func.sum(_CAME_TRUE)).where(scored.kept)
    resolved, hits = session.execute(kept).one()
    tally.whole.resolved, tally.whole.hits = int(resolved or 0), int(hits or 0)
    questions = session.execute(
        scored.scores(sa.func.count(sa.distinct(col(ForecastScore.prediction_id))))
    ).scalar_one()
    tally.time_weighted.questions = int(questions or 0)
    tally.unscored = tally.whole.resolved - tally.time_weighted.questions
    _time_weighted(session, scored, tally)
    for probability, came_true, count in session.execute(
        scored.scores(
            col(ForecastScore.probability), col(ForecastScore.came_true), sa.func.count()
        ).group_by(col(ForecastScore.probability), col(ForecastScore.came_true))
    ):
        tally.whole.plain[int(came_true)][float(probability)] += int(count)
    if by == GroupBy.forecaster:
        _unscored_by_named(session, scored, tally)
    if by is not None:
        _plain_by_group(session, scored, tally, by)
    return tally


def _time_weighted(session: Session, scored: _Scored, tally: Tally) -> None:
    """Each forecaster's sums, in name order (as the stream's totals are read); with
    --by forecaster, each forecaster's group counts their questions and hits too."""
    query = scored.scores(
        col(ForecastScore.forecaster),
        sa.func.count(),
        sa.func.sum(col(ForecastScore.brier)),
        sa.func.sum(col(ForecastScore.log_loss_bits)),
        sa.func.count(col(ForecastScore.relative_brier)),
        sa.func.coalesce(sa.func.sum(col(ForecastScore.relative_brier)), 0.0),
        sa.func.sum(col(ForecastScore.came_true)),
    ).group_by(col(ForecastScore.forecaster))
    for name, count, brier, log_bits, shared, relative, hits in session.execute(query):
        tally.time_weighted.add_sums(
            name, int(count), float(brier), float(log_bits), int(shared), float(relative)
        )
        if tally.by == GroupBy.forecaster:
            group = tally.group(name)
            group.resolved += int(count)
            group.hits += int(hits)


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
    if by == GroupBy.forecaster:
        return col(ForecastScore.forecaster)
    if by == GroupBy.source:
        return sa.func.coalesce(Source.title, Source.url)
    return col(PredictionTag.tag)


def _with_group(query: Any, by: GroupBy) -> Any:
    if by == GroupBy.source:
        return query.outerjoin(Source, col(Source.id) == col(Prediction.source_id))
    if by == GroupBy.tag:
        return query.outerjoin(
            PredictionTag, col(PredictionTag.prediction_id) == col(Prediction.id)
        )
    return query


def _plain_by_group(session: Session, scored: _Scored, tally: Tally, by: GroupBy) -> None:
    """Each group's plain scores (and, by source or tag, its questions and hits)."""
    group = _group_column(by)
    if by != GroupBy.forecaster:
        counts = _with_group(
            scored.questions(group, sa.func.count(), sa.func.sum(_CAME_TRUE)).where(scored.kept),
            by,
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
