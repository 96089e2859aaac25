"""Time for the forecast chart: where the axis ticks fall and how dates read, in the deadline's
zone. Pure; month names are spelled here so that labels do not change with the server's locale.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_TICKS = 6

_HOUR = 3600.0
_DAY = 24 * _HOUR
# (unit, how many, rough length in seconds): the first whose ticks fit MAX_TICKS is used.
_STEPS = (
    *(("hour", n, n * _HOUR) for n in (1, 3, 6, 12)),
    ("day", 1, _DAY),
    ("day", 2, 2 * _DAY),
    ("week", 1, 7 * _DAY),
    ("week", 2, 14 * _DAY),
    *(("month", n, n * 30.44 * _DAY) for n in (1, 3, 6)),
    *(("year", n, n * 365.25 * _DAY) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)),
)


def local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """`value` read in `zone`; at the ends of the calendar (year 9999 east of UTC) the local
    reading does not exist, and the UTC one is shown instead of failing the page."""
    try:
        return value.astimezone(zone)
    except OverflowError:
        return value.astimezone(dt.UTC)


def shifted(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`value + delta`, or `value` itself where that would leave the calendar."""
    try:
        return value + delta
    except OverflowError:
        return value


def day_label(value: dt.datetime, zone: ZoneInfo) -> str:
    """ "24 Dec 2024", with the time ("24 Dec 2024 14:05") unless it is midnight there."""
    when = local(value, zone)
    day = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    if (when.hour, when.minute) == (0, 0):
        return day
    return f"{day} {when:%H:%M}"


def date_label(value: dt.datetime, zone: ZoneInfo) -> str:
    """ "24 Dec 2024": the day only."""
    when = local(value, zone)
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def time_ticks(
    start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> list[tuple[dt.datetime, str]]:
    """Round instants in `zone` (whole hours, midnights, Mondays, firsts of months, new years)
    between start and end, at most MAX_TICKS of them, each with its label."""
    span = (end - start).total_seconds()
    unit, count = "year", 5000
    for unit_, count_, length in _STEPS:
        if span / length <= MAX_TICKS - 1:
            unit, count = unit_, count_
            break
    first = local(start, zone).replace(tzinfo=None)
    ticks: list[tuple[dt.datetime, str]] = []
    for wall in _walls(first, unit, count):
        try:
            instant = wall.replace(tzinfo=zone).astimezone(dt.UTC)
        except OverflowError:  # a wall time in year 1 or 9999 that UTC cannot hold
            continue
        if instant > end or len(ticks) == MAX_TICKS:
            break
        # Wall times that a DST change skips can map back before the previous tick.
        if instant >= start and (not ticks or instant > ticks[-1][0]):
            ticks.append((instant, _tick_label(wall, unit)))
    return ticks


def _walls(first: dt.datetime, unit: str, count: int) -> list[dt.datetime]:
    """Wall-clock times from the round one at or before `first`, stepping `count` units, as many
    as the axis could need (the caller stops at its end)."""
    needed = MAX_TICKS + 3
    walls: list[dt.datetime] = []
    if unit in ("hour", "day", "week"):
        if unit == "hour":
            base = first.replace(minute=0, second=0, microsecond=0)
            base = base.replace(hour=base.hour - base.hour % count)
            step = dt.timedelta(hours=count)
        else:
            base = dt.datetime.combine(first.date(), dt.time())
            if unit == "week":
                base -= dt.timedelta(days=base.weekday())  # weeks start on Monday
            step = dt.timedelta(days=count * (7 if unit == "week" else 1))
        for _ in range(needed):
            walls.append(base)
            base = shifted(base, step)
        return walls
    months = 12 * count if unit == "year" else count
    index = first.year * 12 + first.month - 1
    index -= index % months
    for n in range(needed):
        year, month = divmod(index + n * months, 12)
        if dt.MINYEAR <= year <= dt.MAXYEAR:
            walls.append(dt.datetime(year, month + 1, 1))
    return walls


def _tick_label(wall: dt.datetime, unit: str) -> str:
    month = MONTHS[wall.month - 1]
    if unit == "hour":
        return f"{wall.day} {month} {wall:%H:%M}"
    if unit in ("day", "week"):
        return f"{wall.day} {month} {wall.year}"
    if unit == "month":
        return f"{month} {wall.year}"
    return str(wall.year)
