"""The labels people see for a deadline ("February 2025", "Q1 2025", "1 March 2025 - 31 March
2025"): the inverse of tracker.domain.deadlines.parse_due, in the zone the caller reads it in.

Pure, standard library only: lists, pages, exports and reminders all label a deadline here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import assert_never
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import (
    EN_DASH,
    MONTH_NAMES,
    Precision,
    period_bounds,
    period_containing,
)

_SEASON_NAMES = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}


def describe_due(
    due_at: datetime, window_start: datetime | None, precision: Precision, tz: ZoneInfo
) -> str:
    """The label people see, computed in `tz`: the inverse of parse_due.

    A window that is exactly the due period ("in March 2025") reads as that period alone.
    """
    if due_at.tzinfo is None or (window_start is not None and window_start.tzinfo is None):
        raise ValueError("describe_due needs aware datetimes")
    try:
        return _describe(due_at, window_start, precision, tz)
    except (OverflowError, ValueError):
        # A stored time at the edge of the calendar (year 1 read in a zone east of UTC) has no
        # local date. A label must never stop a list, a page or a reminder pass: show UTC.
        end_label = _utc_label(due_at)
        if window_start is None:
            return end_label
        return f"{_utc_label(window_start)} {EN_DASH} {end_label}"


def _utc_label(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _describe(
    due_at: datetime, window_start: datetime | None, precision: Precision, tz: ZoneInfo
) -> str:
    end_label = _label(due_at, precision, tz)
    if window_start is None or _utc(window_start) == _period_start(due_at, precision, tz):
        return end_label
    # A window opening at local midnight reads as a day; any other moment keeps its time.
    at_midnight = _utc(window_start) == _period_start(window_start, Precision.DAY, tz)
    start_label = _label(window_start, Precision.DAY if at_midnight else Precision.INSTANT, tz)
    return f"{start_label} {EN_DASH} {end_label}"


def _period_start(moment: datetime, precision: Precision, tz: ZoneInfo) -> datetime:
    """Start (UTC) of the period at `precision`, read in tz, that holds `moment`."""
    return _utc(period_containing(moment, precision, tz).start)


def _utc(moment: datetime) -> datetime:
    # Compare in UTC: == between zones is always False for a time DST repeats (PEP 495).
    return moment.astimezone(UTC)


def _label(moment: datetime, precision: Precision, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    day = local.date()
    month_name = MONTH_NAMES[day.month - 1]
    match precision:
        case Precision.INSTANT:
            return _instant_label(local)
        case Precision.DAY:
            return f"{day.day} {month_name} {day.year}"
        case Precision.WEEK:
            iso = day.isocalendar()
            return f"week {iso.week} of {iso.year}"
        case Precision.MONTH:
            return f"{month_name} {day.year}"
        case Precision.QUARTER:
            return f"Q{(day.month - 1) // 3 + 1} {day.year}"
        case Precision.HALF:
            return f"H{(day.month - 1) // 6 + 1} {day.year}"
        case Precision.SEASON:
            return _season_label(day)
        case Precision.YEAR:
            return str(day.year)
        case _:
            assert_never(precision)


def _instant_label(local: datetime) -> str:
    clock = f"{local:%H:%M}"
    if local.second or local.microsecond:  # never hide what was given
        clock += f":{local:%S}" + (f".{local:%f}" if local.microsecond else "")
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year} {clock} {_offset_label(local)}"


def _season_label(day: date) -> str:
    first, _ = period_bounds(day, Precision.SEASON)
    if first.month != 12:
        return f"{_SEASON_NAMES[first.month]} {first.year}"
    following = str(first.year + 1)
    # "winter 2025-26", but "winter 2099-2100" where the century changes.
    short = following[-2:] if following[:-2] == str(first.year)[:-2] else following
    return f"winter {first.year}{EN_DASH}{short}"


def _offset_label(local: datetime) -> str:
    # Rounded to the minute: only pre-1900 local mean times had odd seconds.
    minutes = round((local.utcoffset() or timedelta(0)).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}" if minutes else "UTC"
