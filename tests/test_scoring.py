"""Scores: cross-checked against scikit-learn on random data, and worked by hand."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from tracker.domain.scoring import (
    ForecastCount,
    calibration,
    percent_bin,
    scores,
    timeliness,
    wilson,
)

pytestmark = pytest.mark.no_database


def _expand(rows: list[ForecastCount]) -> tuple[list[int], list[float]]:
    outcomes: list[int] = []
    probabilities: list[float] = []
    for row in rows:
        outcomes += [row.outcome] * row.count
        probabilities += [row.probability] * row.count
    return outcomes, probabilities


def _random_rows(seed: int, n: int = 400) -> list[ForecastCount]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        # whole percents off the bin edges (sklearn's edges are floats), plus the extremes
        p = rng.choice([0.0, 1.0, *(k / 100 for k in range(1, 100) if k % 10)])
        rows.append(ForecastCount(p, int(rng.random() < p * 0.8 + 0.1), rng.randint(1, 3)))
    return rows


@pytest.mark.parametrize("seed", range(5))
def test_brier_and_log_loss_match_scikit_learn(seed: int) -> None:
    rows = _random_rows(seed)
    y, p = _expand(rows)
    result = scores(rows)
    assert result is not None
    assert result.n == len(y)
    assert result.brier == pytest.approx(brier_score_loss(y, p))
    clipped = [min(max(v, 0.001), 0.999) for v in p]
    assert result.log_loss_bits == pytest.approx(log_loss(y, clipped, labels=[0, 1]) / math.log(2))


@pytest.mark.parametrize("seed", range(5))
def test_calibration_matches_scikit_learn(seed: int) -> None:
    rows = [r for r in _random_rows(seed) if 0 < r.probability < 1]
    y, p = _expand(rows)
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    bins = [b for b in calibration(rows, 10) if b.count]
    assert [b.observed for b in bins] == pytest.approx(list(observed))
    assert [b.mean_forecast for b in bins] == pytest.approx(list(predicted))


@pytest.mark.parametrize("seed", range(5))
def test_murphy_decomposition_adds_up(seed: int) -> None:
    result = scores(_random_rows(seed))
    assert result is not None
    assert result.reliability - result.resolution + result.uncertainty == pytest.approx(
        result.brier
    )


def test_a_small_case_by_hand() -> None:
    # 70% twice (one came true), 20% once (did not): Brier = (0.09 + 0.49 + 0.04) / 3
    rows = [ForecastCount(0.7, 1, 1), ForecastCount(0.7, 0, 1), ForecastCount(0.2, 0, 1)]
    result = scores(rows)
    assert result is not None
    assert result.brier == pytest.approx(0.62 / 3)
    expected_bits = (-math.log2(0.7) - math.log2(0.3) - math.log2(0.8)) / 3
    assert result.log_loss_bits == pytest.approx(expected_bits)
    assert result.base_rate == pytest.approx(1 / 3)
    assert result.base_rate_brier == pytest.approx(2 / 9)
    # reliability: 2/3 * (0.7 - 0.5)^2 + 1/3 * (0.2 - 0)^2
    assert result.reliability == pytest.approx(2 / 3 * 0.04 + 1 / 3 * 0.04)
    # resolution: 2/3 * (0.5 - 1/3)^2 + 1/3 * (0 - 1/3)^2
    assert result.resolution == pytest.approx(2 / 3 / 36 + 1 / 27)


def test_certainty_is_clamped_not_infinite() -> None:
    result = scores([ForecastCount(1.0, 0, 1)])
    assert result is not None
    assert result.log_loss_bits == pytest.approx(-math.log2(0.001))
    assert result.brier == 1.0


def test_nothing_to_score_is_none_not_a_division_by_zero() -> None:
    assert scores([]) is None
    assert timeliness([]) is None
    assert all(b.count == 0 and b.observed is None for b in calibration([], 10))


@pytest.mark.parametrize(
    ("probability", "bins", "index"),
    [
        (0.0, 10, 0), (0.1, 10, 1), (0.15, 10, 1), (0.3, 10, 3), (0.35, 10, 3), (0.7, 10, 7),
        (0.9, 10, 9), (0.99, 10, 9), (1.0, 10, 9), (0.33, 3, 0), (0.34, 3, 1), (1.0, 3, 2),
        (0.5, 1, 0), (0.1 * 3, 10, 3), (0.7 * 100 / 100, 10, 7),
    ],
)  # fmt: skip
def test_every_whole_percent_lands_in_exactly_one_bin(
    probability: float, bins: int, index: int
) -> None:
    assert percent_bin(probability, bins) == index


@pytest.mark.parametrize("bins", [1, 3, 7, 10, 20, 100])
def test_bins_cover_0_to_100_without_gaps(bins: int) -> None:
    edges = [(b.low, b.high) for b in calibration([], bins)]
    assert edges[0][0] == 0
    assert edges[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(edges))
    for percent in range(101):
        index = percent_bin(percent / 100, bins)
        low, high = edges[index]
        assert low <= percent < high or (percent == 100 and index == bins - 1)


def test_wilson_interval() -> None:
    low, high = wilson(5, 10)  # the textbook 90% interval for 5 of 10
    assert (low, high) == pytest.approx((0.2693, 0.7307), abs=1e-4)
    low, high = wilson(0, 4)
    assert low == 0.0
    assert 0.3 < high < 0.5


def test_timeliness() -> None:
    result = timeliness([(-3, 2), (0, 1), (5, 1)])
    assert result is not None
    assert (result.count, result.early, result.on_the_day, result.late) == (4, 2, 1, 1)
    assert result.median_days == pytest.approx(-1.5)
    assert result.mean_days == pytest.approx(-0.25)
    assert (result.min_days, result.max_days) == (-3, 5)
