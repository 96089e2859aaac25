"""The summary's arithmetic over a stream of scored questions and their forecasts, one question
at a time: memory grows with forecasters, groups and distinct probabilities, never with
questions or forecasts.

Two kinds of score, side by side:
- plain: each forecaster's latest forecast before the question closed, scored once per
  (question, forecaster), as tracker.domain.scoring scores it;
- time-weighted and relative: each forecast over the time it was held (tracker.domain.
  timeweighted).
Both come out of one pass of score_question over each question's forecasts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from tracker.domain.timeweighted import ForecasterScore, TimeWeightedTotals, horizon, score_question
from tracker.enums import GroupBy
from tracker.reporting.forecast_rows import ForecastRow, ScoredQuestion

NO_GROUP = {
    GroupBy.forecaster: "(no forecaster)",
    GroupBy.source: "(no source)",
    GroupBy.tag: "(untagged)",
}
_TIMED = itemgetter(1, 2, 3)  # a forecast row as score_question reads it: who, when, p
_LATEST = attrgetter("latest")


@dataclass
class GroupTally:
    resolved: int = 0  # questions
    hits: int = 0  # of those, came true in their window
    # By outcome (0, 1): probability -> forecasts. Counter.update counts a question's
    # forecasts in C, which matters at a million (question, forecaster) pairs.
    plain: tuple[Counter[float], Counter[float]] = field(
        default_factory=lambda: (Counter(), Counter())
    )

    def count(self, outcome: int) -> None:
        self.resolved += 1
        self.hits += outcome

    def forecasts(self) -> Iterator[tuple[float, int, int]]:
        """(probability, outcome, count) rows, as tracker.domain.scoring reads them."""
        for outcome, counts in enumerate(self.plain):
            for probability, count in counts.items():
                yield probability, outcome, count


class Tally:
    """Fed every scored question (Tally.add); read its fields after the last one."""

    def __init__(
        self, *, by: GroupBy | None, forecaster: str | None, exclude_early_after: float | None
    ) -> None:
        self.by = by
        self.only = forecaster.lower() if forecaster else None
        # "yes" resolutions of questions due after this (seconds since the epoch) are left out
        self.exclude_early_after = exclude_early_after
        self.resolved_yes = 0  # every one, early or not
        self.resolved_no = 0
        self.whole = GroupTally()
        self.unscored = 0  # scored questions with no forecast (of the forecaster's) before close
        self.time_weighted = TimeWeightedTotals()
        self.groups: dict[str, GroupTally] = {}

    def add(self, question: ScoredQuestion, forecasts: Iterable[ForecastRow]) -> None:
        if question.yes:
            self.resolved_yes += 1
        else:
            self.resolved_no += 1
        early = self.exclude_early_after is not None and question.due_at > self.exclude_early_after
        if question.yes and early:
            return
        outcome = question.outcome
        if self.by == GroupBy.horizon:
            forecasts = list(forecasts)  # read twice: scored, then put in buckets
        scores = score_question(map(_TIMED, forecasts), question.close, outcome)
        if self.only is not None:  # the others were read for the crowd, not to be reported
            scores = [s for s in scores if s.forecaster.lower() == self.only]
        self.time_weighted.add(scores)
        self.whole.count(outcome)
        self.unscored += not scores
        self.whole.plain[outcome].update(map(_LATEST, scores))
        if self.by == GroupBy.forecaster:
            self._by_forecaster(question, scores)
        elif self.by == GroupBy.horizon:
            self._by_horizon(question, forecasts)
        elif self.by is not None:
            self._by_question_group(question, scores, self.by)

    def group(self, name: str) -> GroupTally:
        group = self.groups.get(name)
        if group is None:
            group = self.groups[name] = GroupTally()
        return group

    def _by_forecaster(self, question: ScoredQuestion, scores: list[ForecasterScore]) -> None:
        outcome = question.outcome
        for score in scores:
            group = self.group(score.forecaster)
            group.count(outcome)
            group.plain[outcome][score.latest] += 1
        if not scores:  # counted under the name it was stated with, if any, as before forecasts
            named = question.named
            if self.only is None or (named is not None and named.lower() == self.only):
                self.group(named or NO_GROUP[GroupBy.forecaster]).count(outcome)

    def _by_question_group(
        self, question: ScoredQuestion, scores: list[ForecasterScore], by: GroupBy
    ) -> None:
        outcome = question.outcome
        for name in question.groups or (None,):
            group = self.group(name if name is not None else NO_GROUP[by])
            group.count(outcome)
            group.plain[outcome].update(map(_LATEST, scores))

    def _by_horizon(self, question: ScoredQuestion, forecasts: Iterable[ForecastRow]) -> None:
        """Every forecast made before the close, in the bucket of how long before the deadline
        it was made; a question counts once in each bucket it has a forecast in."""
        outcome, close, due_at = question.outcome, question.close, question.due_at
        seen = set()
        for _, forecaster, made_at, probability in forecasts:
            if made_at >= close:
                break
            if self.only is not None and forecaster.lower() != self.only:
                continue
            key = horizon(due_at - made_at).key
            self.group(key).plain[outcome][probability] += 1
            seen.add(key)
        for key in seen:
            self.groups[key].count(outcome)
