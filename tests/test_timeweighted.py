"""Time-weighted and relative scores: worked by hand, at the edges, and against a brute-force
minute-by-minute computation on random histories."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.scoring import ForecastCount, scores
from tracker.domain.timeweighted import (
    DAY_SECONDS,
    HORIZONS,
    ForecasterScore,
    TimedForecast,
    TimeWeightedSummary,
    TimeWeightedTotals,
    horizon,
    horizon_of,
    score_question,
    score_question_at,
)

pytestmark = pytest.mark.no_database

History = list[tuple[str, int, float]]  # (forecaster, minute made, probability), in id order


def _by_name(result: list[ForecasterScore]) -> dict[str, ForecasterScore]:
    return {score.forecaster: score for score in result}


def test_two_forecasters_worked_by_hand() -> None:
    # Closed at 10, did not happen. A says 0.8 at 0 and 0.2 at 5; B says 0.5 at 2.
    history = [TimedForecast("A", 0, 0.8), TimedForecast("B", 2, 0.5), TimedForecast("A", 5, 0.2)]
    result = score_question(history, close=10, outcome=0)
    assert [s.forecaster for s in result] == ["A", "B"]
    a, b = result
    assert a.held_from == 0
    assert b.held_from == 2
    assert a.brier == pytest.approx((5 * 0.64 + 5 * 0.04) / 10)  # 0.34
    assert b.brier == pytest.approx(0.25)
    assert a.log_loss_bits == pytest.approx(math.log2(2.5))  # (log2 5 + log2 1.25) / 2
    assert b.log_loss_bits == pytest.approx(1.0)
    # The median squared error: 0.64 on [0, 2) (A alone), the mean of 0.64 and 0.25 on [2, 5),
    # of 0.04 and 0.25 on [5, 10).
    assert a.relative_brier == pytest.approx(0.34 - (2 * 0.64 + 3 * 0.445 + 5 * 0.145) / 10)
    assert b.relative_brier == pytest.approx(0.25 - (3 * 0.445 + 5 * 0.145) / 8)
    assert b.relative_brier is not None
    assert a.relative_brier is not None
    assert b.relative_brier < 0 < a.relative_brier  # B beat the crowd, A did not
    assert (a.latest, b.latest) == (0.2, 0.5)  # in force at the close: the plain scores' own


def test_the_readme_worked_example() -> None:
    """The numbers in README's "Scores over time: a worked example"."""
    day = [datetime(2024, 12, 24, tzinfo=UTC) + timedelta(days=n) for n in range(68)]
    history = [("ISW", day[0], 0.6), ("Desk", day[10], 0.3), ("ISW", day[27], 0.4)]
    history += [("Desk", day[35], 0.1), ("ISW", day[48], 0.2)]
    close = day[67] - timedelta(microseconds=1)  # the last instant of 28 February 2025
    assert day[67] == datetime(2025, 3, 1, tzinfo=UTC)
    figures = {
        s.forecaster: (
            round(s.brier, 3),
            round(s.log_loss_bits, 3),
            round(s.relative_brier or 0, 3),
        )
        for s in score_question_at(history, close, 0)
    }
    assert figures == {"ISW": (0.207, 0.855, 0.057), "Desk": (0.045, 0.311, -0.067)}


def test_the_median_of_three_is_the_middle_one() -> None:
    history = [("A", 0, 0.9), ("B", 0, 0.5), ("C", 0, 0.2)]
    a, b, c = score_question(history, close=4, outcome=1)
    assert b.relative_brier == 0.0
    assert a.relative_brier == pytest.approx(0.01 - 0.25)
    assert c.relative_brier == pytest.approx(0.64 - 0.25)


def test_one_forecast_held_throughout_scores_as_the_plain_score() -> None:
    # Probabilities 0 and 1 are clamped for the log score exactly as scoring.scores clamps them.
    for probability in (0.0, 0.37, 1.0):
        for outcome in (0, 1):
            [score] = score_question([("A", 100, probability)], close=400, outcome=outcome)
            plain = scores([ForecastCount(probability, outcome, 1)])
            assert plain is not None
            assert score.brier == pytest.approx(plain.brier)
            assert score.log_loss_bits == pytest.approx(plain.log_loss_bits)


def test_forecasts_at_or_after_close_do_not_count() -> None:
    history = [("A", 0, 0.3), ("B", 10, 0.9), ("A", 10, 0.9), ("C", 12, 0.1)]
    [a] = score_question(history, close=10, outcome=0)
    assert a.forecaster == "A"  # B and C forecast only at or after the close: absent
    assert a.brier == pytest.approx(0.09)
    assert a.relative_brier is None  # one forecaster left: nothing to compare with
    assert score_question([("B", 10, 0.9)], close=10, outcome=1) == []


def test_of_two_forecasts_at_one_instant_the_later_one_is_in_force() -> None:
    history = [("A", 0, 0.9), ("B", 0, 0.5), ("A", 0, 0.1)]
    a, b = score_question(history, close=8, outcome=0)
    assert a.brier == pytest.approx(0.01)
    assert b.brier == pytest.approx(0.25)
    assert a.relative_brier == pytest.approx(0.01 - (0.01 + 0.25) / 2)
    reordered = score_question([history[2], history[1], history[0]], close=8, outcome=0)
    assert _by_name(reordered)["A"].brier == pytest.approx(0.81)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="ordered"):
        score_question([("A", 5, 0.5), ("B", 3, 0.5)], close=10, outcome=1)
    with pytest.raises(ValueError, match="outcome"):
        score_question([("A", 5, 0.5)], close=10, outcome=2)
    with pytest.raises(ValueError, match="naive"):
        score_question_at([("A", datetime(2025, 1, 1), 0.5)], datetime(2025, 2, 1, tzinfo=UTC), 1)


def test_datetimes_score_as_their_seconds() -> None:
    start = datetime(2024, 12, 24, tzinfo=UTC)
    history = [("A", start, 0.8), ("B", start + timedelta(days=2), 0.5)]
    close = start + timedelta(days=10)
    by_dates = score_question_at(history, close, 0)
    by_seconds = score_question(
        [(name, made_at.timestamp(), p) for name, made_at, p in history], close.timestamp(), 0
    )
    assert by_dates == by_seconds
    assert by_dates[1].brier == pytest.approx(0.25)


def test_totals_weight_each_question_equally() -> None:
    totals = TimeWeightedTotals()
    totals.add(score_question([("A", 0, 0.8), ("B", 2, 0.5), ("A", 5, 0.2)], 10, 0))
    totals.add(score_question([("A", 0, 0.5)], 1_000_000, 1))  # long, but one question
    totals.add([])  # no forecast before its close: not a question scored
    by_forecaster = totals.by_forecaster()
    assert list(by_forecaster) == ["A", "B"]
    a = by_forecaster["A"]
    assert (a.n, a.relative_n) == (2, 1)
    assert a.brier == pytest.approx((0.34 + 0.25) / 2)
    assert a.log_loss_bits == pytest.approx((math.log2(2.5) + 1) / 2)
    assert a.brier_vs_median == pytest.approx(0.006)
    everyone = totals.overall()
    assert (everyone.n, everyone.relative_n) == (3, 2)
    assert everyone.brier == pytest.approx((0.34 + 0.25 + 0.25) / 3)
    assert everyone.brier_vs_median == pytest.approx((0.006 - 0.0075) / 2)
    assert (totals.questions, totals.shared_questions) == (2, 1)


def test_totals_of_nothing_are_empty_not_zero() -> None:
    totals = TimeWeightedTotals()
    empty = TimeWeightedSummary(0, None, None, 0, None)
    assert totals.overall() == empty
    assert totals.by_forecaster() == {}
    totals.add(score_question([("A", 0, 0.5)], 10, 1))
    assert totals.overall().brier_vs_median is None
    assert totals.overall().relative_n == 0


def test_horizons() -> None:
    assert [h.key for h in HORIZONS] == ["90d+", "30-90d", "7-30d", "<7d"]
    day = DAY_SECONDS
    assert horizon(400 * day).key == "90d+"
    assert horizon(90 * day).key == "90d+"
    assert horizon(90 * day - 1).key == "30-90d"
    assert horizon(30 * day).key == "30-90d"
    assert horizon(30 * day - 0.5).key == "7-30d"
    assert horizon(7 * day).key == "7-30d"
    assert horizon(7 * day - 1).key == "<7d"
    assert horizon(0).key == "<7d"
    assert horizon(-day).key == "<7d"  # made after a deadline that later moved earlier
    deadline = datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert horizon_of(deadline, datetime(2024, 12, 24, tzinfo=UTC)).label == "30\u201390 days"


def _brute_force(history: History, close: int, outcome: int) -> dict[str, tuple[float, ...]]:
    """Minute by minute: every forecast is made on a whole minute, so whatever is in force at a
    minute's start holds all through it. (TB, log bits, RB or nan) per forecaster."""
    counted = [forecast for forecast in history if forecast[1] < close]
    first: dict[str, int] = {}
    for name, made_at, _ in counted:
        first.setdefault(name, made_at)
    sums: dict[str, list[float]] = {name: [0.0, 0.0, 0.0] for name in first}
    for minute in range(min(first.values(), default=close), close):
        in_force = {}
        for name, made_at, probability in counted:  # in id order: a later one overrides
            if made_at <= minute:
                in_force[name] = probability
        errors = {name: (p - outcome) ** 2 for name, p in in_force.items()}
        median = statistics.median(errors.values())
        for name, probability in in_force.items():
            plain = scores([ForecastCount(probability, outcome, 1)])
            assert plain is not None
            sums[name][0] += errors[name]
            sums[name][1] += plain.log_loss_bits
            sums[name][2] += errors[name] - median
    shared = len(first) >= 2
    return {
        name: (tb / (close - first[name]), bits / (close - first[name]))
        + ((relative / (close - first[name]),) if shared else ())
        for name, (tb, bits, relative) in sums.items()
    }


_NAMES = ("ISW", "GUR", "desk", "Caliber.Az", "crowd")
_histories = st.lists(
    st.tuples(
        st.sampled_from(_NAMES),
        st.integers(0, 90),
        st.one_of(st.sampled_from([0.0, 0.0005, 0.5, 0.9995, 1.0]), st.floats(0, 1)),
    ),
    min_size=1,
    max_size=30,
).map(lambda forecasts: _at_most_six_each(sorted(forecasts, key=lambda f: f[1])))
_questions = st.tuples(_histories, st.integers(1, 100), st.integers(0, 1))


def _at_most_six_each(history: History) -> History:
    seen: dict[str, int] = {}
    kept = []
    for forecast in history:
        seen[forecast[0]] = seen.get(forecast[0], 0) + 1
        if seen[forecast[0]] <= 6:
            kept.append(forecast)
    return kept


def _in_seconds(history: History) -> list[tuple[str, float, float]]:
    """Whole minutes as seconds since the epoch in 2025: a realistic magnitude for the floats."""
    return [(name, 1_735_689_600 + 60 * minute, p) for name, minute, p in history]


@settings(max_examples=300, deadline=None)
@given(_questions)
def test_one_question_agrees_with_minute_by_minute(question: tuple[History, int, int]) -> None:
    history, close, outcome = question
    expected = _brute_force(history, close, outcome)
    result = score_question(_in_seconds(history), 1_735_689_600 + 60 * close, outcome)
    assert list(_by_name(result)) == list(expected)
    for score in result:
        tb, bits, *relative = expected[score.forecaster]
        assert score.brier == pytest.approx(tb, abs=1e-9)
        assert score.log_loss_bits == pytest.approx(bits, abs=1e-9)
        if relative:
            assert score.relative_brier == pytest.approx(relative[0], abs=1e-9)
        else:
            assert score.relative_brier is None


@settings(max_examples=100, deadline=None)
@given(st.lists(_questions, min_size=1, max_size=5))
def test_totals_agree_with_minute_by_minute(questions: list[tuple[History, int, int]]) -> None:
    totals = TimeWeightedTotals()
    expected: dict[str, list[tuple[float, ...]]] = {}
    for history, close, outcome in questions:
        totals.add(score_question(history, close, outcome))
        for name, figures in _brute_force(history, close, outcome).items():
            expected.setdefault(name, []).append(figures)
    by_forecaster = totals.by_forecaster()
    assert sorted(by_forecaster) == sorted(expected)
    for name, summary in by_forecaster.items():
        _assert_means(summary, expected[name])
    _assert_means(totals.overall(), [f for figures in expected.values() for f in figures])


def _assert_means(summary: TimeWeightedSummary, figures: list[tuple[float, ...]]) -> None:
    shared = [f[2] for f in figures if len(f) == 3]
    assert (summary.n, summary.relative_n) == (len(figures), len(shared))
    if not figures:  # every forecast came at or after the close
        assert summary == TimeWeightedSummary(0, None, None, 0, None)
        return
    assert summary.brier == pytest.approx(statistics.fmean(f[0] for f in figures), abs=1e-9)
    assert summary.log_loss_bits == pytest.approx(statistics.fmean(f[1] for f in figures), abs=1e-9)
    if shared:
        assert summary.brier_vs_median == pytest.approx(statistics.fmean(shared), abs=1e-9)
    else:
        assert summary.brier_vs_median is None
