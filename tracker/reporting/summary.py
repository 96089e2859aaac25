"""The accuracy summary: counts, hit rates, scores, calibration and timeliness.

Only questions resolved yes or no are scored; open and annulled ones never are. The plain
scores take each forecaster's latest forecast before the question closed; the time-weighted
and relative ones take every forecast over the time it was held (see tracker.reporting.tally).
Counts are grouped in the database; the forecasts are streamed, a question at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain import scoring
from tracker.domain.deadlines import local_date, stored_zone
from tracker.domain.timeweighted import HORIZONS, TimeWeightedSummary
from tracker.enums import GroupBy
from tracker.errors import InvalidInput
from tracker.io.records import iso
from tracker.persistence.db import transaction
from tracker.reporting import forecast_rows, queries, score_table
from tracker.reporting.tally import NO_GROUP as NO_GROUP
from tracker.reporting.tally import GroupTally, Tally

GROUPINGS = tuple(grouping.value for grouping in GroupBy)
COUNT_NAMES = ("open", "due_soon", "overdue", "resolved_yes", "resolved_no", "annulled")
# A ranking by relative Brier that rests on fewer shared questions than this is flagged.
FEW_SHARED = 5


@dataclass
class GroupSummary:
    name: str
    resolved: int  # questions
    hits: int
    scores: scoring.Scores | None  # plain: latest forecast before the close
    time_weighted: TimeWeightedSummary | None = None  # by forecaster only

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.resolved if self.resolved else None

    def as_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "name": self.name,
            "resolved": self.resolved,
            "hits": self.hits,
            "hit_rate": self.hit_rate,
            "scores": _scores_json(self.scores),
        }
        if self.time_weighted is not None:
            tw = self.time_weighted
            shape["time_weighted"] = {
                "n": tw.n,
                "brier": tw.brier,
                "log_loss_bits": tw.log_loss_bits,
            }
            shape["relative"] = {"n": tw.relative_n, "brier_vs_median": tw.brier_vs_median}
        return shape


@dataclass
class Summary:
    generated_at: dt.datetime
    filters: dict[str, Any]
    counts: dict[str, int]
    resolved: int
    hits: int
    scores: scoring.Scores | None  # plain: each forecaster's latest forecast before the close
    calibration: list[scoring.CalibrationBin]
    timeliness: scoring.Timeliness | None
    time_weighted: TimeWeightedSummary  # every forecaster together
    questions_scored: int  # questions with a forecast before their close
    # Forecasters with a relative score, best (lowest relative Brier) first; empty with fewer
    # than two of them.
    ranking: list[tuple[str, TimeWeightedSummary]] = field(default_factory=list)
    groups: list[GroupSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.resolved if self.resolved else None

    def as_json(self) -> dict[str, Any]:
        tw = self.time_weighted
        return {
            "generated_at": iso(self.generated_at),
            "filters": self.filters,
            "counts": self.counts,
            "hit_rate": {"resolved": self.resolved, "hits": self.hits, "rate": self.hit_rate},
            "scores": _scores_json(self.scores),
            "time_weighted": {
                "n": tw.n,  # (forecaster, question) pairs
                "questions": self.questions_scored,
                "brier": tw.brier,
                "log_loss_bits": tw.log_loss_bits,
            },
            "calibration": [asdict(b) for b in self.calibration] if self.scores else [],
            "timeliness": asdict(self.timeliness) if self.timeliness else None,
            "groups": [g.as_json() for g in self.groups],
            "notes": self.notes,
        }


def _scores_json(scores: scoring.Scores | None) -> dict[str, Any] | None:
    if scores is None:
        return None
    return {
        "n": scores.n,
        "brier": scores.brier,
        "log_loss_bits": scores.log_loss_bits,
        "baselines": {
            "base_rate": {
                "probability": scores.base_rate,
                "brier": scores.base_rate_brier,
                "log_loss_bits": scores.base_rate_log_loss_bits,
            },
            "always_50": {"probability": 0.5, "brier": 0.25, "log_loss_bits": 1.0},
        },
        "murphy": {
            "reliability": scores.reliability,
            "resolution": scores.resolution,
            "uncertainty": scores.uncertainty,
        },
    }


def summarize(
    engine: Engine,
    *,
    now: dt.datetime,
    due_soon: dt.timedelta,
    since: dt.datetime | None = None,
    forecaster: str | None = None,
    by: GroupBy | None = None,
    exclude_early: bool = False,
    bins: int = 10,
    streamed: bool = False,
) -> Summary:
    """The summary of the questions the filters keep, read in one transaction.

    Its scores are aggregated in SQL from the forecast_score table; `--by horizon` (per
    forecast), or streamed=True, scores every forecast as it streams past instead (the same
    arithmetic: a test holds the two to the same answer)."""
    grouping = _grouping(by)
    filters = queries.SummaryFilter(
        since=since, forecaster=forecaster, exclude_early_before=now if exclude_early else None
    )
    with transaction(engine) as session:
        counts = queries.summary_counts(session, filters=filters, now=now, due_soon=due_soon)
        occurred = queries.occurred_rows(session, filters=filters)
        if streamed or grouping == GroupBy.horizon:
            tally = _streamed_tally(session, filters, grouping, forecaster)
        else:
            tally = score_table.table_tally(
                session, filters=filters, by=grouping, forecaster=forecaster
            )
    plain = _forecasts(tally.whole)
    summary = Summary(
        generated_at=now,
        filters={
            "since": iso(since),
            "forecaster": forecaster,
            "by": grouping.value if grouping else None,
            "exclude_early": exclude_early,
            "bins": bins,
        },
        counts=_counts(counts, tally),
        resolved=tally.whole.resolved,
        hits=tally.whole.hits,
        scores=scoring.scores(plain),
        calibration=scoring.calibration(plain, bins),
        timeliness=scoring.timeliness(_days_after_deadline(occurred).items()),
        time_weighted=tally.time_weighted.overall(),
        questions_scored=tally.time_weighted.questions,
        ranking=_ranking(tally),
        groups=_groups(tally, grouping) if grouping else [],
    )
    summary.notes = _notes(summary, tally)
    return summary


def _streamed_tally(
    session: Session, filters: queries.SummaryFilter, by: GroupBy | None, forecaster: str | None
) -> Tally:
    """Every forecast of the scored questions through score_question, a question at a time."""
    early_before = filters.exclude_early_before
    tally = Tally(
        by=by,
        forecaster=forecaster,
        exclude_early_after=early_before.timestamp() if early_before is not None else None,
    )
    connection = session.connection()
    questions = forecast_rows.scored_questions(connection, filters=filters, by=by)
    forecasts = forecast_rows.scored_forecasts(connection, filters=filters)
    for question, its_forecasts in forecast_rows.merged_by_question(questions, forecasts):
        tally.add(question, its_forecasts)
    return tally


def _grouping(by: GroupBy | str | None) -> GroupBy | None:
    """`by` as the enum: a script may still pass its plain value ("tag"), and anything else is
    the caller's mistake to report, not a crash."""
    if by is None:
        return None
    try:
        return GroupBy(by)
    except ValueError:
        raise InvalidInput(f"by must be one of {GROUPINGS}") from None


def _counts(counts: dict[str, int], tally: Tally) -> dict[str, int]:
    """Every count, in COUNT_NAMES order; the resolved ones come from the scored questions'
    stream, which is read anyway (and, unlike the scores, never leaves out the early ones)."""
    counts = {**counts, "resolved_yes": tally.resolved_yes, "resolved_no": tally.resolved_no}
    return {name: counts[name] for name in COUNT_NAMES}


def _days_after_deadline(
    occurred: list[tuple[dt.date, dt.datetime, str, int]],
) -> dict[int, int]:
    """How many "yes" outcomes happened how many days after their deadline's day (negative:
    before it), each deadline's day read in the zone it was stated in."""
    days: dict[int, int] = defaultdict(int)
    for day, due_at, zone, count in occurred:
        days[(day - local_date(due_at, stored_zone(zone))).days] += count
    return days


def _forecasts(group: GroupTally) -> list[scoring.ForecastCount]:
    return [scoring.ForecastCount(p, o, count) for p, o, count in group.forecasts()]


def _ranking(tally: Tally) -> list[tuple[str, TimeWeightedSummary]]:
    ranked = [
        (name, tw)
        for name, tw in tally.time_weighted.by_forecaster().items()
        if tw.brier_vs_median is not None
    ]
    if len(ranked) < 2:
        return []
    return sorted(ranked, key=lambda item: (item[1].brier_vs_median, item[0]))


def _groups(tally: Tally, by: GroupBy) -> list[GroupSummary]:
    groups = [
        GroupSummary(
            name=name,
            resolved=group.resolved,
            hits=group.hits,
            scores=scoring.scores(_forecasts(group)),
        )
        for name, group in tally.groups.items()
    ]
    if by == GroupBy.horizon:  # longest first, as HORIZONS lists them
        order = {bucket.key: index for index, bucket in enumerate(HORIZONS)}
        return sorted(groups, key=lambda g: order[g.name])
    groups.sort(key=lambda g: (-g.resolved, g.name))
    if by == GroupBy.forecaster:
        return _ranked_forecasters(groups, tally)
    return groups


def _ranked_forecasters(groups: list[GroupSummary], tally: Tally) -> list[GroupSummary]:
    """Each forecaster's time-weighted figures beside the plain ones; ranked by relative Brier
    when several forecasters have one (the rest after them, as before)."""
    by_forecaster = tally.time_weighted.by_forecaster()
    empty = TimeWeightedSummary(0, None, None, 0, None)
    for group in groups:
        group.time_weighted = by_forecaster.get(group.name, empty)
    rank = {name: index for index, (name, _) in enumerate(_ranking(tally))}
    return sorted(groups, key=lambda g: rank.get(g.name, len(rank)))


def _notes(summary: Summary, tally: Tally) -> list[str]:
    notes = []
    unscored = tally.unscored
    if unscored:
        notes.append(
            (
                "1 resolved question has no forecast made before it closed: it counts in the hit "
                "rate but not in the scores."
                if unscored == 1
                else f"{unscored} resolved questions have no forecast made before they closed: "
                "they count in the hit rate but not in the scores."
            )
            + " (A forecast recorded after the fact needs the time it was made: "
            "`tracker forecast REF P --by NAME --at WHEN`.)"
        )
    few = [
        f"{name} ({tw.relative_n})" for name, tw in summary.ranking if tw.relative_n < FEW_SHARED
    ]
    if few:
        notes.append(
            f"The ranking by relative Brier rests on fewer than {FEW_SHARED} shared questions "
            f"for {', '.join(few)}: read it as a hint, not a verdict."
        )
    if summary.timeliness and summary.timeliness.late:
        notes.append(
            f"{summary.timeliness.late} 'yes' resolutions happened after their deadline; "
            "they did not come true in their window (see timeliness)."
        )
    if summary.counts.get("annulled"):
        notes.append("Annulled questions are never scored.")
    return notes
