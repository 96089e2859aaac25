"""Forecasts, pure: reading one, which is in force when, and when a question closes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.forecasts import (
    check_made_at,
    close_time,
    forecast_input,
    in_force,
)
from tracker.domain.inputs import parse_probability
from tracker.errors import InvalidInput

pytestmark = pytest.mark.no_database

UTC = dt.UTC


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2025, 1, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "value"),
    [("7:3", 0.7), ("1:1", 0.5), (" 3 : 1 ", 0.75), ("0:5", 0.0), ("2.5:7.5", 0.25)],
)
def test_odds_read_as_probabilities(text: str, value: float) -> None:
    assert parse_probability(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["0:0", "7:", ":3", "7:3:1", "-1:3", "7/3", "1e3:1"])
def test_odds_that_say_nothing_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="probability"):
        parse_probability(text)


def test_a_forecast_is_validated_field_by_field() -> None:
    read = forecast_input(
        {"forecaster": " ISW ", "probability": "70%", "made_at": "2025-01-02T03:00:00+02:00",
         "source_url": "https://example.org/a", "basis": "implied by 'may'"}
    )  # fmt: skip
    assert (read.forecaster, read.probability) == ("ISW", 0.7)
    assert read.made_at == dt.datetime(2025, 1, 2, 1, tzinfo=UTC)
    assert read.source is not None
    assert read.source.url == "https://example.org/a"
    assert read.basis == "implied by 'may'"
    # No offset: UTC, unless the caller names a zone.
    assert forecast_input(
        {"forecaster": "A", "probability": 1, "made_at": "2025-01-02"}
    ).made_at == at(2)
    tokyo = forecast_input(
        {"forecaster": "A", "probability": 1, "made_at": "2025-01-02"}, tz=ZoneInfo("Asia/Tokyo")
    )
    assert tokyo.made_at == dt.datetime(2025, 1, 1, 15, tzinfo=UTC)
    for raw, problem in (
        ({"probability": 0.5}, "forecaster is required"),
        ({"forecaster": "A"}, "probability is required"),
        ({"forecaster": "A", "probability": 2}, "outside"),
        ({"forecaster": "A", "probability": 0.5, "made_at": "0999-01-01"}, "made_at"),
        ({"forecaster": "A", "probability": 0.5, "when": "today"}, "'when' is not a field"),
        ({"forecaster": "A", "probability": 0.5, "basis": "x" * 501}, "too long"),
    ):
        with pytest.raises(InvalidInput, match=problem):
            forecast_input(raw)


@dataclass
class F:
    forecaster: str
    made_at: dt.datetime
    id: int | None
    probability: float = 0.5


def test_the_latest_forecast_at_a_time_is_in_force() -> None:
    history = [F("B", at(3), 4), F("A", at(1), 1), F("A", at(5), 2), F("A", at(5), 3)]
    assert in_force(history, at(1, 0)) == {"A": history[1]}
    assert in_force(history, at(4)) == {"A": history[1], "B": history[0]}
    # Two forecasts at one time: the later id is in force.
    assert in_force(history, at(5))["A"].id == 3
    assert in_force(history)["A"].id == 3
    assert in_force(history, at(1) - dt.timedelta(microseconds=1)) == {}
    assert list(in_force(history)) == ["A", "B"]  # in the order they first forecast


def test_a_question_closes_at_the_earliest_of_its_deadline_resolution_and_event() -> None:
    due = at(20)
    assert close_time(due) == due
    assert close_time(due, resolved_at=at(25)) == due
    assert close_time(due, resolved_at=at(10)) == at(10)
    tokyo = ZoneInfo("Asia/Tokyo")
    # The day it happened starts at midnight in the deadline's zone.
    assert close_time(due, at(15), dt.date(2025, 1, 8), tokyo) == dt.datetime(
        2025, 1, 7, 15, tzinfo=UTC
    )


def test_a_forecast_after_the_close_or_in_the_future_is_refused() -> None:
    now = at(10)
    assert check_made_at(at(9), close=at(20), now=now) == at(9)
    assert check_made_at(now + dt.timedelta(minutes=5), close=at(20), now=now)
    with pytest.raises(InvalidInput, match="in the future"):
        check_made_at(now + dt.timedelta(minutes=6), close=at(20), now=now)
    with pytest.raises(InvalidInput, match="closed at 2025-01-05T00:00:00Z"):
        check_made_at(at(5), close=at(5), now=now)
