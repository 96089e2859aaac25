"""Scores of forecasts held over time: time-weighted Brier and log score, and relative Brier.

A forecaster's forecast *in force* at time t is their latest one made at or before t (two made at
the same instant: the later one in input order). Between two forecasts nothing changes, so the
integrals are sums over the instants at which some forecast was made, never a walk minute by
minute. For forecaster f on a question that closed at C with outcome o (1 came true, 0 did not),
f's first forecast made at t0 < C, and p_f(t) the forecast in force:

- time-weighted Brier  TB = (1 / (C - t0)) * integral from t0 to C of (p_f(t) - o)^2 dt
- time-weighted log score, likewise, of -log2 of the probability given to what happened, clamped
  as tracker.domain.scoring clamps it
- relative Brier  RB = TB - (1 / (C - t0)) * integral from t0 to C of median_g (p_g(t) - o)^2 dt,
  the median over every forecaster g with a forecast in force at t (f included; an even count
  takes the mean of the middle two). Negative is better than the crowd. Only defined when at
  least two forecasters have a forecast before C.

Forecasts made at or after C do not count. Times are plain numbers (seconds since the epoch, say)
so that millions of forecasts score in seconds; score_question_at takes aware datetimes. Pure:
standard library only, no database, no clock.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from tracker.domain.scoring import LOG_CLAMP

_LOW, _HIGH = LOG_CLAMP


class TimedForecast(NamedTuple):
    """One forecast as the hot path reads it; any (forecaster, made_at, probability) tuple or
    database row unpacks the same way."""

    forecaster: str
    made_at: float
    probability: float


class ForecasterScore(NamedTuple):
    forecaster: str
    held_from: float  # t0: the first forecast that counts
    brier: float  # time-weighted Brier, 0-1 (0 is perfect)
    log_loss_bits: float  # time-weighted log score in bits (0 is perfect, 1 is always-50%)
    relative_brier: float | None  # TB minus the crowd's; None with fewer than two forecasters
    latest: float  # the probability in force at the close: what the plain scores score


def score_question(
    forecasts: Iterable[tuple[str, float, float]], close: float, outcome: int
) -> list[ForecasterScore]:
    """Each forecaster with a forecast before `close`, in order of their first forecast.

    `forecasts` are (forecaster, made_at, probability), ordered by made_at and, within one
    instant, by id (the later one wins). O(k log k) comparisons for k forecasts; memory
    proportional to the forecasters on the question. This is the hot loop of a summary (3 million
    forecasts), hence the plain lists and the arithmetic written out inline.
    """
    if outcome not in (0, 1):
        raise ValueError("outcome must be 1 (came true) or 0")
    # forecaster -> [first made_at, made_at of the forecast in force, its squared error, its bits,
    # integral of the squared error from first up to then, the same of the bits, crowd at first,
    # the probability in force]
    held: dict[str, list[float]] = {}
    errors: list[float] = []  # squared errors of the forecasts in force, sorted
    crowd = 0.0  # integral of the median squared error from the first forecast up to `now`
    now = -math.inf
    log2, low, high = math.log2, _LOW, _HIGH  # locals: read once, not per forecast
    for forecaster, made_at, probability in forecasts:
        if made_at > now:  # a new instant: the median held since `now` is done
            if made_at >= close:
                break  # ordered by made_at, so every later one is too
            if errors:  # _median written out: a call per instant is a noticeable share here
                n = len(errors)
                crowd += (made_at - now) * (errors[(n - 1) >> 1] + errors[n >> 1]) / 2
            now = made_at
        elif made_at < now:
            raise ValueError("forecasts must be ordered by made_at")
        miss = probability - outcome
        error = miss * miss
        given = probability if outcome else 1.0 - probability  # to what happened
        bits = -log2(low if given < low else high if given > high else given)
        state = held.get(forecaster)
        if state is None:
            held[forecaster] = [made_at, made_at, error, bits, 0.0, 0.0, crowd, probability]
        else:
            span = made_at - state[1]
            state[4] += span * state[2]
            state[5] += span * state[3]
            del errors[bisect_left(errors, state[2])]
            state[1], state[2], state[3], state[7] = made_at, error, bits, probability
        insort(errors, error)
    if errors:
        crowd += (close - now) * _median(errors)
    return _finish(held, close, crowd)


def _median(ordered: list[float]) -> float:
    """The middle value, or the mean of the middle two: with an odd count both indexes name the
    middle one, and (x + x) / 2 is exactly x."""
    n = len(ordered)
    return (ordered[(n - 1) >> 1] + ordered[n >> 1]) / 2


def _finish(held: dict[str, list[float]], close: float, crowd: float) -> list[ForecasterScore]:
    shared = len(held) >= 2
    scores = []
    for name, state in held.items():
        first, since, error, bits, brier_area, log_area, crowd_before, latest = state
        duration = close - first  # > 0: only forecasts before close were read
        span = close - since
        brier = (brier_area + span * error) / duration
        log_bits = (log_area + span * bits) / duration
        relative = brier - (crowd - crowd_before) / duration if shared else None
        scores.append(ForecasterScore(name, first, brier, log_bits, relative, latest))
    return scores


def score_question_at(
    forecasts: Iterable[tuple[str, datetime, float]], close: datetime, outcome: int
) -> list[ForecasterScore]:
    """score_question for aware datetimes; held_from comes back as seconds since the epoch."""
    timed = [(name, seconds(made_at), p) for name, made_at, p in forecasts]
    return score_question(timed, seconds(close), outcome)


def seconds(moment: datetime) -> float:
    """Seconds since the epoch. Naive datetimes are refused: .timestamp() would read them in the
    machine's local zone."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no instant; attach a time zone (UTC)")
    return moment.timestamp()


@dataclass(frozen=True)
class TimeWeightedSummary:
    n: int  # scored (forecaster, question) pairs: for one forecaster, their questions
    brier: float | None  # mean time-weighted Brier, each question weighted equally
    log_loss_bits: float | None
    relative_n: int  # of those, the questions shared with at least one other forecaster
    brier_vs_median: float | None  # mean relative Brier; negative is better than the crowd


def _summary(sums: Sequence[float]) -> TimeWeightedSummary:
    count, brier, log_bits, shared_count, relative = sums
    n, shared = int(count), int(shared_count)
    return TimeWeightedSummary(
        n=n,
        brier=brier / n if n else None,
        log_loss_bits=log_bits / n if n else None,
        relative_n=shared,
        brier_vs_median=relative / shared if shared else None,
    )


class TimeWeightedTotals:
    """Means per forecaster and for all of them together, fed one question at a time, so memory
    grows with the forecasters, never with the questions."""

    def __init__(self) -> None:
        # forecaster -> [questions, sum of TB, sum of log bits, shared questions, sum of RB]
        self._sums: dict[str, list[float]] = {}
        self.questions = 0  # questions with at least one forecast before their close
        self.shared_questions = 0  # ... and at least two forecasters

    def add(self, scores: Sequence[ForecasterScore]) -> None:
        """The scores of one question (score_question's result)."""
        if not scores:
            return
        self.questions += 1
        shared = scores[0].relative_brier is not None  # all or none of a question's are
        self.shared_questions += shared
        for name, _, brier, log_bits, relative, _latest in scores:
            sums = self._sums.get(name)
            if sums is None:
                sums = self._sums[name] = [0, 0.0, 0.0, 0, 0.0]
            sums[0] += 1
            sums[1] += brier
            sums[2] += log_bits
            if relative is not None:
                sums[3] += 1
                sums[4] += relative

    def add_sums(
        self, name: str, count: int, brier: float, log_bits: float, shared: int, relative: float
    ) -> None:
        """One forecaster's sums over many questions at once, as a database aggregates them
        (count of their questions, sums of TB and log bits, shared questions, sum of RB)."""
        sums = self._sums.get(name)
        if sums is None:
            sums = self._sums[name] = [0, 0.0, 0.0, 0, 0.0]
        for index, value in enumerate((count, brier, log_bits, shared, relative)):
            sums[index] += value

    def by_forecaster(self) -> dict[str, TimeWeightedSummary]:
        """By name, for a stable order; the caller ranks."""
        return {name: _summary(self._sums[name]) for name in sorted(self._sums)}

    def overall(self) -> TimeWeightedSummary:
        """All forecasters together: the mean over every scored (forecaster, question) pair."""
        columns = zip(*self._sums.values(), strict=True)
        return _summary([sum(column) for column in columns] or [0, 0.0, 0.0, 0, 0.0])


@dataclass(frozen=True)
class Horizon:
    key: str  # stable, for JSON and the command line
    label: str  # for people
    at_least_days: int  # made at least this long before the deadline (and less than the one above)


HORIZONS = (  # longest first, the order a summary lists them in
    Horizon("90d+", "≥ 90 days", 90),
    Horizon("30-90d", "30\u201390 days", 30),
    Horizon("7-30d", "7\u201330 days", 7),
    Horizon("<7d", "< 7 days", 0),
)
DAY_SECONDS = 86_400


def horizon(seconds_before_deadline: float) -> Horizon:
    """The bucket of a forecast made this long before its deadline. A forecast made after the
    deadline (which a moved deadline can leave behind) falls in the last, shortest bucket."""
    for bucket in HORIZONS:
        if seconds_before_deadline >= bucket.at_least_days * DAY_SECONDS:
            return bucket
    return HORIZONS[-1]


def horizon_of(deadline: datetime, made_at: datetime) -> Horizon:
    return horizon((deadline - made_at).total_seconds())
