"""What a time expression names, before the words around it make it a deadline.

Readers (in `dates` and `relative`) turn a match of a pattern in `phrases` into a Reading, a
span of days relative to the publication day; `mentions` then applies the connective (by,
until, in, before) and any part ("late", "the end of").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tracker.extract.calendar import Span, nearest_occurrence, upcoming_occurrence


@dataclass(frozen=True)
class Reading:
    """What an expression names: the days "in <it>" covers, and what "by <it>" means."""

    window: Span
    deadline: Span | None = None  # when "by P" is not the end of the window (mid-April: the 15th)
    deadline_only: bool = False  # durations, "year-end": a deadline whatever the word before it
    looks_ahead: bool = False  # "next year", "tomorrow", "within two weeks": forward by itself
    length: bool = False  # "two weeks", "the next six months": counted from publication
    needs_connective: bool = False  # a bare "2025" or "May" is too often not a date
    bare_length: bool = False  # "two years" without next/from now: only after within/in
    contextual: bool = False  # "the year": only after "the end of", "within", "during"...
    year_given: int | None = None  # as written, so a range can lend it ("January to March 2026")
    remake: Callable[[int], Span | None] | None = None  # the same yearless words in another year


@dataclass(frozen=True)
class Anchor:
    """The publication day, and whether the sentence looks ahead: then a yearless "by November"
    written in December is next November; otherwise it is the occurrence nearest publication,
    which for "On December 8, ..." in a December 24 article is the past one."""

    published: date
    ahead: bool = False

    def occurrence(self, make: Callable[[int], Span | None]) -> Span | None:
        if self.ahead:
            return upcoming_occurrence(make, self.published)
        return nearest_occurrence(make, self.published)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    reading: Reading


Reader = Callable[[re.Match[str], Anchor], Reading | None]


MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SEASON_FIRST_MONTH = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def month_number(word: str) -> int | None:
    """A month's number, or None for a lower-case word ("may" and "march" are verbs)."""
    return MONTH_NAMES.index(word.lower()[:3]) + 1 if capitalised(word) else None


def capitalised(word: str) -> bool:
    return word[:1].isupper()
