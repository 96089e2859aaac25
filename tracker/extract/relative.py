"""Readers for expressions relative to publication: this/next week, month, quarter, year,
season or weekday; "the year", "year-end"; today and tomorrow; holidays; and lengths of time
("within two weeks", "the next six months", "60 days from now").

Each reader takes the named groups of its pattern in `phrases`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, timedelta

from tracker.domain.deadlines import Precision
from tracker.extract.calendar import (
    HOLIDAYS,
    Span,
    add_months,
    day_span,
    months,
    next_occurrence,
    period,
    years,
)
from tracker.extract.dates import season_in
from tracker.extract.readings import (
    SEASON_FIRST_MONTH,
    WEEKDAY_NAMES,
    Anchor,
    Reading,
    capitalised,
    month_number,
)

UNIT_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def read_relative(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """this/next/coming + week, weekend, month, quarter, year, decade, season, month or weekday."""
    ahead = m["rel"].lower() not in ("this", "")  # "the weekend" is this one
    unit = m["unit"].lower()
    if "coming" in m["rel"].lower() and unit in ("week", "month", "quarter", "year", "decade"):
        return None  # "the coming year" is the twelve months from now: a length
    published = anchor.published
    span: Span | None
    if unit in ("week", "month", "quarter", "year"):
        span = period(published, Precision(unit))
        if ahead:
            span = period(span.last + timedelta(days=1), span.precision)
    elif unit == "decade":
        span = years(published.year // 10 * 10 + 10 * ahead, 10)
    elif unit == "weekend":
        saturday = period(published, Precision.WEEK).first + timedelta(days=5 + 7 * ahead)
        span = Span(saturday, saturday + timedelta(days=1), Precision.DAY)
    elif unit in SEASON_FIRST_MONTH:
        make = season_in(unit)
        span = next_occurrence(make, published) if ahead else anchor.occurrence(make)
    elif unit in WEEKDAY_NAMES:
        if not capitalised(m["unit"]):
            return None
        span = day_span(_weekday(published, WEEKDAY_NAMES.index(unit), m["rel"].lower()))
    else:
        month = month_number(m["unit"])
        if month is None:
            return None
        in_year: Callable[[int], Span] = lambda year: months(date(year, month, 1), 1)  # noqa: E731
        span = next_occurrence(in_year, published) if ahead else anchor.occurrence(in_year)
    return Reading(span, looks_ahead=ahead) if span else None


def _weekday(published: date, weekday: int, rel: str) -> date:
    """The day "Friday" or "this Friday" means: the first one on or after publication; "next
    Friday" is the one in the following (ISO) week."""
    if rel == "next":
        return published - timedelta(days=published.weekday() - 7 - weekday)
    return published + timedelta(days=(weekday - published.weekday()) % 7)


def read_weekday(m: re.Match[str], anchor: Anchor) -> Reading | None:
    if not capitalised(m["weekday"]):
        return None
    day = _weekday(anchor.published, WEEKDAY_NAMES.index(m["weekday"].lower()), "")
    return Reading(day_span(day))


def read_current(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """ "the year", "the month": the current one, but only after "the end of", "within"..."""
    unit, published = m["unit"].lower(), anchor.published
    if unit == "decade":
        return Reading(years(published.year // 10 * 10, 10), contextual=True)
    return Reading(period(published, Precision(unit)), contextual=True)


def read_period_end(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """ "year-end", "the year's end", "year-end 2025": the end of that period."""
    unit = m["unit"].lower()
    day = date(int(m["year"]), 12, 31) if m["year"] else anchor.published
    span = period(day, Precision(unit))
    return Reading(span, deadline_only=True)


def read_near_day(m: re.Match[str], anchor: Anchor) -> Reading | None:
    word = " ".join(m["word"].lower().split())
    offset = {"tomorrow": 1, "the day after tomorrow": 2}.get(word, 0)
    return Reading(day_span(anchor.published + timedelta(days=offset)), looks_ahead=offset > 0)


def read_holiday(m: re.Match[str], anchor: Anchor) -> Reading | None:
    written = " ".join(m["name"].replace("\u2019", "'").split())
    name = written.lower().removeprefix("the ").replace("new years", "new year's")
    if name not in HOLIDAYS:
        name = name.removesuffix(" day").removesuffix(" sunday")
    if name == "new year":
        return _new_year(m, anchor)
    if name not in HOLIDAYS or not capitalised(written):
        return None
    holiday = HOLIDAYS[name]
    if m["year"]:
        return Reading(day_span(holiday(int(m["year"]))), year_given=int(m["year"]))
    span = anchor.occurrence(lambda year: day_span(holiday(year)))
    return Reading(span) if span else None


def _new_year(m: re.Match[str], anchor: Anchor) -> Reading:
    """ "by the new year" is before it starts; "in the new year" is in its January."""

    def make(year: int) -> Span:
        return months(date(year, 1, 1), 1)

    span = make(int(m["year"])) if m["year"] else anchor.occurrence(make)
    assert span is not None
    eve = day_span(span.first - timedelta(days=1))
    return Reading(span, deadline=eve, year_given=int(m["year"]) if m["year"] else None)


def read_duration(m: re.Match[str], anchor: Anchor) -> Reading | None:
    """ "two weeks", "the next six months", "60 days from now": publication plus that long."""
    ahead = bool(m["rel"] or m["suffix"])
    if not m["number"] and not (m["rel"] and m["the"]):
        return None  # "next year" is a calendar year, not twelve months
    unit = m["unit"].lower().rstrip("s")
    if m["number"] is None and m["unit"].lower().endswith("s"):
        return None  # "the coming weeks": no length given
    count = _number(m["number"] or "one") + (0.5 if m["half"] else 0.0)
    last = _after(anchor.published, count, unit)
    if last is None:
        return None
    return Reading(
        Span(anchor.published, last, Precision.DAY),
        deadline_only=True,
        looks_ahead=True,
        length=True,
        needs_connective=not ahead,
        bare_length=not ahead,
    )


def _after(published: date, count: float, unit: str) -> date | None:
    if count > 1000:
        return None  # "within 99999999999 days" is no deadline, and beyond the calendar
    if unit == "hour":
        return published + timedelta(days=math.ceil(count / 24))
    if unit in ("day", "week", "fortnight"):
        return published + timedelta(days=math.ceil(count * {"day": 1, "week": 7}.get(unit, 14)))
    in_months = round(count * {"month": 1, "year": 12, "decade": 120}[unit])
    return add_months(published, in_months) if in_months <= 1200 else None


def _number(text: str) -> float:
    words = " ".join(text.lower().replace("-", " ").split())
    special = {"a": 1, "an": 1, "half a": 0.5, "half an": 0.5, "a couple of": 2, "a dozen": 12}
    if words in special:
        return special[words]
    if words.endswith("and a half"):
        return 1.5
    if words[0].isdigit():
        return float(words)
    total = 0
    for word in words.split():
        total += TENS_WORDS.index(word) * 10 + 20 if word in TENS_WORDS else UNIT_WORDS.index(word)
    return total
