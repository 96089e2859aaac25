"""Digest schedules: parsing, and periods that tile time with one send each."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.digests import (
    next_send_after,
    parse_digest,
    period_containing,
    periods_ended,
)
from tracker.errors import InvalidInput

pytestmark = pytest.mark.no_database

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


def test_parsing() -> None:
    daily = parse_digest("daily 08:00", BERLIN)
    assert (daily.weekly, daily.at) == (False, dt.time(8, 0))
    weekly = parse_digest("  Weekly  Monday 8:30 ", BERLIN)
    assert (weekly.weekly, weekly.weekday, weekly.at) == (True, 0, dt.time(8, 30))
    assert weekly.describe() == "weekly mon 08:30 (Europe/Berlin)"


@pytest.mark.parametrize(
    "text", ["daily", "daily 25:00", "daily 08:60", "weekly 08:00", "daily mon 08:00",
             "weekly xyz 08:00", "hourly 08:00", "", "daily 8"]
)  # fmt: skip
def test_bad_schedules_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="digest"):
        parse_digest(text, BERLIN)


def test_a_daily_digest_keeps_its_wall_clock_time_across_daylight_saving() -> None:
    schedule = parse_digest("daily 08:00", BERLIN)
    before = dt.datetime(2025, 3, 29, 12, tzinfo=dt.UTC)  # Saturday; clocks jump on Sunday
    sends = []
    moment = before
    for _ in range(3):
        moment = next_send_after(moment, schedule)
        sends.append(moment)
    assert [s.astimezone(BERLIN).strftime("%d %H:%M") for s in sends] == [
        "30 08:00", "31 08:00", "01 08:00"
    ]  # fmt: skip
    assert sends[1] - sends[0] == dt.timedelta(hours=24)
    assert sends[0] - next_send_after(before - dt.timedelta(days=1), schedule) == dt.timedelta(
        hours=23
    )  # the short day


def test_a_weekly_digest_and_its_periods() -> None:
    schedule = parse_digest("weekly mon 08:00", UTC)
    wednesday = dt.datetime(2025, 2, 19, 15, tzinfo=dt.UTC)
    period = period_containing(wednesday, schedule)
    assert (period.start, period.end) == (
        dt.datetime(2025, 2, 17, 8, tzinfo=dt.UTC), dt.datetime(2025, 2, 24, 8, tzinfo=dt.UTC)
    )  # fmt: skip
    assert period.key == "20250224T0800Z"
    at_send = period_containing(period.end, schedule)
    assert at_send == period  # a send time ends its own period
    missed = periods_ended(wednesday, wednesday + dt.timedelta(days=15), schedule)
    assert [p.key for p in missed] == ["20250224T0800Z", "20250303T0800Z"]
    assert periods_ended(wednesday, wednesday + dt.timedelta(hours=1), schedule) == []


zones = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2026, 12, 31),
    timezones=st.just(dt.UTC),
)
specs = st.sampled_from(["daily 08:00", "daily 02:30", "weekly sun 02:30", "weekly fri 23:59"])


@given(moment=moments, zone=zones, spec=specs)
def test_every_moment_falls_in_exactly_one_period(
    moment: dt.datetime, zone: str, spec: str
) -> None:
    schedule = parse_digest(spec, ZoneInfo(zone))
    period = period_containing(moment, schedule)
    assert period.start < moment <= period.end
    assert period.end == next_send_after(period.start, schedule)  # no send inside it
    assert dt.timedelta(hours=20) <= period.end - period.start <= dt.timedelta(days=7, hours=4)
    listed = periods_ended(period.start, period.end, schedule)
    assert listed == [period]
