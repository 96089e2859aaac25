"""Probabilities as a text states them: "a 70% chance", "put the odds of X at one in three",
"forty per cent", "60-70%" (the middle), "two in five", "even odds", "50-50", "a coin flip".

A stated probability is the forecaster's own number; it also makes the sentence look ahead, so
"Bookmakers put the chance of an election before June at one in three" is a forecast without
any modal verb.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tracker.extract.relative import TENS_WORDS, UNIT_WORDS

_UNITS = "|".join(reversed(UNIT_WORDS[1:]))
_TENS = "|".join(TENS_WORDS)
_DIGIT_WORDS = "|".join(UNIT_WORDS[1:10])
_WORD_NUMBER = rf"(?:(?:{_TENS})(?:[\s-](?:{_DIGIT_WORDS}))?|{_UNITS}|a\s+hundred|one\s+hundred)"
_AMOUNT = rf"(?:[0-9]{{1,3}}(?:\.[0-9]+)?|{_WORD_NUMBER})"
_PERCENT = r"\s*(?:%|per\s*cent|percent|pct)"
# "60-70%", "60% to 70%", "between 60 and 70 per cent"
_LOW = rf"(?P<low>{_AMOUNT})(?:{_PERCENT})?\s*(?:-|\u2013|to|and)\s*"
_NUMBER = rf"(?:{_LOW})?(?P<number>{_AMOUNT}){_PERCENT}"
_CHANCE = r"(?:chances?|probability|likelihood|odds|risk|possibility|prospects?)"
_APPROX = r"(?:(?:about|around|roughly|some|nearly|almost|just|only|perhaps|at\s+least|at\s+most"
_APPROX += r"|more\s+than|less\s+than|under|over|close\s+to|as\s+high\s+as|as\s+low\s+as)\s+)?"
_RATIO = (
    rf"(?P<ayes>[0-9]{{1,3}}|{_WORD_NUMBER}|an?)[\s-]+in[\s-]+"
    rf"(?P<total>[0-9]{{1,4}}|{_WORD_NUMBER})"
)
_PATTERNS = [
    # "a 70% chance", "a 60-70 per cent probability", "70% likely"
    re.compile(
        rf"\b{_NUMBER}\s+(?:{_CHANCE}|likely|certain|certainty|sure|confiden(?:t|ce))\b",
        re.IGNORECASE,
    ),
    # "the chance of X is 70%", "put the odds of X by May at 30%", "odds of 70%"
    re.compile(
        rf"\b{_CHANCE}\b(?:[^;%]{{0,120}}?\b(?:at|is|was|are|were|of|to\s+be|stands?\s+at"
        rf"|as|put\s+at))\s+{_APPROX}{_NUMBER}",
        re.IGNORECASE,
    ),
    # "a one in three chance", "put the odds of X at one in ten", "two in five"
    re.compile(rf"\b{_RATIO}\b(?:[\s-]+(?:{_CHANCE}|shot)\b)?", re.IGNORECASE),
]
_EVEN = re.compile(
    r"\b(?:(?:an?\s+)?even\s+(?:chance|odds|money)|50-50|fifty-fifty|50/50|toss-up"
    r"|coin[\s-]?(?:flip|toss))\b",
    re.IGNORECASE,
)
_CHANCE_NEARBY = re.compile(rf"\b{_CHANCE}|\bshot\b|\bodds-on\b|\bgive[sn]?\b|\bgave\b", re.I)


# Every stated probability holds one of these: a cheap test that rules most sentences out.
_ANY_ODDS = re.compile(
    r"%|per\s*cent|pct|chance|probab|likel|odds|risk|possib|prospect|shot|certain|sure"
    r"|confiden|50|fifty|coin|toss",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Stated:
    probability: float
    words: str  # as written: "one in three", "60-70%"
    start: int
    end: int
    ranged: bool = False


def number_value(text: str) -> float | None:
    """ "70", "seventy", "forty-five", "a hundred" as a number."""
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    if words[0].replace(".", "", 1).isdigit():
        return float(words[0])
    if words[-1] == "hundred":
        return 100.0
    total = 0
    for word in words:
        if word in TENS_WORDS:
            total += TENS_WORDS.index(word) * 10 + 20
        elif word in UNIT_WORDS:
            total += UNIT_WORDS.index(word)
        elif word in ("a", "an"):
            total += 1
        else:
            return None
    return float(total)


def stated_probabilities(sentence: str) -> list[Stated]:
    """Every probability the sentence states, in text order."""
    return list(_stated(sentence))


@functools.lru_cache(maxsize=256)  # asked for by the cues and by the estimate of each part
def _stated(sentence: str) -> tuple[Stated, ...]:
    if _ANY_ODDS.search(sentence) is None:
        return ()  # most sentences: no number, no odds, no chance word
    text = sentence.replace("\u2019", "'")
    found: list[Stated] = []
    for index, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            stated = _ratio(match, text) if index == 2 else _percent(match)
            if stated is not None and not any(_overlaps(stated, other) for other in found):
                found.append(stated)
    for match in _EVEN.finditer(text):
        stated = Stated(0.5, " ".join(match.group().split()), match.start(), match.end())
        if not any(_overlaps(stated, other) for other in found):
            found.append(stated)
    return tuple(sorted(found, key=lambda s: s.start))


def _overlaps(one: Stated, other: Stated) -> bool:
    return one.start < other.end and other.start < one.end


def _percent(match: re.Match[str]) -> Stated | None:
    number = number_value(match["number"])
    if number is None or not 0 <= number <= 100:
        return None
    low = number_value(match["low"]) if match["low"] else None
    words = " ".join(match.group().split())
    if low is not None and 0 <= low < number:
        return Stated(round((low + number) / 200, 4), words, match.start(), match.end(), True)
    return Stated(round(number / 100, 4), words, match.start(), match.end())


def _ratio(match: re.Match[str], text: str) -> Stated | None:
    ayes, total = number_value(match["ayes"]), number_value(match["total"])
    if ayes is None or total is None or not 0 < ayes <= total:
        return None
    # "one in three households" is a share, not a probability: the words around must say chance.
    context = text[max(0, match.start() - 120) : match.end() + 30]
    if not _CHANCE_NEARBY.search(context):
        return None
    words = " ".join(match.group().split())
    return Stated(round(ayes / total, 4), words, match.start(), match.end())
