"""Deadline mentions: a time expression with the words around it, read as a due window.

The semantics, relative to the publication date:

- "by P", "no later than P": due at the end of P, no window ("by February 2025").
- "before P", "prior to P", "ahead of P": due at the end of the period just before P, at P's
  precision ("before March 3" is due at the end of March 2; "before 2026" at the end of 2025).
- "in P", "during P", "on P", a bare P, and "until P" / "through P": the window P, opening at
  its start. "until March 2025" is read as the seed file reads it: the thing ends in March.
  But "have until P to ..." and "gave them until P" are deadlines, as "by P".
- "within N units", "in N units", "over the next N units", "N units from now": due at the end
  of the day N units after publication, day precision, no window.
- "the end of P", "later this P", "the rest of P": due at the end of P, whatever comes before.
- Parts, in thirds: "early/mid/late P" is the first, middle or last third of P (days 1-10,
  11-20, 21-end of a month; Jan-Apr, May-Aug, Sep-Dec of a year), a window. "by early P" and
  "by late P" are due at the end of that third and of P; "by mid-P" is due at its midpoint: the
  15th of a month, the end of June for a year. "by the start of P" means before P.
- "between A and B", "from A to B": the window from A's start to B's end.
- "within the next N units", "within a year": from publication; "within 90 days of the vote"
  counts from another event and is no deadline. "in the coming weeks", "within days": no length,
  no deadline.
- Seasons are meteorological and northern-hemisphere, as in tracker.domain.deadlines ("by the
  autumn" is due on 30 November; winter runs December to February and belongs to its
  December's year).
- A yearless date is the occurrence the sentence means: the next one that has not ended when
  the sentence looks ahead, otherwise the one nearest publication (see readings.Anchor).
- Weekdays: "Friday" and "this Friday" are the first on or after publication; "next Friday" is
  the Friday of the following week. "the weekend" is this week's Saturday and Sunday.
- Holidays: Christmas (Eve), New Year's Day/Eve, Easter (Western), US Thanksgiving, Halloween,
  Independence Day (4 July); "by the new year" is due on 31 December, "in the new year" is January.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVar

from tracker.domain.deadlines import Precision
from tracker.extract.calendar import Span, in_calendar, midpoint, third
from tracker.extract.folding import CaseBlind, lowered
from tracker.extract.phrases import find_expressions
from tracker.extract.readings import Anchor, Found, Reading


class Connective(enum.Enum):
    BY = "by"
    BEFORE = "before"
    UNTIL = "until"
    WITHIN = "within"
    IN = "in"
    BARE = "bare"
    PAST = "past"  # since, after, last...: no deadline


# Longest first: the first alternative that fits is taken.
_CONNECTIVES: list[tuple[str, Connective]] = [
    (r"between\s+now\s+and|from\s+now\s+(?:until|till|to|through)", Connective.BY),
    (r"no\s+later\s+than|not\s+later\s+than|at\s+the\s+latest\s+by|by", Connective.BY),
    (r"deadline\s+(?:of|is|on|for|set\s+for)|deadlines?\s+(?:of|on)", Connective.BY),
    (r"before|prior\s+to|ahead\s+of|in\s+time\s+for|earlier\s+than", Connective.BEFORE),
    (r"until|till|til|up\s+(?:to|until)|through|thru|throughout", Connective.UNTIL),
    (r"within|inside", Connective.WITHIN),
    (r"not\s+before|no\s+earlier\s+than|since|after|following|as\s+of|last", Connective.PAST),
    (
        r"(?:some\s*time|some\s+point)\s+in|as\s+(?:early|soon)\s+as|starting(?:\s+(?:in|on))?"
        r"|beginning(?:\s+(?:in|on))?|between|from|into|in|during|over|across|on|at|for|around"
        r"|about|come",
        Connective.IN,
    ),
]
_CONNECTIVE = "|".join(f"(?P<c{index}>{words})" for index, (words, _) in enumerate(_CONNECTIVES))


class Part(enum.Enum):
    EARLY = 0
    MIDDLE = 1
    LATE = 2
    START = 3  # "the start of P": early P, but "by the start of P" is before P
    END = 4  # "the end of P", "later this P", "the rest of P": a deadline at P's end
    EARLIER = 5  # "earlier this year": the past


_PARTS: list[tuple[str, Part]] = [
    # Bare only as in "start-2026": "work will start next month" is the verb.
    (r"(?:the\s+)?(?:beginning|start|outset)\s+of|start(?=-)|beginning(?=-)", Part.START),
    (r"(?:the\s+)?(?:end|close|rest|remainder|balance)\s+of|end|later(?:\s+in)?", Part.END),
    (r"(?:the\s+)?(?:middle|midpoint)\s+of|(?:the\s+)?mid(?:dle)?", Part.MIDDLE),
    (r"(?:the\s+)?(?:very\s+)?early(?:\s+(?:part|stages?)\s+of|\s+in)?", Part.EARLY),
    (r"(?:the\s+)?(?:very\s+)?late(?:\s+(?:part|stages?)\s+of|\s+in)?", Part.LATE),
    (r"earlier(?:\s+in)?", Part.EARLIER),
]
_PART = "|".join(f"(?P<p{index}>{words})" for index, (words, _) in enumerate(_PARTS))
_PREFIX = CaseBlind.compile(
    rf"(?:\b(?:{_CONNECTIVE})\s+(?:at\s+least\s+)?)?(?:\bthe\s+)?(?:\b(?:{_PART})[\s-]*)?"
    r"(?:\b(?:the|its|their|his|her)\s+|\b(?:the\s+)?[a-z]+['\u2019]s\s+)?$"
)
_LOOKBACK = 80  # characters before an expression that may hold its connective
_PREFIX_WORDS = 12  # words: "at the latest by the very end of the"
_WORD_START = re.compile(r"(?<![\w'-])[\w]")
_TARGET_AFTER = re.compile(r"\s*(?:deadlines?|targets?|goals?)\b|,?\s+at\s+the\s+latest\b", re.I)
_PAST_AFTER = re.compile(r"\s+(?:last\s+year|ago|earlier|before\s+last)\b", re.IGNORECASE)
# "the highest level in two years", "for the second time in a year": a span, not a deadline.
_SPAN_BEFORE = re.compile(
    r"\b(?:[a-z]+est|most|least|first|only|times?|once|twice)\b[^,.;]{0,40}$", re.IGNORECASE
)
# "within 90 days of the resignation": counted from another event, not from publication.
_FROM_AN_EVENT = re.compile(r"\s+(?:of|after|following|from)\b(?!\s+now\b)", re.IGNORECASE)
_GIVEN_UNTIL = re.compile(
    r"\b(?:has|have|had|having|(?:given|gave|give|gives)\s+(?:[\w-]+\s+){0,3})\s*$", re.IGNORECASE
)
_RANGE_JOIN = re.compile(r"\s*(?:and|to|until|till|through|thru|-|\u2013)\s*$", re.IGNORECASE)
_RANGE_OPEN = re.compile(r"\b(?:between|from)\s+(?:the\s+)?$", re.IGNORECASE)
_AFTER_CONTEXT_WORDS = ("within", "during", "throughout", "for", "in", "over")
_LENGTH_WORDS = ("within", "in", "inside")


@dataclass(frozen=True)
class Mention:
    """A time expression in a sentence, read as a due window in whole local days."""

    text: str  # as written, with its connective: "by February 20, 2025"
    start: int
    end: int
    connective: Connective
    first: date | None  # the window's first day, or None for a deadline alone
    last: date  # the last day: the end of a period at `precision`
    precision: Precision
    looks_ahead: bool  # "next year", "within two weeks": forward-looking by itself

    @property
    def rank(self) -> int:
        """How surely this names a deadline: by/until/within/before over in/on over bare."""
        return _RANK[self.connective]


_RANK = {
    Connective.BY: 3,
    Connective.BEFORE: 3,
    Connective.UNTIL: 3,
    Connective.WITHIN: 3,
    Connective.IN: 2,
    Connective.BARE: 1,
    Connective.PAST: 0,
}
_Kind = TypeVar("_Kind")


def find_mentions(sentence: str, published: date, *, ahead: bool = False) -> list[Mention]:
    """Every time expression in the sentence that can be a deadline, past ones included.
    `ahead`: the sentence looks ahead, so a yearless date is its next occurrence."""
    mentions = []
    anchor = Anchor(published, ahead)
    for found in _join_ranges(sentence, find_expressions(sentence, anchor)):
        mention = in_calendar(lambda: _mention(sentence, found))  # noqa: B023 - called at once
        if mention is not None:
            mentions.append(mention)
    return mentions


def read_deadline(phrase: str, published: date, *, ahead: bool = True) -> Mention | None:
    """The one deadline in a phrase such as "by the end of next year" (for tests and tools)."""
    mentions = find_mentions(phrase, published, ahead=ahead)
    return max(mentions, key=lambda m: (m.rank, m.end - m.start)) if mentions else None


@dataclass(frozen=True)
class _Context:
    """The words around a time expression that decide what it means."""

    start: int  # where the connective (or part, or "the") begins in the sentence
    end: int  # the expression's end, with "deadline" or "at the latest" after it
    connective: Connective
    words: str  # the connective as written, lower case: "in", "no later than"
    part: Part | None
    prefix: str  # from the connective to the expression: "by the end of ", "in the "
    before: str  # the text before the connective
    after: str  # the text after the expression
    qualified: bool  # a part, or "deadline"/"target" after it: "the 2030 target"


def _mention(sentence: str, found: Found) -> Mention | None:
    context = _context(sentence, found)
    reading = found.reading
    if not _can_be_a_deadline(reading, context):
        return None
    connective = context.connective
    if context.part is not None:
        reading, connective = _apply_part(context.part, reading, connective)
    first, last, precision = _due(connective, reading)
    if first is not None and first > last:
        return None  # a part of a part that does not exist; never a window that ends first
    said_later = context.part is Part.END and sentence[context.start :].lower().startswith("later")
    return Mention(
        text=" ".join(sentence[context.start : context.end].split()),
        start=context.start,
        end=context.end,
        connective=connective,
        first=first,
        last=last,
        precision=precision,
        looks_ahead=reading.looks_ahead or said_later,
    )


def _context(sentence: str, found: Found) -> _Context:
    lookback = sentence[max(0, found.start - _LOOKBACK) : found.start]
    prefix = _prefix(lookback)
    connective = _group_kind(prefix, "c", _CONNECTIVES) or Connective.BARE
    after = sentence[found.end :]
    target = _TARGET_AFTER.match(after)
    if target and connective in (Connective.BARE, Connective.IN):
        connective = Connective.BY  # "the March 3 deadline", "by March at the latest"
    if connective is Connective.UNTIL and _GIVEN_UNTIL.search(lookback[: prefix.start()]):
        connective = Connective.BY  # "have until June 30 to agree": a deadline, not an end
    part = _group_kind(prefix, "p", _PARTS)
    start = found.start - (len(lookback) - prefix.start())
    return _Context(
        start=start,
        end=found.end + (target.end() if target else 0),
        connective=connective,
        words=" ".join((_group_text(prefix, "c") or "").lower().split()),
        part=part,
        prefix=prefix.group(),
        before=sentence[:start],
        after=after,
        qualified=part is not None or target is not None,
    )


def _prefix(lookback: str) -> re.Match[str]:
    """The connective, part and article before an expression: the leftmost (longest) match of
    _PREFIX ending the lookback. Tried only where the last few words start, not at every
    character: the prefix is at most a few words, and this is the extractor's hottest spot."""
    starts = [m.start() for m in _WORD_START.finditer(lookback)][-_PREFIX_WORDS:]
    low = lowered(lookback)  # the groups are read in lower case
    for start in starts:
        found = _PREFIX.match(lookback, low, start)
        if found is not None:
            return found
    empty = _PREFIX.match(lookback, low, len(lookback))
    assert empty is not None  # every group is optional
    return empty


def _can_be_a_deadline(reading: Reading, context: _Context) -> bool:
    if context.connective is Connective.PAST or context.part is Part.EARLIER:
        return False  # since March, after 2030, last summer, earlier this year
    if _PAST_AFTER.match(context.after):
        return False  # two years ago, in March last year
    if reading.needs_connective and context.connective is Connective.BARE and not context.part:
        return False  # a bare "2025" or "May"
    if _names_an_event(reading, context):
        return False
    if reading.contextual and not context.part and context.words not in _AFTER_CONTEXT_WORDS:
        return False  # "the year" only as "the end of the year", "within the year"...
    if reading.bare_length and context.words not in _LENGTH_WORDS:
        return False  # "for two years" is how long, not by when
    if reading.length and _FROM_AN_EVENT.match(context.after):
        return False
    # "the highest level in two years", "for the second time in a year": a span, not a deadline.
    spanned = reading.bare_length and context.words == "in"
    return not (spanned and _SPAN_BEFORE.search(context.before[-_LOOKBACK:]))


def _names_an_event(reading: Reading, context: _Context) -> bool:
    """ "in time for the 2026 World Cup", "the 2024 election": a year that names an event."""
    window = reading.window
    single_year = window.precision is Precision.YEAR and window.first.year == window.last.year
    bare_year = reading.needs_connective and single_year
    owner = context.prefix.lower().endswith(("the ", "its ", "their ", "his ", "her "))
    return bare_year and not context.qualified and owner


def _group_kind(match: re.Match[str], letter: str, table: list[tuple[str, _Kind]]) -> _Kind | None:
    for index, (_, kind) in enumerate(table):
        if match.group(f"{letter}{index}"):
            return kind
    return None


def _group_text(match: re.Match[str], letter: str) -> str | None:
    return next(
        (text for name, text in match.groupdict().items() if name[0] == letter and text), None
    )


def _apply_part(part: Part, reading: Reading, connective: Connective) -> tuple[Reading, Connective]:
    whole = reading.window
    if part is Part.END:
        return Reading(whole, deadline_only=True, looks_ahead=reading.looks_ahead), connective
    if part is Part.START and connective in (Connective.BY, Connective.UNTIL):
        return reading, Connective.BEFORE  # "by the start of 2026": before 2026
    if part in (Part.EARLY, Part.START):
        return Reading(third(whole, 0), looks_ahead=reading.looks_ahead), connective
    if part is Part.MIDDLE:
        return Reading(third(whole, 1), deadline=midpoint(whole)), connective
    return Reading(third(whole, 2), deadline=whole, looks_ahead=reading.looks_ahead), connective


def _due(connective: Connective, reading: Reading) -> tuple[date | None, date, Precision]:
    window, deadline = reading.window, reading.deadline or reading.window
    if reading.deadline_only or connective in (Connective.BY, Connective.WITHIN):
        return None, deadline.last, deadline.precision
    if connective is Connective.BEFORE:
        return None, *_day_before(reading)
    return window.first, window.last, window.precision


def _day_before(reading: Reading) -> tuple[date, Precision]:
    window, deadline = reading.window, reading.deadline
    if deadline is not None and deadline.last < window.first:  # the new year's eve
        return deadline.last, deadline.precision
    if deadline is not None and deadline.precision is Precision.DAY:  # before mid-April
        return deadline.first - timedelta(days=1), Precision.DAY
    return window.first - timedelta(days=1), window.precision


def _join_ranges(sentence: str, found: list[Found]) -> list[Found]:
    """ "between March and May 2025", "from 2026 to 2028", "March 3-5": one window. A yearless
    start borrows the end's year ("from January to March 2026")."""
    joined: list[Found] = []
    for current in found:
        previous = joined[-1] if joined else None
        if previous is None or not _is_range(sentence, previous, current):
            joined.append(current)
            continue
        first, last = previous.reading, current.reading
        start_span = first.window
        if first.remake is not None and last.year_given is not None:
            start_span = first.remake(last.year_given) or start_span
            if start_span.first > last.window.first and first.remake(last.year_given - 1):
                start_span = first.remake(last.year_given - 1) or start_span
        window = Span(start_span.first, last.window.last, last.window.precision)
        merged = replace(last, window=window, deadline=None, needs_connective=False)
        joined[-1] = Found(previous.start, current.end, merged)
    return joined


def _is_range(sentence: str, first: Found, second: Found) -> bool:
    between = sentence[first.end : second.start]
    if not _RANGE_JOIN.fullmatch(between) or first.reading.deadline_only:
        return False
    opened = _RANGE_OPEN.search(sentence[max(0, first.start - 20) : first.start])
    return opened is not None or between.strip() in ("-", "\u2013")
