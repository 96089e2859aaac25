"""Readers for calendar dates: days, months, seasons, quarters, halves, years and decades, with
or without a year ("March 3" is read as the occurrence the sentence means; see Anchor).

Each reader takes the named groups of its pattern in `phrases`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from tracker.domain.deadlines import Precision
from tracker.extract.calendar import Span, day_span, months, period, safe_day, years
from tracker.extract.readings import (
    SEASON_FIRST_MONTH,
    Anchor,
    Reading,
    month_number,
)


def _dated_day(year: int, month: int | None, day: int) -> Reading | None:
    found = safe_day(year, month, day) if month else None
    return Reading(day_span(found), year_given=year) if found else None


def read_iso_day(m: re.Match[str], anchor: Anchor) -> Reading | None:
    return _dated_day(int(m["year"]), int(m["mo"]), int(m["day"]))


def read_numeric_day(m: re.Match[str], anchor: Anchor) -> Reading | None:
    first, second = int(m["a"]), int(m["b"])
    # 20.02.2025 is European; with slashes, a first number over 12 must be a day, and otherwise
    # the US order (month/day) is assumed.
    day_first = m["sep"] == "." or first > 12
    month, day = (second, first) if day_first else (first, second)
    return _dated_day(int(m["year"]), month if month <= 12 else None, day)


def read_named_day(m: re.Match[str], anchor: Anchor) -> Reading | None:
    month, day = month_number(m["month"]), int(m["day"])
    if m["year"]:
        return _dated_day(int(m["year"]), month, day)
    if month is None:
        return None

    def make(year: int) -> Span | None:
        found = safe_day(year, month, day)
        return day_span(found) if found else None

    span = anchor.occurrence(make)
    return Reading(span, remake=make) if span else None


def read_day_range(m: re.Match[str], anchor: Anchor) -> Reading | None:
    month, first_day, last_day = month_number(m["month"]), int(m["day"]), int(m["day2"])
    if month is None or not first_day < last_day:
        return None

    def make(year: int) -> Span | None:
        first, last = safe_day(year, month, first_day), safe_day(year, month, last_day)
        return Span(first, last, Precision.DAY) if first and last else None

    if m["year"]:
        span = make(int(m["year"]))
        return Reading(span, year_given=int(m["year"])) if span else None
    found = anchor.occurrence(make)
    return Reading(found, remake=make) if found else None


def read_month(m: re.Match[str], anchor: Anchor) -> Reading | None:
    month = month_number(m["month"])
    if month is None:
        return None
    if m["year"]:
        return Reading(months(date(int(m["year"]), month, 1), 1), year_given=int(m["year"]))

    def make(year: int) -> Span:
        return months(date(year, month, 1), 1)

    found = anchor.occurrence(make)
    return Reading(found, needs_connective=True, remake=make) if found else None


def read_iso_month(m: re.Match[str], anchor: Anchor) -> Reading | None:
    return Reading(months(date(int(m["year"]), int(m["mo"]), 1), 1), year_given=int(m["year"]))


# Seasons, quarters, halves, years ------------------------------------------------------------


def season_in(season: str) -> Callable[[int], Span]:
    return lambda year: period(date(year, SEASON_FIRST_MONTH[season], 1), Precision.SEASON)


def read_season(m: re.Match[str], anchor: Anchor) -> Reading | None:
    make = season_in(m["season"].lower())
    if m["year"]:
        return Reading(make(int(m["year"])), year_given=int(m["year"]))
    found = anchor.occurrence(make)
    return Reading(found, needs_connective=True, remake=make) if found else None


def _part_of_year(m: re.Match[str], anchor: Anchor, number: int, precision: Precision) -> Reading:
    """A quarter or half, in the year written, or (yearless) the one that comes next."""
    length = 3 if precision is Precision.QUARTER else 6

    def make(year: int) -> Span:
        return period(date(year, (number - 1) * length + 1, 1), precision)

    if m["year"] or m["yy"]:
        year = int(m["year"]) if m["year"] else 2000 + int(m["yy"])
        return Reading(make(year), year_given=year)
    if m["rel"] or m["the"]:
        ahead = (m["rel"] or "").split()[-1:] in (["next"], ["coming"])
        return Reading(make(anchor.published.year + ahead), looks_ahead=ahead)
    found = anchor.occurrence(make)
    assert found is not None
    return Reading(found, needs_connective=True, remake=make)


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4}


def read_quarter(m: re.Match[str], anchor: Anchor) -> Reading | None:
    word = (m["ordinal"] or "").lower()
    if word == "last" and not (m["year"] or m["yy"] or m["rel"] or m["the"]):
        return None  # "last quarter" is the one before
    number = int(m["q"] or m["q2"] or _ORDINALS.get(word, 4))
    return _part_of_year(m, anchor, number, Precision.QUARTER)


def read_half(m: re.Match[str], anchor: Anchor) -> Reading | None:
    word = (m["ordinal"] or "").lower()
    number = int(m["h"] or m["h2"] or (1 if word in ("first", "1st") else 2))
    return _part_of_year(m, anchor, number, Precision.HALF)


def read_year(m: re.Match[str], anchor: Anchor) -> Reading | None:
    year = int(m["year"])
    return Reading(years(year, 1), needs_connective=True, year_given=year)


def read_year_range(m: re.Match[str], anchor: Anchor) -> Reading | None:
    first, written = int(m["year"]), m["year2"]
    last = int(written) if len(written) == 4 else first // 100 * 100 + int(written)
    if not first < last <= first + 20:
        return None
    return Reading(years(first, last - first + 1), needs_connective=True, year_given=last)


def read_decade(m: re.Match[str], anchor: Anchor) -> Reading | None:
    return Reading(years(int(m["decade"]), 10), needs_connective=True)


def read_week_of_month(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """ "the first week of January": days 1-7; "the last week of January": its last seven."""
    month = month_number(m["month"])
    if month is None:
        return None
    ordinal = m["ordinal"].lower()

    def make(year: int) -> Span:
        whole = months(date(year, month, 1), 1)
        if ordinal in ("last", "final"):
            return Span(whole.last - timedelta(days=6), whole.last, Precision.DAY)
        first = whole.first + timedelta(days=7 * _WEEK_ORDINALS[ordinal])
        return Span(first, first + timedelta(days=6), Precision.DAY)

    if m["year"]:
        return Reading(make(int(m["year"])), year_given=int(m["year"]))
    span = anchor.occurrence(make)
    return Reading(span, remake=make) if span else None


_WEEK_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3}


def read_day_of_month(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """ "by the 15th": the next 15th of a month, this month's if it has not passed."""
    day = int(m["day"])
    if not 1 <= day <= 31:
        return None
    published = anchor.published
    for step in range(0, 3):
        month_start = date(published.year + (published.month - 1 + step) // 12,
                           (published.month - 1 + step) % 12 + 1, 1)  # fmt: skip
        found = safe_day(month_start.year, month_start.month, day)
        if found is not None and found >= published:
            return Reading(day_span(found))
    return None


def read_week_starting(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """ "the week starting 9 June": seven days from it; "the week of Oct. 12": the week, Monday
    to Sunday, that holds it."""
    day = read_named_day(m, anchor)
    if day is None:
        return None
    first = day.window.first
    if m.group().lower().split("week", 1)[1].split()[0] == "of":
        first -= timedelta(days=first.weekday())
    span = Span(first, first + timedelta(days=6), Precision.WEEK)
    return Reading(span, year_given=day.year_given)
