"""Tests for tracker.domain.deadlines: every expected instant is written out by hand, in UTC."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import (
    ACCEPTED_FORMS,
    DueWindow,
    Period,
    Precision,
    parse_day,
    parse_due,
    parse_instant,
    parse_period,
)
from tracker.domain.durations import format_duration, parse_duration
from tracker.errors import InvalidInput

pytestmark = pytest.mark.no_database

UTC_ZONE = ZoneInfo("UTC")
MOSCOW = ZoneInfo("Europe/Moscow")  # +03:00 all year
NEW_YORK = ZoneInfo("America/New_York")  # DST from 9 March to 2 November 2025
AUCKLAND = ZoneInfo("Pacific/Auckland")  # +13:00 in (southern) summer, DST ends 6 April 2025
# Chile changes clocks at local midnight: 2025-04-06 00:00 falls back to 2025-04-05 23:00, and
# 2025-09-07 00:00 jumps to 01:00, so that day has no midnight at all.
SANTIAGO = ZoneInfo("America/Santiago")
# Cuba falls back at 01:00 to 00:00, so midnight itself happens twice on 2025-11-02.
HAVANA = ZoneInfo("America/Havana")
ZONES = {"UTC": UTC_ZONE, "Moscow": MOSCOW, "NewYork": NEW_YORK, "Auckland": AUCKLAND}


def utc(text: str) -> datetime:
    """An expected instant written as ISO 8601 without offset, meaning UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def end_of(text: str) -> datetime:
    """The last microsecond of the UTC second written: 'the period ends just before ...'."""
    return utc(text) + timedelta(microseconds=999_999)


# --- parse_period: each form, exact start/end/precision --------------------------------------

DAY_SPELLINGS = [
    "2025-02-20",
    "20 February 2025",
    "20 Feb 2025",
    "February 20, 2025",
    "Feb 20, 2025",
    "Feb 20 2025",
    "February 20th, 2025",
    "20th February 2025",
    "  FEB   20 , 2025  ",
    "feb. 20,2025",
    "20th feb, 2025",
]


@pytest.mark.parametrize("text", DAY_SPELLINGS)
def test_every_day_spelling_names_the_same_day(text: str) -> None:
    period = parse_period(text, UTC_ZONE)
    assert period == Period(utc("2025-02-20T00:00"), end_of("2025-02-20T23:59:59"), Precision.DAY)


PERIOD_CASES = [
    # text, zone, first instant (UTC), last whole second (UTC), precision
    ("2025-02-20", "UTC", "2025-02-20T00:00", "2025-02-20T23:59:59", Precision.DAY),
    ("2025-02-20", "Moscow", "2025-02-19T21:00", "2025-02-20T20:59:59", Precision.DAY),
    ("2025-02-20", "NewYork", "2025-02-20T05:00", "2025-02-21T04:59:59", Precision.DAY),
    ("Feb 20, 2025", "Auckland", "2025-02-19T11:00", "2025-02-20T10:59:59", Precision.DAY),
    ("Sept 1, 2025", "UTC", "2025-09-01T00:00", "2025-09-01T23:59:59", Precision.DAY),
    ("1st March 2025", "UTC", "2025-03-01T00:00", "2025-03-01T23:59:59", Precision.DAY),
    ("2024-02-29", "UTC", "2024-02-29T00:00", "2024-02-29T23:59:59", Precision.DAY),
    ("2025-12-31", "Moscow", "2025-12-30T21:00", "2025-12-31T20:59:59", Precision.DAY),
    # A day on which New York springs forward is 23 hours long.
    ("2025-03-09", "NewYork", "2025-03-09T05:00", "2025-03-10T03:59:59", Precision.DAY),
    ("2025-W07", "UTC", "2025-02-10T00:00", "2025-02-16T23:59:59", Precision.WEEK),
    ("2025-w07", "Moscow", "2025-02-09T21:00", "2025-02-16T20:59:59", Precision.WEEK),
    ("2025W07", "UTC", "2025-02-10T00:00", "2025-02-16T23:59:59", Precision.WEEK),
    ("week 7 of 2025", "UTC", "2025-02-10T00:00", "2025-02-16T23:59:59", Precision.WEEK),
    ("2025-W01", "UTC", "2024-12-30T00:00", "2025-01-05T23:59:59", Precision.WEEK),
    ("2026-W53", "UTC", "2026-12-28T00:00", "2027-01-03T23:59:59", Precision.WEEK),
    # Starts on EDT (-04:00), ends on EST (-05:00).
    ("2025-W44", "NewYork", "2025-10-27T04:00", "2025-11-03T04:59:59", Precision.WEEK),
    ("2025-02", "UTC", "2025-02-01T00:00", "2025-02-28T23:59:59", Precision.MONTH),
    ("February 2025", "UTC", "2025-02-01T00:00", "2025-02-28T23:59:59", Precision.MONTH),
    ("Feb 2025", "UTC", "2025-02-01T00:00", "2025-02-28T23:59:59", Precision.MONTH),
    ("feb. 2025", "UTC", "2025-02-01T00:00", "2025-02-28T23:59:59", Precision.MONTH),
    ("February 2025", "Moscow", "2025-01-31T21:00", "2025-02-28T20:59:59", Precision.MONTH),
    ("2024-02", "UTC", "2024-02-01T00:00", "2024-02-29T23:59:59", Precision.MONTH),
    ("Sept 2025", "UTC", "2025-09-01T00:00", "2025-09-30T23:59:59", Precision.MONTH),
    ("September 2025", "UTC", "2025-09-01T00:00", "2025-09-30T23:59:59", Precision.MONTH),
    ("May 2025", "UTC", "2025-05-01T00:00", "2025-05-31T23:59:59", Precision.MONTH),
    ("2025-12", "UTC", "2025-12-01T00:00", "2025-12-31T23:59:59", Precision.MONTH),
    ("2025-12", "NewYork", "2025-12-01T05:00", "2026-01-01T04:59:59", Precision.MONTH),
    ("2025-03", "NewYork", "2025-03-01T05:00", "2025-04-01T03:59:59", Precision.MONTH),
    ("2025-04", "Auckland", "2025-03-31T11:00", "2025-04-30T11:59:59", Precision.MONTH),
    ("2025-Q1", "UTC", "2025-01-01T00:00", "2025-03-31T23:59:59", Precision.QUARTER),
    ("Q1 2025", "UTC", "2025-01-01T00:00", "2025-03-31T23:59:59", Precision.QUARTER),
    ("q2 2025", "UTC", "2025-04-01T00:00", "2025-06-30T23:59:59", Precision.QUARTER),
    ("2025-Q3", "UTC", "2025-07-01T00:00", "2025-09-30T23:59:59", Precision.QUARTER),
    ("2025-Q4", "UTC", "2025-10-01T00:00", "2025-12-31T23:59:59", Precision.QUARTER),
    ("2025-Q1", "NewYork", "2025-01-01T05:00", "2025-04-01T03:59:59", Precision.QUARTER),
    ("2025-H1", "UTC", "2025-01-01T00:00", "2025-06-30T23:59:59", Precision.HALF),
    ("H1 2025", "UTC", "2025-01-01T00:00", "2025-06-30T23:59:59", Precision.HALF),
    ("H2 2025", "UTC", "2025-07-01T00:00", "2025-12-31T23:59:59", Precision.HALF),
    ("2025-H2", "Auckland", "2025-06-30T12:00", "2025-12-31T10:59:59", Precision.HALF),
    ("spring 2025", "UTC", "2025-03-01T00:00", "2025-05-31T23:59:59", Precision.SEASON),
    ("Summer 2025", "UTC", "2025-06-01T00:00", "2025-08-31T23:59:59", Precision.SEASON),
    ("autumn 2025", "UTC", "2025-09-01T00:00", "2025-11-30T23:59:59", Precision.SEASON),
    ("fall 2025", "UTC", "2025-09-01T00:00", "2025-11-30T23:59:59", Precision.SEASON),
    ("winter 2025", "UTC", "2025-12-01T00:00", "2026-02-28T23:59:59", Precision.SEASON),
    ("winter 2023", "UTC", "2023-12-01T00:00", "2024-02-29T23:59:59", Precision.SEASON),
    ("winter 2025", "Moscow", "2025-11-30T21:00", "2026-02-28T20:59:59", Precision.SEASON),
    ("winter 2025-26", "UTC", "2025-12-01T00:00", "2026-02-28T23:59:59", Precision.SEASON),
    ("winter 2025\u201326", "UTC", "2025-12-01T00:00", "2026-02-28T23:59:59", Precision.SEASON),
    ("winter 2099-2100", "UTC", "2099-12-01T00:00", "2100-02-28T23:59:59", Precision.SEASON),
    ("2025", "UTC", "2025-01-01T00:00", "2025-12-31T23:59:59", Precision.YEAR),
    ("2025", "Auckland", "2024-12-31T11:00", "2025-12-31T10:59:59", Precision.YEAR),
    ("2025", "NewYork", "2025-01-01T05:00", "2026-01-01T04:59:59", Precision.YEAR),
]


@pytest.mark.parametrize(("text", "zone", "first", "last", "precision"), PERIOD_CASES)
def test_period_bounds(text: str, zone: str, first: str, last: str, precision: Precision) -> None:
    tz = ZONES[zone]
    period = parse_period(text, tz)
    assert period.start == utc(first)
    assert period.end == end_of(last)
    assert period.precision is precision
    # The period is expressed in the zone it was read in, not in UTC.
    assert period.start.tzinfo is tz
    assert period.end.tzinfo is tz


@pytest.mark.parametrize(
    ("text", "first_local_day"),
    [("2025-02", 1), ("2025-Q4", 1), ("spring 2025", 1), ("2025-W07", 10), ("2025", 1)],
)
def test_period_runs_from_local_midnight_to_the_last_microsecond(
    text: str, first_local_day: int
) -> None:
    period = parse_period(text, AUCKLAND)
    start, end = period.start.astimezone(AUCKLAND), period.end.astimezone(AUCKLAND)
    assert (start.day, start.hour, start.minute, start.second, start.microsecond) == (
        first_local_day, 0, 0, 0, 0,
    )  # fmt: skip
    assert (end.hour, end.minute, end.second, end.microsecond) == (23, 59, 59, 999_999)


MIDNIGHT_DST_CASES = [
    # The repeated hour (23:00-23:59 on 5 April) belongs to 5 April: a 25-hour day.
    (SANTIAGO, "2025-04-05", "2025-04-05T03:00", "2025-04-06T03:59:59"),
    (SANTIAGO, "2025-04-06", "2025-04-06T04:00", "2025-04-07T03:59:59"),
    # 7 September has no midnight: it begins at 01:00 local, when 6 September ends.
    (SANTIAGO, "2025-09-06", "2025-09-06T04:00", "2025-09-07T03:59:59"),
    (SANTIAGO, "2025-09-07", "2025-09-07T04:00", "2025-09-08T02:59:59"),
    (SANTIAGO, "2025-09", "2025-09-01T04:00", "2025-10-01T02:59:59"),
    # 2 November starts at the first of its two midnights and lasts 25 hours.
    (HAVANA, "2025-11-01", "2025-11-01T04:00", "2025-11-02T03:59:59"),
    (HAVANA, "2025-11-02", "2025-11-02T04:00", "2025-11-03T04:59:59"),
]


@pytest.mark.parametrize(("tz", "text", "first", "last"), MIDNIGHT_DST_CASES)
def test_midnight_dst_changes(tz: ZoneInfo, text: str, first: str, last: str) -> None:
    period = parse_period(text, tz)
    assert period.start.astimezone(UTC) == utc(first)
    assert period.end.astimezone(UTC) == end_of(last)


def test_a_skipped_midnight_starts_the_day_at_a_real_wall_time() -> None:
    start = parse_period("2025-09-07", SANTIAGO).start
    assert (start.hour, start.minute, start.utcoffset()) == (1, 0, timedelta(hours=-3))


INSTANT_CASES = [
    ("2025-02-20T18:00+02:00", "UTC", "2025-02-20T16:00"),
    ("2025-02-20T18:00+02:00", "NewYork", "2025-02-20T16:00"),
    ("2025-02-20T18:00:00Z", "Moscow", "2025-02-20T18:00"),
    ("2025-02-20t18:00z", "UTC", "2025-02-20T18:00"),
    ("2025-02-20T18:00+0530", "UTC", "2025-02-20T12:30"),
    ("2025-02-20T18:00:30.25-05:00", "UTC", "2025-02-20T23:00:30.250000"),
    # Without an offset the time is wall-clock time in the configured zone.
    ("2025-02-20 18:00", "UTC", "2025-02-20T18:00"),
    ("2025-02-20 18:00", "Moscow", "2025-02-20T15:00"),
    ("2025-02-20T18:00", "NewYork", "2025-02-20T23:00"),
    ("2025-07-20 18:00", "NewYork", "2025-07-20T22:00"),
    ("2025-02-21 05:00", "Auckland", "2025-02-20T16:00"),
    # 02:30 does not exist in New York that morning; it is read with the offset before the gap.
    ("2025-03-09 02:30", "NewYork", "2025-03-09T07:30"),
]


@pytest.mark.parametrize(("text", "zone", "expected"), INSTANT_CASES)
def test_instants(text: str, zone: str, expected: str) -> None:
    tz = ZONES[zone]
    period = parse_period(text, tz)
    assert period.precision is Precision.INSTANT
    assert period.start == period.end == utc(expected)
    assert period.start.tzinfo is tz


INVALID_PERIODS = [
    "",
    "   ",
    "tomorrow",
    "next week",
    "Feb 30 2025",
    "2025-02-30",
    "30 February 2025",
    "2025-02-29",
    "2025-13",
    "2025-00",
    "Febtember 2025",
    "20 Smarch 2025",
    "Feb 20",
    "20/02/2025",
    "2025-2-20",
    "2025-Q5",
    "2025-Q0",
    "Q5 2025",
    "2025-H3",
    "H0 2025",
    "2025-W53",
    "2025-W00",
    "week 54 of 2025",
    "winter 2025-27",
    "spring 2025-26",
    "2025-02-20T25:00",
    "2025-02-20T24:00",
    "2025-02-20T18:60",
    "2025-02-20T18",
    "2025-02-20T18:00+02:75",
    "2025-02-20T18:00+24:00",
    "2025-02-20T18:00 UTC",
    "25",
    "0000",
    "9999",
    "9999-12",
    "\u0662\u0660\u0662\u0665",  # 2025 in Arabic-Indic digits
    # Prefixes and windows belong to parse_due, not to a single period.
    "by 2025",
    "in 2025",
    "2025-03-01..2025-03-31",
]


@pytest.mark.parametrize("text", INVALID_PERIODS)
def test_invalid_periods_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, UTC_ZONE)
    message = str(caught.value)
    assert message == f"cannot read the date {text!r}; use one of: {ACCEPTED_FORMS}"
    assert "\n" not in message


ACCEPTED_EXAMPLES = [
    "2025-02-20",
    "2025-02-20T18:00+02:00",
    "2025-02",
    "February 2025",
    "Feb 20, 2025",
    "2025-Q1",
    "2025-H1",
    "2025-W07",
    "spring 2025",
    "2025",
    "2025-03-01..2025-03-31",
]


@pytest.mark.parametrize("example", ACCEPTED_EXAMPLES)
def test_every_advertised_example_is_accepted(example: str) -> None:
    assert example in ACCEPTED_FORMS
    assert isinstance(parse_due(example, UTC_ZONE), DueWindow)


def test_precision_values_are_stable_strings() -> None:
    assert [str(p) for p in Precision] == [
        "instant", "day", "week", "month", "quarter", "half", "season", "year",
    ]  # fmt: skip


def test_results_are_frozen() -> None:
    period = parse_period("2025", UTC_ZONE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.precision = Precision.DAY  # type: ignore[misc]  # the very write the test forbids


# --- parse_due --------------------------------------------------------------------------------

DUE_CASES = [
    # text, zone, window start (UTC) or None, due at (last whole second, UTC), precision
    ("February 2025", "UTC", None, "2025-02-28T23:59:59", Precision.MONTH),
    ("by February 2025", "UTC", None, "2025-02-28T23:59:59", Precision.MONTH),
    ("BY  2025-Q1", "UTC", None, "2025-03-31T23:59:59", Precision.QUARTER),
    ("until 2025-02-20", "UTC", None, "2025-02-20T23:59:59", Precision.DAY),
    ("Until Feb 20, 2025", "Moscow", None, "2025-02-20T20:59:59", Precision.DAY),
    ("by February 2025", "Moscow", None, "2025-02-28T20:59:59", Precision.MONTH),
    ("in March 2025", "UTC", "2025-03-01T00:00", "2025-03-31T23:59:59", Precision.MONTH),
    ("In 2025-W07", "UTC", "2025-02-10T00:00", "2025-02-16T23:59:59", Precision.WEEK),
    ("during spring 2025", "UTC", "2025-03-01T00:00", "2025-05-31T23:59:59", Precision.SEASON),
    ("in February 2025", "Moscow", "2025-01-31T21:00", "2025-02-28T20:59:59", Precision.MONTH),
    ("in winter 2025", "UTC", "2025-12-01T00:00", "2026-02-28T23:59:59", Precision.SEASON),
    ("2025-H1", "UTC", None, "2025-06-30T23:59:59", Precision.HALF),
    ("2025", "NewYork", None, "2026-01-01T04:59:59", Precision.YEAR),
    ("2025-03-01..2025-03-31", "UTC", "2025-03-01T00:00", "2025-03-31T23:59:59", Precision.DAY),
    (
        "2025-03-01 .. 2025-03-31",
        "Auckland",
        "2025-02-28T11:00",
        "2025-03-31T10:59:59",
        Precision.DAY,
    ),
    (
        "2025-01-10..February 2025",
        "UTC",
        "2025-01-10T00:00",
        "2025-02-28T23:59:59",
        Precision.MONTH,
    ),
    ("2025-03..2025-03", "UTC", "2025-03-01T00:00", "2025-03-31T23:59:59", Precision.MONTH),
    ("2025..2025-02", "UTC", "2025-01-01T00:00", "2025-02-28T23:59:59", Precision.MONTH),
    ("2025-11..2026-Q1", "UTC", "2025-11-01T00:00", "2026-03-31T23:59:59", Precision.QUARTER),
    ("by 2025-02-20T18:00+02:00", "UTC", None, "2025-02-20T16:00", Precision.INSTANT),
    ("in 2025-02-20T18:00Z", "UTC", "2025-02-20T18:00", "2025-02-20T18:00", Precision.INSTANT),
    (
        "2025-02-20T09:00Z..2025-02-20T17:00Z",
        "UTC",
        "2025-02-20T09:00",
        "2025-02-20T17:00",
        Precision.INSTANT,
    ),
    (
        "2025-02-20T17:00Z..2025-02-20T17:00Z",
        "UTC",
        "2025-02-20T17:00",
        "2025-02-20T17:00",
        Precision.INSTANT,
    ),
]


@pytest.mark.parametrize(("text", "zone", "start", "due", "precision"), DUE_CASES)
def test_parse_due(text: str, zone: str, start: str | None, due: str, precision: Precision) -> None:
    window = parse_due(text, ZONES[zone])
    # An instant is exact; every other period ends on the last microsecond of its last second.
    assert window.due_at == (utc(due) if precision is Precision.INSTANT else end_of(due))
    assert window.window_start == (None if start is None else utc(start))
    assert window.precision is precision
    assert window.due_at.tzinfo is UTC
    assert window.window_start is None or window.window_start.tzinfo is UTC


WINDOW_START_CASES = [
    # text, separate window start, zone, window start (UTC)
    ("by 2025-03", "2025-01-10", "UTC", "2025-01-10T00:00"),
    ("2025-03", "2025-01-10", "Moscow", "2025-01-09T21:00"),
    ("2025-Q1", "February 2025", "UTC", "2025-02-01T00:00"),
    ("2025-03", "2025-03-31", "UTC", "2025-03-31T00:00"),
    ("2025-02-20T18:00Z", "2025-02-20T18:00Z", "UTC", "2025-02-20T18:00"),
    ("until 2025-03-31", "2025-03-01 08:30", "NewYork", "2025-03-01T13:30"),
]


@pytest.mark.parametrize(("text", "opens", "zone", "start"), WINDOW_START_CASES)
def test_separate_window_start_uses_its_first_instant(
    text: str, opens: str, zone: str, start: str
) -> None:
    tz = ZONES[zone]
    window = parse_due(text, tz, window_start=opens)
    assert window.window_start == utc(start)
    assert window.window_start.tzinfo is UTC
    assert window.due_at == parse_due(text, tz).due_at


BAD_DUE_CASES = [
    # text, window start argument, a piece of the expected message
    ("2025-04..2025-03", None, "starts after it ends"),
    ("2025-03-02..2025-03-01", None, "starts after it ends"),
    ("2025-02-20T17:00:01Z..2025-02-20T17:00Z", None, "starts after it ends"),
    ("2025-02", "2025-03-01", "is after the due date"),
    ("2025-02-20T18:00Z", "2025-02-20T18:00:01Z", "is after the due date"),
    ("in 2025-03", "2025-01-01", "already gives a window"),
    ("during 2025", "2025-01-01", "already gives a window"),
    ("2025-01..2025-03", "2025-01-01", "already gives a window"),
    ("2025-03", "soon", "cannot read the date 'soon'"),
    ("by", None, "cannot read the date 'by'"),
    ("in ", None, "cannot read the date 'in '"),
    ("by by 2025", None, "cannot read the date 'by 2025'"),
    ("before 2025", None, "cannot read the date"),
    ("..", None, "cannot read the date ''"),
    ("2025-01..", None, "cannot read the date ''"),
    ("2025-01..2025-02..2025-03", None, "cannot read the date '2025-02..2025-03'"),
    ("by 2025-01..2025-02", None, "cannot read the date 'by 2025-01'"),
    ("2025-01..tomorrow", None, "cannot read the date 'tomorrow'"),
]


@pytest.mark.parametrize(("text", "opens", "expected"), BAD_DUE_CASES)
def test_bad_due_phrases(text: str, opens: str | None, expected: str) -> None:
    with pytest.raises(InvalidInput, match=r"^[^\n]*$") as caught:
        parse_due(text, UTC_ZONE, window_start=opens)
    assert expected in str(caught.value)


# --- parse_instant ------------------------------------------------------------------------------

PARSE_INSTANT_CASES = [
    ("2025-02-20", "Moscow", "2025-02-19T21:00"),
    ("February 2025", "NewYork", "2025-02-01T05:00"),
    ("2025-02-20T18:00+02:00", "Auckland", "2025-02-20T16:00"),
    ("winter 2025", "UTC", "2025-12-01T00:00"),
    ("2025-W01", "UTC", "2024-12-30T00:00"),
    ("2025", "Auckland", "2024-12-31T11:00"),
]


@pytest.mark.parametrize(("text", "zone", "expected"), PARSE_INSTANT_CASES)
def test_parse_instant_gives_the_first_instant_in_utc(text: str, zone: str, expected: str) -> None:
    moment = parse_instant(text, ZONES[zone])
    assert moment == utc(expected)
    assert moment.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "by 2025", "2025-02-30"])
def test_parse_instant_rejects_what_parse_period_rejects(text: str) -> None:
    with pytest.raises(InvalidInput, match="cannot read the date"):
        parse_instant(text, UTC_ZONE)


# --- parse_day --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", DAY_SPELLINGS)
def test_parse_day_accepts_every_day_spelling(text: str) -> None:
    assert parse_day(text) == date(2025, 2, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-02-29", date(2024, 2, 29)), ("31 December 1999", date(1999, 12, 31))],
)
def test_parse_day_reads_real_days(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02", "'2025-02' names a whole month, not one day"),
        ("February 2025", "names a whole month"),
        ("2025-W07", "names a whole week"),
        ("2025-Q1", "names a whole quarter"),
        ("H2 2025", "names a whole half"),
        ("spring 2025", "names a whole season"),
        ("2025", "names a whole year"),
        ("2025-02-20T18:00Z", "'2025-02-20T18:00Z' has a time of day"),
        ("2025-02-20 18:00", "has a time of day"),
        ("2025-02-30", "cannot read the day '2025-02-30'"),
        ("", "cannot read the day ''"),
        ("tomorrow", "cannot read the day 'tomorrow'"),
        ("by 2025-02-20", "cannot read the day"),
    ],
)
def test_parse_day_refuses_anything_but_one_day(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_day(text)
    message = str(caught.value)
    assert expected in message
    assert "use a calendar day such as 2025-02-20" in message


# --- describe_due -------------------------------------------------------------------------------

LABELS = [
    ("2025-02-20", "20 February 2025"),
    ("Feb 1, 2025", "1 February 2025"),
    ("2024-02-29", "29 February 2024"),
    ("2025-12-31", "31 December 2025"),
    ("2025-W07", "week 7 of 2025"),
    ("2025-W01", "week 1 of 2025"),
    ("2026-W53", "week 53 of 2026"),
    ("2025-02", "February 2025"),
    ("2024-02", "February 2024"),
    ("Sept 2025", "September 2025"),
    ("2025-12", "December 2025"),
    ("2025-Q1", "Q1 2025"),
    ("Q4 2025", "Q4 2025"),
    ("2025-H1", "H1 2025"),
    ("H2 2025", "H2 2025"),
    ("spring 2025", "spring 2025"),
    ("summer 2025", "summer 2025"),
    ("fall 2025", "autumn 2025"),
    ("winter 2025", "winter 2025\u201326"),
    ("winter 2099", "winter 2099\u20132100"),
    ("2025", "2025"),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("text", "label"), LABELS)
def test_describe_due_round_trips(text: str, label: str, zone: str) -> None:
    tz = ZONES[zone]
    deadline = parse_due(f"by {text}", tz)
    assert describe_due(deadline.due_at, None, deadline.precision, tz) == label
    # A window that is exactly the period reads as the period alone.
    within = parse_due(f"in {text}", tz)
    assert describe_due(within.due_at, within.window_start, within.precision, tz) == label
    # And the label reads back as the same deadline.
    assert parse_due(label, tz) == deadline


@pytest.mark.parametrize(
    ("tz", "text", "label"),
    [
        (SANTIAGO, "2025-04-05", "5 April 2025"),
        (SANTIAGO, "2025-09-07", "7 September 2025"),
        (HAVANA, "2025-11-02", "2 November 2025"),
        (HAVANA, "2025-11", "November 2025"),
        # An instant in Santiago's repeated hour, second pass (-04:00).
        (SANTIAGO, "2025-04-05T23:30-04:00", "5 April 2025 23:30 -04:00"),
    ],
)
def test_describe_due_round_trips_across_midnight_dst_changes(
    tz: ZoneInfo, text: str, label: str
) -> None:
    window = parse_due(f"in {text}", tz)
    assert describe_due(window.due_at, window.window_start, window.precision, tz) == label


def test_window_order_is_judged_by_instants_not_wall_clock() -> None:
    # 23:30 on the first pass (-03:00) comes before 23:10 on the second pass (-04:00).
    window = parse_due("2025-04-05 23:30-03:00..2025-04-05T23:10-04:00", SANTIAGO)
    assert window.window_start == utc("2025-04-06T02:30")
    assert window.due_at == utc("2025-04-06T03:10")
    with pytest.raises(InvalidInput, match="starts after it ends"):
        parse_due("2025-04-05T23:10-04:00..2025-04-05 23:30-03:00", SANTIAGO)


INSTANT_LABELS = [
    ("2025-02-20T18:00+02:00", "UTC", "20 February 2025 16:00 UTC"),
    ("2025-02-20T18:00+02:00", "Moscow", "20 February 2025 19:00 +03:00"),
    ("2025-02-20T18:00+02:00", "NewYork", "20 February 2025 11:00 -05:00"),
    ("2025-07-20T18:00+02:00", "NewYork", "20 July 2025 12:00 -04:00"),
    ("2025-02-20T18:00+02:00", "Auckland", "21 February 2025 05:00 +13:00"),
    ("2025-02-20T18:00:30Z", "UTC", "20 February 2025 18:00:30 UTC"),
    ("2025-02-20T18:00:00.5Z", "UTC", "20 February 2025 18:00:00.500000 UTC"),
    ("2025-02-20 09:05", "Moscow", "20 February 2025 09:05 +03:00"),
]


@pytest.mark.parametrize(("text", "zone", "label"), INSTANT_LABELS)
def test_describe_instants_in_the_zone_with_its_offset(text: str, zone: str, label: str) -> None:
    tz = ZONES[zone]
    window = parse_due(text, tz)
    assert describe_due(window.due_at, None, Precision.INSTANT, tz) == label


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Asia/Kolkata", "20 February 2025 23:30 +05:30"),
        ("Asia/Kathmandu", "20 February 2025 23:45 +05:45"),
        ("Europe/London", "20 February 2025 18:00 UTC"),  # a zero offset reads as UTC
    ],
)
def test_describe_instant_odd_offsets(zone: str, label: str) -> None:
    assert describe_due(utc("2025-02-20T18:00"), None, Precision.INSTANT, ZoneInfo(zone)) == label


WINDOW_LABELS = [
    # due phrase, separate window start or None, zone, label
    ("2025-03-01..2025-03-31", None, "UTC", "1 March 2025 \u2013 31 March 2025"),
    ("2025-03-01..2025-03-31", None, "Moscow", "1 March 2025 \u2013 31 March 2025"),
    ("2025-03-01..2025-03-31", None, "Auckland", "1 March 2025 \u2013 31 March 2025"),
    ("February 2025", "2025-01-10", "UTC", "10 January 2025 \u2013 February 2025"),
    ("February 2025", "2025-01-10", "NewYork", "10 January 2025 \u2013 February 2025"),
    ("2025-03-01..2025-03", None, "NewYork", "March 2025"),
    ("2025-01..2025-Q1", None, "Auckland", "Q1 2025"),
    ("2025-02..2025-Q1", None, "UTC", "1 February 2025 \u2013 Q1 2025"),
    ("2025-12-01..winter 2025", None, "Moscow", "winter 2025\u201326"),
    ("2025-02-10..2025-W07", None, "UTC", "week 7 of 2025"),
    ("2025-02-11..2025-W07", None, "UTC", "11 February 2025 \u2013 week 7 of 2025"),
    ("2025", "2025-02-20 12:30", "Moscow", "20 February 2025 12:30 +03:00 \u2013 2025"),
    (
        "2025-02-20T09:00Z..2025-02-20T17:00Z",
        None,
        "UTC",
        "20 February 2025 09:00 UTC \u2013 20 February 2025 17:00 UTC",
    ),
    ("2025-02-20T17:00Z", "2025-02-20T17:00Z", "UTC", "20 February 2025 17:00 UTC"),
]


@pytest.mark.parametrize(("text", "opens", "zone", "label"), WINDOW_LABELS)
def test_describe_windows(text: str, opens: str | None, zone: str, label: str) -> None:
    tz = ZONES[zone]
    window = parse_due(text, tz, window_start=opens)
    assert describe_due(window.due_at, window.window_start, window.precision, tz) == label


def test_describe_due_reads_the_period_in_the_zone_it_is_given() -> None:
    # The end of Q1 in New York is already 1 April in UTC.
    deadline = parse_due("2025-Q1", NEW_YORK)
    assert describe_due(deadline.due_at, None, Precision.QUARTER, NEW_YORK) == "Q1 2025"
    assert describe_due(deadline.due_at, None, Precision.QUARTER, UTC_ZONE) == "Q2 2025"


def test_describe_due_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        describe_due(datetime(2025, 2, 20), None, Precision.DAY, UTC_ZONE)
    with pytest.raises(ValueError, match="aware"):
        describe_due(utc("2025-02-20T00:00"), datetime(2025, 2, 1), Precision.DAY, UTC_ZONE)


# --- durations --------------------------------------------------------------------------------

DURATIONS = [
    ("7d", timedelta(days=7)),
    ("1d", timedelta(days=1)),
    ("12h", timedelta(hours=12)),
    ("30m", timedelta(minutes=30)),
    ("45s", timedelta(seconds=45)),
    ("2w", timedelta(weeks=2)),
    ("1d12h", timedelta(days=1, hours=12)),
    ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
    ("90m", timedelta(minutes=90)),
    ("1D", timedelta(days=1)),
    (" 1d 12h ", timedelta(days=1, hours=12)),
    ("0d1h", timedelta(hours=1)),
]


@pytest.mark.parametrize(("text", "expected"), DURATIONS)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "d",
        "7",
        "-1d",
        "1.5d",
        "12h1d",
        "1y",
        "7 days",
        "1dd",
        "d7",
        "1d-2h",
        "9" * 20 + "d",
    ],
)
def test_parse_duration_rejects_malformed(text: str) -> None:
    with pytest.raises(
        InvalidInput, match=r"cannot read the duration .*; use .*7d, 12h, 30m, 45s, 2w"
    ):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0d", "0s", "0h0m", "0w"])
def test_parse_duration_rejects_zero(text: str) -> None:
    with pytest.raises(InvalidInput, match="must be longer than zero"):
        parse_duration(text)


FORMATTED = [
    (timedelta(days=301), "301 days"),
    (timedelta(days=2, hours=4), "2 days"),
    (timedelta(days=1, hours=4, minutes=30), "1 day 4 hours"),
    (timedelta(days=2, minutes=5), "2 days"),
    (timedelta(days=1), "1 day"),
    (timedelta(hours=1, minutes=1), "1 hour 1 minute"),
    (timedelta(hours=3), "3 hours"),
    (timedelta(hours=23, minutes=59, seconds=59), "23 hours 59 minutes"),
    (timedelta(minutes=45), "45 minutes"),
    (timedelta(minutes=1, seconds=59), "1 minute"),
    (timedelta(seconds=45), "45 seconds"),
    (timedelta(seconds=1), "1 second"),
    (timedelta(microseconds=999_999), "0 seconds"),
    (timedelta(0), "0 seconds"),
    (-timedelta(days=3), "-3 days"),
    (-timedelta(hours=1, minutes=30), "-1 hour 30 minutes"),
]


@pytest.mark.parametrize(("delta", "expected"), FORMATTED)
def test_format_duration(delta: timedelta, expected: str) -> None:
    assert format_duration(delta) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1d12h", "1 day 12 hours"), ("2w", "14 days"), ("90m", "1 hour 30 minutes")],
)
def test_format_duration_reads_parsed_durations(text: str, expected: str) -> None:
    assert format_duration(parse_duration(text)) == expected
