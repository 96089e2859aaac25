"""Lengths of time as people write and read them: "7d" or "1d12h" in settings and options,
"1 day 4 hours" or "overdue by 301 days" in lists, pages and reminders.

Pure, standard library only; a deadline's calendar arithmetic lives in tracker.domain.deadlines.
"""

from __future__ import annotations

import re
from datetime import timedelta

from tracker.errors import InvalidInput

_DURATION = re.compile(
    "(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?", re.IGNORECASE
)


def parse_duration(text: str) -> timedelta:
    """Read "7d", "12h", "30m", "45s", "2w" or a combination in that order, e.g. "1d12h"."""
    compact = "".join(text.split())
    match = _DURATION.fullmatch(compact)
    try:
        if not compact or match is None:
            raise ValueError(text)
        weeks, days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
        delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"cannot read the duration {text!r}; use a number and a unit such as "
            "7d, 12h, 30m, 45s, 2w or 1d12h"
        ) from None
    if delta <= timedelta(0):
        raise InvalidInput(f"the duration {text!r} must be longer than zero")
    return delta


def format_duration(delta: timedelta) -> str:
    """A coarse human length: the largest unit among days/hours/minutes plus the next one down.

    "1 day 4 hours", "301 days", "45 minutes"; under a minute counts seconds. The unit below is
    dropped when it is zero (2 days 0 hours 5 minutes reads "2 days"): this is a hint, not a clock.
    """
    if delta < timedelta(0):
        return f"-{format_duration(-delta)}"
    seconds = delta.days * 86_400 + delta.seconds  # microseconds do not matter to people
    if seconds < 60:
        return _plural(seconds, "second")
    days, rest = divmod(seconds, 86_400)
    units = [(days, "day"), (rest // 3600, "hour"), (rest % 3600 // 60, "minute")]
    largest = next(index for index, (count, _) in enumerate(units) if count)
    # Past two days the hours are noise ("overdue by 642 days", not "642 days 4 hours").
    finer = units[largest + 1 : largest + 2] if days < 2 else []
    kept = [units[largest], *(unit for unit in finer if unit[0])]
    return " ".join(_plural(count, name) for count, name in kept)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
