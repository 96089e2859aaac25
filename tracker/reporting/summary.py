"""The accuracy summary: counts, hit rates, scores, calibration and timeliness.

Only resolved yes/no predictions are scored; open and annulled ones never are. The database
does the grouping; tracker.domain.scoring does the arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from dataclasses import replace as dc_replace
from typing import Any

from sqlalchemy.engine import Engine

from tracker.domain import scoring
from tracker.domain.deadlines import local_date, stored_zone
from tracker.enums import GroupBy
from tracker.errors import InvalidInput
from tracker.io.records import iso
from tracker.persistence.db import transaction
from tracker.reporting import queries

GROUPINGS = tuple(grouping.value for grouping in GroupBy)
COUNT_NAMES = ("open", "due_soon", "overdue", "resolved_yes", "resolved_no", "annulled")
NO_GROUP = {
    GroupBy.forecaster: "(no forecaster)",
    GroupBy.source: "(no source)",
    GroupBy.tag: "(untagged)",
}


@dataclass
class GroupSummary:
    name: str
    resolved: int
    hits: int
    scores: scoring.Scores | None

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.resolved if self.resolved else None


@dataclass
class Summary:
    generated_at: dt.datetime
    filters: dict[str, Any]
    counts: dict[str, int]
    resolved: int
    hits: int
    scores: scoring.Scores | None
    calibration: list[scoring.CalibrationBin]
    timeliness: scoring.Timeliness | None
    groups: list[GroupSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.resolved if self.resolved else None

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": iso(self.generated_at),
            "filters": self.filters,
            "counts": self.counts,
            "hit_rate": {"resolved": self.resolved, "hits": self.hits, "rate": self.hit_rate},
            "scores": _scores_json(self.scores),
            "calibration": [asdict(b) for b in self.calibration] if self.scores else [],
            "timeliness": asdict(self.timeliness) if self.timeliness else None,
            "groups": [
                {
                    "name": g.name,
                    "resolved": g.resolved,
                    "hits": g.hits,
                    "hit_rate": g.hit_rate,
                    "scores": _scores_json(g.scores),
                }
                for g in self.groups
            ],
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
) -> Summary:
    """The summary of the predictions the filters keep, read in one transaction."""
    grouping = _grouping(by)
    filters = queries.SummaryFilter(
        since=since, forecaster=forecaster, exclude_early_before=now if exclude_early else None
    )
    read = _read(engine, filters, grouping, now=now, due_soon=due_soon)
    rows = _scored(read.every, exclude_early=exclude_early)
    forecasts = _forecasts(rows)
    summary = Summary(
        generated_at=now,
        filters={
            "since": iso(since),
            "forecaster": forecaster,
            "by": grouping.value if grouping else None,
            "exclude_early": exclude_early,
            "bins": bins,
        },
        counts=_counts(read.counts, read.every),
        resolved=sum(r.count for r in rows),
        hits=sum(r.count for r in rows if r.came_true),
        scores=scoring.scores(forecasts),
        calibration=scoring.calibration(forecasts, bins),
        timeliness=scoring.timeliness(_days_after_deadline(read.occurred).items()),
        groups=(
            _groups(_scored(read.grouped, exclude_early=exclude_early), grouping)
            if grouping
            else []
        ),
    )
    summary.notes = _notes(summary, rows)
    return summary


def _grouping(by: GroupBy | str | None) -> GroupBy | None:
    """`by` as the enum: a script may still pass its plain value ("tag"), and anything else is
    the caller's mistake to report, not a crash."""
    if by is None:
        return None
    try:
        return GroupBy(by)
    except ValueError:
        raise InvalidInput(f"by must be one of {GROUPINGS}") from None


@dataclass
class _Read:
    """What the database hands back for one summary; the arithmetic happens after the
    transaction ends."""

    counts: dict[str, int]  # open, due soon, overdue, annulled
    grouped: list[queries.OutcomeCount]  # per group; empty without a grouping
    every: list[queries.OutcomeCount]  # the whole, ungrouped
    occurred: list[tuple[dt.date, dt.datetime, str, int]]


def _read(
    engine: Engine,
    filters: queries.SummaryFilter,
    grouping: GroupBy | None,
    *,
    now: dt.datetime,
    due_soon: dt.timedelta,
) -> _Read:
    with transaction(engine) as session:
        counts = queries.summary_counts(session, filters=filters, now=now, due_soon=due_soon)
        grouped = (
            queries.summary_rows(session, filters=filters, by=grouping, now=now) if grouping else []
        )
        # A prediction has one forecaster and one source: their groups add up to the whole. A
        # prediction has any number of tags, so "by tag" needs the whole read on its own.
        if grouping in (GroupBy.forecaster, GroupBy.source):
            every = [dc_replace(row, group=None) for row in grouped]
        else:
            every = queries.summary_rows(session, filters=filters, by=None, now=now)
        occurred = queries.occurred_rows(session, filters=filters)
    return _Read(counts=counts, grouped=grouped, every=every, occurred=occurred)


def _scored(rows: list[queries.OutcomeCount], *, exclude_early: bool) -> list[queries.OutcomeCount]:
    return [r for r in rows if not (exclude_early and r.early)]


def _counts(counts: dict[str, int], every: list[queries.OutcomeCount]) -> dict[str, int]:
    """Every count, in COUNT_NAMES order; the resolved ones come from the grouped rows, which
    are read anyway (and, unlike the scores, never leave out the early ones)."""
    counts = {
        **counts,
        "resolved_yes": sum(r.count for r in every if r.yes),
        "resolved_no": sum(r.count for r in every if not r.yes),
    }
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


def _forecasts(rows: list[queries.OutcomeCount]) -> list[scoring.ForecastCount]:
    return [
        scoring.ForecastCount(r.probability, int(r.came_true), r.count)
        for r in rows
        if r.probability is not None
    ]


def _groups(rows: list[queries.OutcomeCount], by: GroupBy) -> list[GroupSummary]:
    by_name: dict[str, list[queries.OutcomeCount]] = defaultdict(list)
    for row in rows:
        by_name[row.group if row.group is not None else NO_GROUP[by]].append(row)
    groups = [
        GroupSummary(
            name=name,
            resolved=sum(r.count for r in members),
            hits=sum(r.count for r in members if r.came_true),
            scores=scoring.scores(_forecasts(members)),
        )
        for name, members in by_name.items()
    ]
    return sorted(groups, key=lambda g: (-g.resolved, g.name))


def _notes(summary: Summary, rows: list[queries.OutcomeCount]) -> list[str]:
    notes = []
    unscored = sum(r.count for r in rows if r.probability is None)
    if unscored:
        notes.append(
            "1 resolved prediction carries no probability: it counts in the hit rate but not "
            "in the scores."
            if unscored == 1
            else f"{unscored} resolved predictions carry no probability: they count in the hit "
            "rate but not in the scores."
        )
    if summary.timeliness and summary.timeliness.late:
        notes.append(
            f"{summary.timeliness.late} 'yes' resolutions happened after their deadline; "
            "they did not come true in their window (see timeliness)."
        )
    if summary.counts.get("annulled"):
        notes.append("Annulled predictions are never scored.")
    return notes
