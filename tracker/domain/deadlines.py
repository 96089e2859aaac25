"""Read forecast deadlines, and the calendar arithmetic on them (periods, windows, zones).

A due phrase names a calendar period in a configured time zone: "February 2025", "2025-Q1",
"spring 2025". We keep that precision instead of rounding it to a made-up day, so "by February
2025" means on or before the last instant of February 2025 in the zone (23:59:59.999999 local).

Pure on purpose: standard library only, no clock (callers pass `now` where one is needed), so
every rule here can be tested with plain values. The labels people see are made in
tracker.domain.deadline_labels; lengths of time ("7d", "1 day 4 hours") in tracker.domain.durations.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.errors import InvalidInput


class Precision(enum.StrEnum):
    INSTANT = "instant"  # an explicit time of day was given, e.g. 2025-02-20T18:00+02:00
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    SEASON = "season"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, first instant of the period (in the zone)
    end: datetime  # aware, last instant: the next period's start minus 1 microsecond
    precision: Precision


UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class DueWindow:
    due_at: datetime  # aware UTC: last instant of the window
    window_start: datetime | None  # aware UTC, or None when only a deadline was given
    precision: Precision  # precision of the END of the window
    # The zone the deadline was stated in: "February 2025" in Asia/Tokyo ends at a different
    # instant than in UTC, and keeps meaning February however the default zone changes later.
    tz: ZoneInfo = UTC_ZONE

    @property
    def zone(self) -> str:
        """The IANA name stored with the deadline (a fixed offset of whole hours, as some
        callers pass datetime.timezone, is named as its Etc/GMT zone)."""
        key = getattr(self.tz, "key", None)
        if isinstance(key, str):
            return key
        offset = self.tz.utcoffset(None) or timedelta(0)
        hours, rest = divmod(offset, timedelta(hours=1))
        if rest or abs(hours) > 14:
            raise ValueError(f"{self.tz!r} has no IANA name")
        return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


ACCEPTED_FORMS = (
    "2025-02-20, 2025-02-20T18:00+02:00, 2025-02, February 2025, Feb 20, 2025, 2025-Q1, 2025-H1, "
    "2025-W07, spring 2025, 2025, or a window 2025-03-01..2025-03-31"
)

_DAY_FORMS = "2025-02-20, 20 February 2025 or Feb 20, 2025"
# Reminders fall weeks before and after a deadline, and every stored time is shown in some
# zone; near year 1 or 9999 that arithmetic overflows, and no forecast we track lives there.
EARLIEST_YEAR, LATEST_YEAR = 1000, 9000
_TICK = timedelta(microseconds=1)
EN_DASH = "\N{EN DASH}"  # spelled out so the source stays ASCII

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}
# Meteorological seasons, northern hemisphere: whole months, each season starting on the 1st of
# its first month. Winter belongs to the year of its December (winter 2025 = Dec 2025-Feb 2026).
_SEASON_FIRST_MONTH = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_MONTHS_IN = {Precision.MONTH: 1, Precision.QUARTER: 3, Precision.SEASON: 3,
               Precision.HALF: 6, Precision.YEAR: 12}  # fmt: skip

# Patterns run on _clean() text: lower case, single spaces, commas written ", ". [0-9] rather than
# \d so that non-ASCII digits are refused instead of silently read.
_Y = "([0-9]{4})"
_WORD = r"([a-z]+)\.?"  # a month or season name; "Feb." reads like "Feb"
_ORDINAL = "(?:st|nd|rd|th)?"
# Only the ISO 8601 shapes we document reach datetime.fromisoformat, which is laxer (it takes
# "+02:75" as +03:15, for one).
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[t ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:z|[+-][0-9]{2}:?[0-5][0-9])?"
)
_ISO_DAY = re.compile(rf"{_Y}-([0-9]{{2}})-([0-9]{{2}})")
_DAY_MONTH_YEAR = re.compile(rf"([0-9]{{1,2}}){_ORDINAL} {_WORD},? {_Y}")
_MONTH_DAY_YEAR = re.compile(rf"{_WORD} ([0-9]{{1,2}}){_ORDINAL},? {_Y}")
_ISO_WEEK = re.compile(rf"{_Y}-?w([0-9]{{1,2}})")
_WEEK_OF = re.compile(rf"week ([0-9]{{1,2}}) of {_Y}")  # as labels print it
_ISO_MONTH = re.compile(rf"{_Y}-([0-9]{{2}})")
_NAMED_MONTH_OR_SEASON = re.compile(rf"{_WORD},? {_Y}")
_WINTER_SPAN = re.compile(rf"winter {_Y}[-{EN_DASH}/]([0-9]{{2}}|[0-9]{{4}})")  # "winter 2025-26"
_PART_YEAR = re.compile(rf"{_Y}-([qh])([0-9])|([qh])([0-9]) {_Y}")
_YEAR = re.compile(_Y)
_DUE_PREFIX = re.compile(r"\s*(by|until|in|during)\s+(\S.*)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class _Named:
    """A calendar period as read from text, before a time zone turns it into instants."""

    precision: Precision
    first_day: date


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone by name ("Europe/Kyiv"); InvalidInput for a name the zone database lacks."""
    text = name.strip()
    try:
        if not text or text.startswith(("/", ".")) or ".." in text:
            raise ValueError(text)
        return ZoneInfo(text)
    except (ValueError, ZoneInfoNotFoundError, OSError):
        raise InvalidInput(
            f"{name!r} is not a time zone; use an IANA name such as UTC, Europe/Kyiv or "
            "America/New_York"
        ) from None


@functools.lru_cache(maxsize=256)
def stored_zone(name: str | None) -> ZoneInfo:
    """The zone a stored deadline was stated in. One the zone database no longer knows (an
    older tzdata) reads as UTC: a label shown in UTC beats a list that cannot be shown."""
    try:
        return parse_zone(name or "UTC")
    except InvalidInput:
        return UTC_ZONE


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """Read one date form (see ACCEPTED_FORMS) as the period it names in `tz`."""
    try:
        reading = _read(_clean(text))
        if isinstance(reading, datetime):
            # A time without an offset is wall-clock time in tz. The UTC round trip settles a
            # wall time that DST skips onto a real one (zoneinfo reads it with the old offset).
            moment = reading if reading.tzinfo else reading.replace(tzinfo=tz)
            moment = moment.astimezone(UTC).astimezone(tz)
            return Period(moment, moment, Precision.INSTANT)
        # Years at the edge of datetime's range fail here (ValueError or OverflowError).
        return _local_period(reading.first_day, reading.precision, tz)
    except (ValueError, OverflowError):
        raise InvalidInput(f"cannot read the date {text!r}; use one of: {ACCEPTED_FORMS}") from None


def parse_due(text: str, tz: ZoneInfo, window_start: str | None = None) -> DueWindow:
    """Read a due phrase: "A..B", "by/until P", "in/during P" or plain "P".

    A deadline alone leaves window_start None; "in P" and "A..B" also say when the window opens.
    """
    start: datetime | None
    if ".." in text:
        first_text, _, last_text = text.partition("..")
        first, period = parse_period(first_text, tz), parse_period(last_text, tz)
        if _utc(first.start) > _utc(period.end):
            raise InvalidInput(f"the window {text.strip()!r} starts after it ends")
        start = first.start
    else:
        prefix = _DUE_PREFIX.fullmatch(text)
        period = parse_period(prefix[2] if prefix else text, tz)
        within = prefix is not None and prefix[1].lower() in ("in", "during")
        start = period.start if within else None
    if window_start is not None:
        if start is not None:
            raise InvalidInput(f"{text.strip()!r} already gives a window; drop the window start")
        start = parse_period(window_start, tz).start
        if _utc(start) > _utc(period.end):
            raise InvalidInput(
                f"the window start {window_start.strip()!r} is after the due date {text.strip()!r}"
            )
    return DueWindow(_utc(period.end), None if start is None else _utc(start), period.precision, tz)


def parse_instant(text: str, tz: ZoneInfo) -> datetime:
    """Read a "published"/"since" date as the first instant of the period it names, in UTC."""
    return parse_period(text, tz).start.astimezone(UTC)


def parse_day(text: str) -> date:
    """Read one calendar day; a coarser period or a time of day is refused, not guessed."""
    try:
        reading: _Named | datetime | None = _read(_clean(text))
    except ValueError:
        reading = None
    if isinstance(reading, _Named) and reading.precision is Precision.DAY:
        return reading.first_day
    if reading is None:
        problem = f"cannot read the day {text!r}"
    elif isinstance(reading, datetime):
        problem = f"{text!r} has a time of day"
    else:
        problem = f"{text!r} names a whole {reading.precision}, not one day"
    raise InvalidInput(f"{problem}; use a calendar day such as {_DAY_FORMS}")


def _clean(text: str) -> str:
    # Case and spacing carry no meaning: "Feb 20,2025" and " feb  20 , 2025" read the same.
    return re.sub(r" ?, ?", ", ", " ".join(text.split()).lower())


def _read(cleaned: str) -> _Named | datetime:
    """Recognize one form. Raises ValueError when nothing matches or the calendar refuses it."""
    if _INSTANT.fullmatch(cleaned):  # naive when no offset was written: local to tz
        return datetime.fromisoformat(cleaned.upper())
    # The first form that matches decides: a match the calendar refuses ("2025-02-30") is an
    # error, not a reason to try the next form.
    for pattern, named in _FORMS:
        if match := pattern.fullmatch(cleaned):
            return named(match)
    raise ValueError(cleaned)


def _iso_day(match: re.Match[str]) -> _Named:
    return _Named(Precision.DAY, date(int(match[1]), int(match[2]), int(match[3])))


def _day_month_year(match: re.Match[str]) -> _Named:
    return _Named(Precision.DAY, date(int(match[3]), _month(match[2]), int(match[1])))


def _month_day_year(match: re.Match[str]) -> _Named:
    return _Named(Precision.DAY, date(int(match[3]), _month(match[1]), int(match[2])))


def _iso_week(match: re.Match[str]) -> _Named:
    return _Named(Precision.WEEK, date.fromisocalendar(int(match[1]), int(match[2]), 1))


def _week_of(match: re.Match[str]) -> _Named:
    return _Named(Precision.WEEK, date.fromisocalendar(int(match[2]), int(match[1]), 1))


def _iso_month(match: re.Match[str]) -> _Named:
    return _Named(Precision.MONTH, date(int(match[1]), int(match[2]), 1))


def _named_month_or_season(match: re.Match[str]) -> _Named:
    word, year = match[1], int(match[2])
    if word in _SEASON_FIRST_MONTH:
        return _Named(Precision.SEASON, date(year, _SEASON_FIRST_MONTH[word], 1))
    return _Named(Precision.MONTH, date(year, _month(word), 1))


def _winter_span(match: re.Match[str]) -> _Named:
    year, following = int(match[1]), match[2]
    if str(year + 1)[-len(following) :] != following:  # "winter 2025-27" is no winter
        raise ValueError(match[0])
    return _Named(Precision.SEASON, date(year, 12, 1))


def _part_year(match: re.Match[str]) -> _Named:
    year, letter, number = (
        (match[1], match[2], match[3]) if match[1] else (match[6], match[4], match[5])
    )
    precision, count = (Precision.QUARTER, 4) if letter == "q" else (Precision.HALF, 2)
    if not 1 <= int(number) <= count:
        raise ValueError(match[0])
    first_month = (int(number) - 1) * _MONTHS_IN[precision] + 1
    return _Named(precision, date(int(year), first_month, 1))


def _year(match: re.Match[str]) -> _Named:
    return _Named(Precision.YEAR, date(int(match[1]), 1, 1))


# The forms after an instant, in the order they are tried.
_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], _Named]], ...] = (
    (_ISO_DAY, _iso_day),
    (_DAY_MONTH_YEAR, _day_month_year),
    (_MONTH_DAY_YEAR, _month_day_year),
    (_ISO_WEEK, _iso_week),
    (_WEEK_OF, _week_of),
    (_ISO_MONTH, _iso_month),
    (_NAMED_MONTH_OR_SEASON, _named_month_or_season),
    (_WINTER_SPAN, _winter_span),
    (_PART_YEAR, _part_year),
    (_YEAR, _year),
)


def _month(word: str) -> int:
    if word not in _MONTHS:
        raise ValueError(word)
    return _MONTHS[word]


def period_bounds(day: date, precision: Precision) -> tuple[date, date]:
    """First day of the period at `precision` holding `day`, and first day of the next one."""
    if precision is Precision.DAY:
        return day, day + timedelta(days=1)
    if precision is Precision.WEEK:  # ISO weeks run Monday to Sunday
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(weeks=1)
    if precision is Precision.INSTANT:
        raise ValueError("an instant has no calendar bounds")
    # Count months from year 0 so that quarters, halves and years start on plain multiples;
    # seasons run one month ahead of quarters (Dec, Mar, Jun, Sep).
    index = day.year * 12 + day.month - 1
    length = _MONTHS_IN[precision]
    ahead = 1 if precision is Precision.SEASON else 0
    first = index - (index + ahead) % length
    return _month_start(first), _month_start(first + length)


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _local_period(day: date, precision: Precision, tz: ZoneInfo) -> Period:
    first, following = period_bounds(day, precision)
    # Local midnight exists in practically every zone; where DST skips it, zoneinfo reads it with
    # the old offset, which is the instant the day really begins. The UTC round trip then gives
    # it a real wall time.
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC).astimezone(tz)
    next_start = datetime.combine(following, time(), tzinfo=tz)
    # Step back 1 microsecond in absolute time, not on the wall clock: when DST repeats the last
    # hour of a period, wall-clock arithmetic would land on its first pass, an hour early.
    end = (next_start.astimezone(UTC) - _TICK).astimezone(tz)
    return Period(start, end, precision)


def _utc(moment: datetime) -> datetime:
    # Compare in UTC: == between zones is always False for a time DST repeats (PEP 495).
    return moment.astimezone(UTC)


def restate(due: DueWindow, tz: ZoneInfo) -> DueWindow:
    """The same calendar window read in another zone: "February 2025" stated in UTC, restated
    in Asia/Tokyo, is February 2025 in Tokyo. An instant is a moment anywhere, and stays."""
    if due.precision is Precision.INSTANT:
        return replace(due, tz=tz)
    first_day = period_containing(due.due_at, due.precision, due.tz).start.date()
    end = _local_period(first_day, due.precision, tz).end
    start = None
    if due.window_start is not None:
        wall = due.window_start.astimezone(due.tz).replace(tzinfo=tz)
        start = _utc(wall.astimezone(UTC).astimezone(tz))
    return DueWindow(_utc(end), start, due.precision, tz)


def within_window(day: date, due_at: datetime, window_start: datetime | None, tz: ZoneInfo) -> bool:
    """Whether an event on `day` (a local calendar day) fell inside the window, by days in tz."""
    if day > local_date(due_at, tz):
        return False
    return window_start is None or day >= local_date(window_start, tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day of `moment` in tz; at the very edge of the calendar (year 1 seen east
    of UTC, year 9999 west of it) the first or last day there is, rather than an error."""
    try:
        return moment.astimezone(tz).date()
    except OverflowError:
        return date.min if moment.year < 5000 else date.max


def period_containing(moment: datetime, precision: Precision, tz: ZoneInfo) -> Period:
    """The period at `precision`, read in tz, that holds `moment` (an aware datetime)."""
    if precision is Precision.INSTANT:
        return Period(moment, moment, precision)
    return _local_period(moment.astimezone(tz).date(), precision, tz)
