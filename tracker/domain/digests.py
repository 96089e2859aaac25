"""Digest schedules: "daily 08:00" or "weekly mon 08:00" in a route's time zone, and the
periods they cut time into.

A period runs from one send time (exclusive) to the next (inclusive): what fell due in it goes
out in one message at its end. Send times are wall-clock times in the zone, so a daily digest
stays at 08:00 across daylight-saving changes; on a day whose send time does not exist (a
spring gap: 02:30 in Berlin on the last Sunday of March) it goes as much later as the clocks
jumped (03:30), and on one where it occurs twice, at the first.

Pure: the caller passes `now`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tracker.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^(?P<every>daily|weekly)(?:\s+(?P<day>[a-z]{3})[a-z]*)?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})$"
)


@dataclass(frozen=True)
class DigestSchedule:
    weekly: bool
    weekday: int  # 0 = Monday; ignored when daily
    at: dt.time
    tz: ZoneInfo

    def describe(self) -> str:
        day = f"{WEEKDAYS[self.weekday]} " if self.weekly else ""
        return f"{'weekly' if self.weekly else 'daily'} {day}{self.at:%H:%M} ({self.tz.key})"


def parse_digest(text: str, tz: ZoneInfo) -> DigestSchedule:
    """Read "daily 08:00", "weekly mon 08:00" (or "weekly monday 8:00")."""
    found = _SPEC.match(" ".join(str(text).lower().split()))
    problem = (
        f"digest {str(text)[:60]!r} is not a schedule; write 'daily 08:00' or 'weekly mon 08:00'"
    )
    if found is None:
        raise InvalidInput(problem)
    weekly = found["every"] == "weekly"
    day = found["day"]
    if weekly != (day is not None) or (day is not None and day[:3] not in WEEKDAYS):
        raise InvalidInput(problem)
    hour, minute = int(found["hour"]), int(found["minute"])
    if hour > 23 or minute > 59:
        raise InvalidInput(f"digest {text!r}: {hour:02d}:{minute:02d} is not a time of day")
    weekday = WEEKDAYS.index(day[:3]) if day is not None else 0
    return DigestSchedule(weekly=weekly, weekday=weekday, at=dt.time(hour, minute), tz=tz)


def _send_time_on(day: dt.date, schedule: DigestSchedule) -> dt.datetime:
    """The instant of the schedule's wall-clock time on that local day. fold=0 (PEP 495)
    reads a repeated time as its first occurrence, and one in a gap with the offset before
    the jump, which lands as much after the gap as the clocks jumped."""
    return dt.datetime.combine(day, schedule.at, schedule.tz).astimezone(dt.UTC)


def _is_send_day(day: dt.date, schedule: DigestSchedule) -> bool:
    return not schedule.weekly or day.weekday() == schedule.weekday


def next_send_after(moment: dt.datetime, schedule: DigestSchedule) -> dt.datetime:
    """The first send time strictly after `moment`."""
    day = moment.astimezone(schedule.tz).date() - dt.timedelta(days=1)
    for _ in range(16):
        if _is_send_day(day, schedule):
            at = _send_time_on(day, schedule)
            if at > moment:
                return at
        day += dt.timedelta(days=1)
    raise AssertionError("a weekly schedule repeats within 8 days")  # pragma: no cover


def last_send_at_or_before(moment: dt.datetime, schedule: DigestSchedule) -> dt.datetime:
    """The latest send time at or before `moment`."""
    day = moment.astimezone(schedule.tz).date() + dt.timedelta(days=1)
    for _ in range(16):
        if _is_send_day(day, schedule):
            at = _send_time_on(day, schedule)
            if at <= moment:
                return at
        day -= dt.timedelta(days=1)
    raise AssertionError("a weekly schedule repeats within 8 days")  # pragma: no cover


@dataclass(frozen=True)
class DigestPeriod:
    """(start, end]: the send at `end` lists what fell due after start, up to end."""

    start: dt.datetime
    end: dt.datetime

    @property
    def key(self) -> str:
        """Names the period in the ledger: one send per (route, period), ever."""
        return self.end.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")


def period_containing(moment: dt.datetime, schedule: DigestSchedule) -> DigestPeriod:
    """The period a reminder falling due at `moment` belongs to."""
    start = last_send_at_or_before(moment, schedule)
    if start == moment:  # a send time ends its own period
        start = last_send_at_or_before(moment - dt.timedelta(microseconds=1), schedule)
        return DigestPeriod(start=start, end=moment)
    return DigestPeriod(start=start, end=next_send_after(moment, schedule))


def periods_ended(
    since: dt.datetime, now: dt.datetime, schedule: DigestSchedule
) -> list[DigestPeriod]:
    """The periods whose send time falls in (since, now], oldest first: what a pass that last
    looked at `since` must send now."""
    periods: list[DigestPeriod] = []
    end = next_send_after(since, schedule)
    while end <= now and len(periods) < 1000:
        start = last_send_at_or_before(end - dt.timedelta(microseconds=1), schedule)
        periods.append(DigestPeriod(start=start, end=end))
        end = next_send_after(end, schedule)
    return periods
