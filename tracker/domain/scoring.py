"""Forecast scores from aggregated rows. Pure: no database, no clock.

Everything here takes (probability, outcome, count) rows, as a GROUP BY returns them, so that a
million resolved predictions cost as much memory as their distinct probabilities. The results
are exact, not binned: the Brier score and the log score sum over the rows, and the Murphy
decomposition groups by distinct forecast, where BS = REL - RES + UNC holds exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LOG_CLAMP = (0.001, 0.999)
Z_90 = 1.6448536269514722  # two-sided 90%: the normal distribution's 95th percentile


@dataclass(frozen=True)
class ForecastCount:
    probability: float
    outcome: int  # 1 came true, 0 did not
    count: int


@dataclass(frozen=True)
class Scores:
    n: int
    brier: float  # mean (p - o)^2, on the 0-1 scale (0 is perfect, 0.25 is always-50%)
    log_loss_bits: float  # mean -log2 p(what happened), p clamped; 0 is perfect, 1 is always-50%
    base_rate: float  # how often these forecasts came true
    base_rate_brier: float  # the Brier score of always forecasting the base rate
    base_rate_log_loss_bits: float
    reliability: float  # Murphy: calibration error (lower is better)
    resolution: float  # Murphy: how far forecasts separate outcomes (higher is better)
    uncertainty: float  # Murphy: base_rate * (1 - base_rate)


@dataclass(frozen=True)
class CalibrationBin:
    low: int  # whole percents; the bin holds forecasts of low% up to (not including) high%,
    high: int  # the last bin includes 100%
    count: int
    mean_forecast: float | None
    observed: float | None
    wilson_low: float | None
    wilson_high: float | None


def scores(rows: Iterable[ForecastCount]) -> Scores | None:
    """None when there is nothing to score (never a division by zero)."""
    by_forecast: dict[float, list[int]] = {}  # p -> [count, came true]
    n = hits = 0
    brier_sum = log_sum = 0.0
    for row in rows:
        if row.count <= 0:
            continue
        n += row.count
        hits += row.outcome * row.count
        brier_sum += row.count * (row.probability - row.outcome) ** 2
        log_sum += row.count * _bits(row.probability, row.outcome)
        totals = by_forecast.setdefault(row.probability, [0, 0])
        totals[0] += row.count
        totals[1] += row.outcome * row.count
    if n == 0:
        return None
    base = hits / n
    reliability = sum(c * (p - t / c) ** 2 for p, (c, t) in by_forecast.items()) / n
    resolution = sum(c * (t / c - base) ** 2 for c, t in by_forecast.values()) / n
    return Scores(
        n=n,
        brier=brier_sum / n,
        log_loss_bits=log_sum / n,
        base_rate=base,
        base_rate_brier=base * (1 - base),
        base_rate_log_loss_bits=base * _bits(base, 1) + (1 - base) * _bits(base, 0),
        reliability=reliability,
        resolution=resolution,
        uncertainty=base * (1 - base),
    )


def _bits(probability: float, outcome: int) -> float:
    p = min(max(probability, LOG_CLAMP[0]), LOG_CLAMP[1])
    return -math.log2(p if outcome else 1 - p)


def percent_bin(probability: float, bins: int) -> int:
    """The bin of a forecast: read as a whole percent first, so that 15% is 15 and lands in
    exactly one bin (float edges would drop 0.3 into the 20-30% bin, as 0.3*10 < 3)."""
    percent = round(probability * 100)
    return min(percent * bins // 100, bins - 1)


def calibration(rows: Iterable[ForecastCount], bins: int = 10) -> list[CalibrationBin]:
    if not 1 <= bins <= 100:
        raise ValueError("bins must be between 1 and 100")
    counts = [0] * bins
    forecast_sums = [0.0] * bins
    true_counts = [0] * bins
    for row in rows:
        index = percent_bin(row.probability, bins)
        counts[index] += row.count
        forecast_sums[index] += row.probability * row.count
        true_counts[index] += row.outcome * row.count
    result = []
    for index in range(bins):
        low, high = _bin_edges(index, bins)
        n = counts[index]
        interval = wilson(true_counts[index], n) if n else None
        result.append(
            CalibrationBin(
                low=low,
                high=high,
                count=n,
                mean_forecast=forecast_sums[index] / n if n else None,
                observed=true_counts[index] / n if n else None,
                wilson_low=interval[0] if interval else None,
                wilson_high=interval[1] if interval else None,
            )
        )
    return result


def _bin_edges(index: int, bins: int) -> tuple[int, int]:
    """Whole-percent edges: bin i holds the percents p with p * bins // 100 == i."""
    low = math.ceil(index * 100 / bins)
    high = math.ceil((index + 1) * 100 / bins)
    return low, high


def wilson(successes: int, n: int, z: float = Z_90) -> tuple[float, float]:
    """The Wilson score interval for a proportion (sound near 0 and 1, unlike p +/- z*se)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Timeliness:
    count: int
    early: int  # happened before the deadline's day
    on_the_day: int
    late: int  # after it: the forecast did not come true in its window
    mean_days: float
    median_days: float
    min_days: int
    max_days: int


def timeliness(days: Iterable[tuple[int, int]]) -> Timeliness | None:
    """From (days relative to the deadline, count) pairs; negative is early."""
    pairs = sorted((d, c) for d, c in days if c > 0)
    total = sum(c for _, c in pairs)
    if total == 0:
        return None
    return Timeliness(
        count=total,
        early=sum(c for d, c in pairs if d < 0),
        on_the_day=sum(c for d, c in pairs if d == 0),
        late=sum(c for d, c in pairs if d > 0),
        mean_days=sum(d * c for d, c in pairs) / total,
        median_days=_weighted_median(pairs, total),
        min_days=pairs[0][0],
        max_days=pairs[-1][0],
    )


def _weighted_median(pairs: Sequence[tuple[int, int]], total: int) -> float:
    def value_at(position: int) -> int:  # 0-based position in the sorted expansion
        seen = 0
        for value, count in pairs:
            seen += count
            if position < seen:
                return value
        return pairs[-1][0]

    middle = total // 2
    if total % 2:
        return float(value_at(middle))
    return (value_at(middle - 1) + value_at(middle)) / 2
