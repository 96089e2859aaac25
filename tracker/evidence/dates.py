"""When a report says its event happened, read back from the publication day.

tracker.extract reads dates forward (a forecast's deadline); a report of what happened points
back, so the same words mean other days: "on Tuesday" in a report is the last Tuesday, not the
next. The rules, with `published` the publication day:

- "today", "this morning", "tonight": the publication day; "yesterday": the day before.
- a weekday ("on Tuesday", "Tuesday's vote"): the most recent one on or before publication, so a
  Tuesday article's "on Tuesday" is that day (wire copy names the day of publication so);
  "last Tuesday": the one before that when publication is a Tuesday.
- a day of a month ("on 3 March", "March 3rd", "Feb. 28, 2025"): with a year, that day; without,
  the most recent such day not after publication.
- a month ("in April", "April 2025"), "last month", "earlier this month", a year ("in 2024"),
  "last year", "earlier this year", "last week", "this week", "the weekend": the period. The day
  given for a period is its last day, clipped to the publication day: a report of something
  "last month" says it happened by then, the same end-of-window reading deadlines get.
- "three days ago", "two weeks ago": publication minus the length (day precision).

Dates after "by", "before", "until" or "deadline" name a deadline, not the event's day, and
are skipped. Pure: the publication day is a parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.deadlines import Precision
from tracker.extract.calendar import add_months, period, safe_day

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = (
    r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:,?\s+(?P<{g}>(?:19|20)[0-9]{{2}}))?"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "an": 1}
_PATTERN = re.compile(
    "|".join(
        [
            r"(?P<iso>\b(?P<iy>(?:19|20)[0-9]{2})-(?P<im>[01][0-9])-(?P<id>[0-3][0-9])\b)",
            r"(?P<dm>\b(?P<dd>[0-3]?[0-9])(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + _MONTH.format(g="dmm")
            + _YEAR.format(g="dmy")
            + r")",
            r"(?P<md>\b"
            + _MONTH.format(g="mdm")
            + r"\s+(?P<mdd>[0-3]?[0-9])(?:st|nd|rd|th)?\b"
            + _YEAR.format(g="mdy")
            + r")",
            r"(?P<mo>\b(?:in|during|early|late|mid|mid-|through)\s+"
            + _MONTH.format(g="mom")
            + _YEAR.format(g="moy")
            + r"|\b"
            + _MONTH.format(g="mom2")
            + r"\s+(?P<moy2>(?:19|20)[0-9]{2})\b)",
            r"(?P<yr>\b(?:in|during)\s+(?P<yy>(?:19|20)[0-9]{2})\b)",
            r"(?P<wd>\b(?P<wrel>last\s+|this\s+past\s+|on\s+)?(?P<wday>Monday|Tuesday|Wednesday"
            r"|Thursday|Friday|Saturday|Sunday)\b)",
            r"(?P<ago>\b(?P<an>[0-9]+|one|two|three|four|five|six|a|an)\s+(?P<au>days?|weeks?"
            r"|months?|years?)\s+ago\b)",
            r"(?P<rel>\b(?:(?P<rp>last|earlier\s+this|this|past)\s+(?P<ru>week|month|year"
            r"|weekend)|(?P<today>today|this\s+morning|this\s+afternoon|this\s+evening|tonight"
            r"|yesterday|the\s+weekend))\b)",
        ]
    ),
    re.IGNORECASE,
)
_DEADLINE_BEFORE = re.compile(
    r"\b(?:by|before|until|till|deadline\s+(?:of|on)?|due|from|after|scheduled\s+for|set\s+for"
    r"|next|until\s+at\s+least)\s*(?:the\s+)?(?:end\s+of\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PastDate:
    """The day (or period) a report says its event happened."""

    first: date
    last: date  # never after publication
    precision: Precision
    start: int  # where the words are in the sentence
    end: int

    @property
    def day(self) -> date:
        """The one day given for the event: the period's last day (see the module's notes)."""
        return self.last


def past_dates(sentence: str, published: date) -> list[PastDate]:
    """Every date in the sentence that can be the day its event happened, in order."""
    found = []
    for match in _PATTERN.finditer(sentence):
        if _DEADLINE_BEFORE.search(sentence[max(0, match.start() - 30) : match.start()]):
            continue
        span = _read(match, published)
        if span is None or span[0] > published:
            continue
        first, last, precision = span
        found.append(PastDate(first, min(last, published), precision, match.start(), match.end()))
    return found


def _read(m: re.Match[str], published: date) -> tuple[date, date, Precision] | None:
    if m["iso"]:
        day = safe_day(int(m["iy"]), int(m["im"]), int(m["id"]))
        return (day, day, Precision.DAY) if day else None
    if any(m[g] and not m[g][:1].isupper() for g in ("dmm", "mdm", "mom", "mom2")):
        return None  # "may" and "march" are verbs too
    if m["dm"] or m["md"]:
        month = _month(m["dmm"] or m["mdm"])
        day_number, year = int(m["dd"] or m["mdd"]), m["dmy"] or m["mdy"]
        return _day_of_month(month, day_number, int(year) if year else None, published)
    if m["mo"]:
        year = m["moy"] or m["moy2"]
        return _month_span(_month(m["mom"] or m["mom2"]), int(year) if year else None, published)
    if m["yr"]:
        year = int(m["yy"])
        return date(year, 1, 1), date(year, 12, 31), Precision.YEAR
    if m["wd"]:
        return _weekday(m["wday"], (m["wrel"] or "").strip().lower(), published)
    if m["ago"]:
        return _ago(m["an"].lower(), m["au"].lower().rstrip("s"), published)
    return _relative(m, published)


def _month(word: str) -> int:
    return _MONTHS.index(word.lower()[:3]) + 1


def _day_of_month(
    month: int, day_number: int, year: int | None, published: date
) -> tuple[date, date, Precision] | None:
    day = safe_day(year or published.year, month, day_number)
    if year is None and day is not None and day > published:
        day = safe_day(published.year - 1, month, day_number)
    return (day, day, Precision.DAY) if day else None


def _month_span(
    month: int, year: int | None, published: date
) -> tuple[date, date, Precision] | None:
    first = date(year or published.year, month, 1)
    if year is None and first > published:
        first = date(published.year - 1, month, 1)
    return first, period(first, Precision.MONTH).last, Precision.MONTH


def _weekday(name: str, rel: str, published: date) -> tuple[date, date, Precision] | None:
    if not name[:1].isupper():
        return None
    back = (published.weekday() - _WEEKDAYS.index(name.lower())) % 7
    if rel.startswith(("last", "this past")) and back == 0:
        back = 7
    day = published - timedelta(days=back)
    return day, day, Precision.DAY


def _ago(number: str, unit: str, published: date) -> tuple[date, date, Precision] | None:
    count = int(number) if number.isdigit() else _NUMBERS.get(number, 1)
    if unit == "day":
        day = published - timedelta(days=count)
    elif unit == "week":
        day = published - timedelta(weeks=count)
    elif unit == "month":
        day = add_months(published, -count)
    else:
        day = safe_day(published.year - count, published.month, published.day) or published
    return day, day, Precision.DAY


def _relative(m: re.Match[str], published: date) -> tuple[date, date, Precision] | None:
    today = (m["today"] or "").lower()
    if today == "yesterday":
        day = published - timedelta(days=1)
        return day, day, Precision.DAY
    if today == "the weekend" or (m["ru"] or "").lower() == "weekend":
        saturday = published - timedelta(days=(published.weekday() - 5) % 7)
        return saturday, saturday + timedelta(days=1), Precision.DAY
    if today:
        return published, published, Precision.DAY
    unit, previous = Precision(m["ru"].lower()), m["rp"].lower() == "last"
    span = period(published, unit)
    if previous:
        span = period(span.first - timedelta(days=1), unit)
    return span.first, span.last, unit
