"""Calendar arithmetic for extraction: spans of whole days, which year a yearless date means,
parts of periods ("late 2025") and a few holidays.

Month ends, quarters, halves and seasons come from tracker.domain.deadlines' period_bounds (plain
dates, since only calendar days matter here); the configured time zone is applied once, in
`to_window`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import DueWindow, Precision, period_bounds, period_containing

_T = TypeVar("_T")


def in_calendar(compute: Callable[[], _T]) -> _T | None:
    """What `compute` gives, or None when a day it needs lies outside Python's calendar (years
    1 to 9999). An article published near either end ("next year" in 9999) names days that do
    not exist, and a phrase that names no day is no deadline: the sentence gives no candidate
    rather than the whole article an error."""
    try:
        return compute()
    except OverflowError:  # date + timedelta, or a time zone, past either end
        return None
    except ValueError as exc:
        if "out of range" in str(exc):  # date(10000, 1, 1), date(0, 12, 1)
            return None
        raise


@dataclass(frozen=True)
class Span:
    """Whole local days `first`..`last` (inclusive). `last` is the last day of a period at
    `precision`, so that the deadline it gives is the end of a real period."""

    first: date
    last: date
    precision: Precision


def period(day: date, precision: Precision) -> Span:
    """The period at `precision` that holds `day` (week: ISO, Monday to Sunday)."""
    first, following = period_bounds(day, precision)
    return Span(first, following - timedelta(days=1), precision)


def day_span(day: date) -> Span:
    return Span(day, day, Precision.DAY)


def months(first_month: date, count: int, precision: Precision = Precision.MONTH) -> Span:
    """`count` whole months from the month of `first_month`."""
    start = first_month.replace(day=1)
    last = period(add_months(start, count - 1), Precision.MONTH).last
    return Span(start, last, precision)


def years(first_year: int, count: int) -> Span:
    return Span(date(first_year, 1, 1), date(first_year + count - 1, 12, 31), Precision.YEAR)


def add_months(day: date, count: int) -> date:
    """The same day `count` months on, or the month's last day when it is shorter (Jan 31 + 1
    month is Feb 28)."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    return min(first + timedelta(days=day.day - 1), _month_end(first))


def _month_end(day: date) -> date:
    return period(day, Precision.MONTH).last


def to_window(first: date | None, last: date, precision: Precision, tz: ZoneInfo) -> DueWindow:
    """A due window in `tz`: due at the end of the period holding `last`, opening (when `first`
    is given) at the start of that day."""
    end = period_containing(_noon(last, tz), precision, tz).end
    start = None if first is None else period_containing(_noon(first, tz), Precision.DAY, tz).start
    return DueWindow(
        due_at=end.astimezone(UTC),
        window_start=None if start is None else start.astimezone(UTC),
        precision=precision,
        tz=tz,
    )


def _noon(day: date, tz: ZoneInfo) -> datetime:
    # Noon exists on every day in every zone; midnight does not (DST gaps).
    return datetime.combine(day, time(12), tzinfo=tz)


# Which year ------------------------------------------------------------------------------------


def nearest_occurrence(make: Callable[[int], Span | None], published: date) -> Span | None:
    """The occurrence of a yearless date ("March 3", "in July", "Q3") nearest publication, the
    later one on a tie: for a sentence that does not look ahead, "On December 8" in a December
    24 article is the December 8 just past, and "in March" is the March to come."""
    found = [span for year in range(published.year - 1, published.year + 2) if (span := make(year))]
    if not found:
        return None  # "February 30"
    return min(found, key=lambda span: (_distance(span, published), -span.first.toordinal()))


def _distance(span: Span, published: date) -> int:
    if span.last < published:
        return (published - span.last).days
    return max(0, (span.first - published).days)


def upcoming_occurrence(make: Callable[[int], Span | None], published: date) -> Span | None:
    """The first occurrence that has not ended at publication ("will ... by November")."""
    found = [span for year in range(published.year - 1, published.year + 2) if (span := make(year))]
    return next((span for span in found if span.last >= published), None)


def next_occurrence(make: Callable[[int], Span | None], published: date) -> Span | None:
    """ "next March", "next summer": the first occurrence that starts after publication."""
    found = [span for year in range(published.year, published.year + 3) if (span := make(year))]
    return next((span for span in found if span.first > published), None)


def safe_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # February 30, or February 29 in a common year
        return None


# Parts of a period -----------------------------------------------------------------------------


def third(span: Span, index: int) -> Span:
    """The early (0), middle (1) or late (2) third of a span: of its days for a week or a single
    month (1-10, 11-20, 21-end), of its months for a quarter, season, half or year (Jan-Apr,
    May-Aug, Sep-Dec), of its years for longer spans."""
    if _is_one_month_or_less(span):
        days = (span.last - span.first).days + 1
        if days < 3:
            return span  # "late Thursday" is Thursday
        cuts = [0, 10, 20, days] if days >= 28 else [0, days // 3, 2 * days // 3 + 1, days]
        first = span.first + timedelta(days=cuts[index])
        last = span.first + timedelta(days=cuts[index + 1] - 1)
        return Span(first, last, Precision.DAY)
    if span.precision is not Precision.YEAR or span.first.year == span.last.year:
        count = _month_count(span)
        start, end = index * count // 3, (index + 1) * count // 3
        return months(add_months(span.first, start), end - start)
    count = span.last.year - span.first.year + 1
    start, end = index * count // 3, (index + 1) * count // 3
    return years(span.first.year + start, end - start)


def midpoint(span: Span) -> Span:
    """What "by mid-P" means: the 15th for a month, the end of June for a year, the end of the
    middle month or year otherwise."""
    if (span.last - span.first).days < 2:
        return span
    if _is_one_month_or_less(span):
        middle = span.first + timedelta(days=14 if span.precision is Precision.MONTH else 3)
        return day_span(middle)
    if span.precision is not Precision.YEAR or span.first.year == span.last.year:
        return months(add_months(span.first, (_month_count(span) - 1) // 2), 1)
    count = span.last.year - span.first.year + 1
    return years(span.first.year + (count - 1) // 2, 1)


def _is_one_month_or_less(span: Span) -> bool:
    return span.precision in (Precision.DAY, Precision.WEEK) or (
        (span.first.year, span.first.month) == (span.last.year, span.last.month)
    )


def _month_count(span: Span) -> int:
    return (span.last.year - span.first.year) * 12 + span.last.month - span.first.month + 1


# Holidays --------------------------------------------------------------------------------------


def easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def thanksgiving(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


HOLIDAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": lambda year: date(year, 12, 24),
    "christmas": lambda year: date(year, 12, 25),
    "new year's eve": lambda year: date(year, 12, 31),
    "new year's day": lambda year: date(year, 1, 1),
    "halloween": lambda year: date(year, 10, 31),
    "independence day": lambda year: date(year, 7, 4),  # the US one: the commonest in news
    "easter": easter,
    "thanksgiving": thanksgiving,
}
