"""Time expressions in a sentence: the grammar, and finding them.

Each pattern below is read by a reader in `dates` or `relative` into the days it names
("February 2025", "next quarter", "within 60 days"); the word in front of it (by, until, in,
before) and what that makes of the deadline is decided in `mentions`. Months, weekdays and
holidays count only when capitalised, so the verbs "may" and "march" are never dates.
"""

from __future__ import annotations

import re

from tracker.extract import dates, relative
from tracker.extract.calendar import in_calendar
from tracker.extract.folding import CaseBlind, lowered
from tracker.extract.readings import WEEKDAY_NAMES, Anchor, Found, Reader
from tracker.extract.relative import TENS_WORDS, UNIT_WORDS

_M = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
    # "Feb." and "Sept.", but not the full stop of "May."
    r"(?:(?<=\b(?!may)[a-z]{3})\.|(?<=\bsept)\.)?"
)
_D = r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?(?![0-9]|:[0-9])"
_Y = r"(?P<year>(?:19|20|21)[0-9]{2})(?![0-9])"
_WEEKDAY = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
_ON_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"  # "Monday, March 3"
_SEASON = r"(?P<season>spring|summer|autumn|fall|winter)\b"
_NUMBER = (
    r"(?P<number>[0-9]+(?:\.[0-9]+)?|(?:a|an|one)\s+and\s+a\s+half|half\s+an?|a\s+couple\s+of"
    r"|a\s+dozen|(?:" + "|".join(TENS_WORDS) + r")(?:[\s-](?:" + "|".join(UNIT_WORDS[1:10])
    + r"))?|" + "|".join(reversed(UNIT_WORDS)) + r"|an?)"
)  # fmt: skip
# "this/next year" after a quarter or half: "the first quarter of next year".
_OF_YEAR = (
    rf"(?:\s*(?:of\s+|,\s*)?(?:{_Y}|(?P<rel>this|next|the\s+(?:current|next|coming))\s+year"
    r"|(?P<the>the)\s+year)|\s*'(?P<yy>[0-9]{2})\b)?"
)


_WEEK_OF = (
    r"\b(?:the\s+)?week\s+(?:of|starting|beginning|commencing|from)\s+(?:on\s+)?"
    r"(?:(?:mon|sun)day,?\s+)?"
)

# The words each pattern needs, one at least, so that a sentence is scanned only by the
# patterns that can match in it: 26 scans of each sentence were a third of extracting.
# DIGIT stands for any digit 0-9. A pattern's words stand between word boundaries, so each is
# a whole run of letters in the lower-cased sentence, as `words_present` splits it.
_DIGIT = frozenset({"#"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MONTHS = _words(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept"
    " september oct october nov november dec december"
)
_SEASONS = _words("spring summer autumn fall winter")
_QUARTER = _DIGIT | {"quarter", "q"}
_HALF = _DIGIT | {"half", "h"}
_WEEKDAYS = frozenset(WEEKDAY_NAMES)
_RELATIVE = _words("next this coming upcoming")
_UNITS = _words("week month quarter year decade")
_END = frozenset({"end"})
_NEAR_DAYS = _words("today tonight tomorrow")
_WEEKEND = frozenset({"weekend"})
_HOLIDAYS = _words("christmas new easter thanksgiving halloween independence")
_DURATIONS = _words(
    "hour hours day days week weeks fortnight fortnights month months year years decade decades"
)
_LETTERS = re.compile(r"[^\W\d_]+")
_ANY_DIGIT = re.compile(r"[0-9]")


# The letters IGNORECASE reads as ASCII ones ("\u017fpring", "th\u0131s", "APR\u0130L"): the
# readers look words up in ASCII, so they get the ASCII letter, in the same case.
_ASCII_TO_IGNORECASE = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0130": "I", "\u212a": "K"})


def words_present(sentence: str) -> set[str] | None:
    """The sentence's runs of letters in lower case, and "#" when it holds a digit; None where
    lower case does not read letters as IGNORECASE does ("İ", the dotless i, the long s): then
    every pattern is tried."""
    low = lowered(sentence)
    if low is None:
        return None
    present = set(_LETTERS.findall(low))
    if _ANY_DIGIT.search(sentence):
        present.add("#")
    return present


# The grammar, most specific first --------------------------------------------------------------

_RULES: list[tuple[str, Reader, frozenset[str]]] = [
    (
        rf"\b{_Y}-(?P<mo>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])\b",
        dates.read_iso_day,
        _DIGIT,
    ),
    (
        rf"\b(?P<a>[0-9]{{1,2}})(?P<sep>[/.])(?P<b>[0-9]{{1,2}})(?P=sep){_Y}",
        dates.read_numeric_day,
        _DIGIT,
    ),
    (rf"{_WEEK_OF}{_M}\s+{_D}(?:,?\s+{_Y})?", dates.read_week_starting, _MONTHS),
    (
        rf"{_WEEK_OF}(?:the\s+)?{_D}\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?",
        dates.read_week_starting,
        _MONTHS,
    ),
    (rf"\b{_ON_WEEKDAY}{_M}\s+{_D}(?:,?\s+{_Y})?", dates.read_named_day, _MONTHS),
    (
        rf"\b{_ON_WEEKDAY}(?:the\s+)?{_D}\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?",
        dates.read_named_day,
        _MONTHS,
    ),
    (
        rf"\b{_M}\s+(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?\s*(?:-|\u2013|to|through|and)\s*"
        rf"(?P<day2>[0-9]{{1,2}})(?:st|nd|rd|th)?(?![0-9])(?:,?\s+{_Y})?",
        dates.read_day_range,
        _MONTHS,
    ),
    (
        r"\b(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\s*(?:-|\u2013|to|and)\s*(?P<day2>[0-9]{1,2})"
        rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?",
        dates.read_day_range,
        _MONTHS,
    ),
    (
        rf"\b(?P<ordinal>first|second|third|fourth|last|final)\s+week\s+(?:of|in)\s+{_M}"
        rf"(?:,?\s+{_Y})?",
        dates.read_week_of_month,
        _MONTHS,
    ),
    (rf"\b{_M}(?:,?\s+(?:of\s+)?{_Y})?", dates.read_month, _MONTHS),
    # "by the 15th", "on the 31st": a day of a month named nowhere, the next one; not "the
    # 15th anniversary"
    (
        r"(?<=\bthe\s)(?P<day>[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)\b"
        r"(?!\s*(?!(?:whether|if|and|or|but|when|at|in|on|to|so|as|unless)\b)[a-z0-9-])",
        dates.read_day_of_month,
        _DIGIT,
    ),
    (rf"\b{_Y}-(?P<mo>0[1-9]|1[0-2])\b(?!-[0-9])", dates.read_iso_month, _DIGIT),
    (
        rf"\b{_SEASON}(?:\s+(?:of\s+)?{_Y}(?:\s*[-\u2013/]\s*[0-9]{{2,4}})?)?",
        dates.read_season,
        _SEASONS,
    ),
    (
        r"\b(?:q(?P<q>[1-4])|(?P<q2>[1-4])q|(?P<ordinal>first|second|third|fourth|final|last|1st"
        rf"|2nd|3rd|4th)\s+quarter)\b{_OF_YEAR}",
        dates.read_quarter,
        _QUARTER,
    ),
    (
        r"\b(?:h(?P<h>[12])|(?P<h2>[12])h|(?P<ordinal>first|second|latter|last|back|1st|2nd)"
        rf"\s+half)\b{_OF_YEAR}",
        dates.read_half,
        _HALF,
    ),
    (
        rf"\b(?:(?:fiscal|financial)\s+(?:year\s+)?|fy\s?|the\s+year\s+)?{_Y}(?!s\b|['\u2019]s)",
        dates.read_year,
        _DIGIT,
    ),
    (
        rf"\b{_Y}\s*(?:-|\u2013|to|through|and)\s*(?P<year2>(?:19|20|21)?[0-9]{{2}})(?![0-9]|s\b)",
        dates.read_year_range,
        _DIGIT,
    ),
    (r"\b(?P<decade>(?:19|20|21)[0-9]0)['\u2019]?s\b", dates.read_decade, _DIGIT),
    (
        r"\b(?P<rel>next|this|coming|the\s+coming|the\s+upcoming|upcoming)\s+(?P<unit>week|weekend"
        r"|month|quarter|year|decade|spring|summer|autumn|fall|winter|monday|tuesday|wednesday"
        r"|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august"
        r"|september|october|november|december)\b",
        relative.read_relative,
        _RELATIVE,
    ),
    (
        r"\bthe\s+(?:current\s+)?(?:(?:fiscal|financial)\s+(?=year))?"
        r"(?P<unit>week|month|quarter|year|decade)\b(?!['\u2019])",
        relative.read_current,
        _UNITS,
    ),
    (
        rf"\b(?:the\s+)?(?P<unit>year|month|quarter|week)(?:['\u2019]s)?[\s-]+end\b(?:\s+{_Y})?",
        relative.read_period_end,
        _END,
    ),
    (
        r"\b(?P<word>today|tonight|tomorrow|the\s+day\s+after\s+tomorrow)\b",
        relative.read_near_day,
        _NEAR_DAYS,
    ),
    (r"\bthe\s+(?P<rel>)(?P<unit>weekend)\b", relative.read_relative, _WEEKEND),
    (rf"\b{_WEEKDAY}", relative.read_weekday, _WEEKDAYS),
    (
        r"\b(?P<name>christmas(?:\s+(?:day|eve))?|new\s+year['\u2019]?s(?:\s+(?:day|eve))?|(?:the\s+)?"
        r"new\s+year|easter(?:\s+sunday)?|thanksgiving(?:\s+day)?|halloween|independence\s+day)"
        rf"\b(?:\s+{_Y})?",
        relative.read_holiday,
        _HOLIDAYS,
    ),
    (
        r"\b(?P<the>the\s+)?(?:(?P<rel>next|coming|upcoming)\s+)?(?:" + _NUMBER + r"\s+)?"
        r"(?P<unit>hours?|days?|weeks?|fortnights?|months?|years?|decades?)\b"
        r"(?P<half>\s+and\s+a\s+half)?(?P<suffix>['\u2019]s?\s+time|\s+from\s+now|\s+hence)?",
        relative.read_duration,
        _DURATIONS,
    ),
]
_COMPILED = [(CaseBlind.compile(pattern), read, needs) for pattern, read, needs in _RULES]


def find_expressions(sentence: str, anchor: Anchor) -> list[Found]:
    """Every time expression, the longest where they overlap ("February 20, 2025" over
    "February 20" and "2025")."""
    found: list[Found] = []
    written = sentence.translate(_ASCII_TO_IGNORECASE)  # same length, same matches
    present = words_present(written)
    low = lowered(written)
    for pattern, read, needs in _COMPILED:
        if present is not None and needs.isdisjoint(present):
            continue  # the pattern cannot match: none of the words it is made of is there
        for scanned in pattern.finditer(written, low):
            match = pattern.as_written(written, scanned)  # "May" is a month, "may" a verb
            reading = in_calendar(lambda: read(match, anchor))  # noqa: B023 - called at once
            if reading is not None:
                found.append(Found(match.start(), match.end(), reading))
    found.sort(key=lambda f: (f.start - f.end, f.start))
    kept: list[Found] = []
    for candidate in found:
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)
