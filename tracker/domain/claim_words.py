"""A forecast claim reduced to the words that say what will happen, for tracker.domain.matching.

What is dropped carries no part of the claim a question resolves on: who said it (attribution
the extractor leaves: "according to X", "..., analysts said", "per Reuters"), when it is due
(the deadline is compared on its own, and outlets word it differently: "by end-February",
"by the end of February 2025"), hedges, and function words. What is folded says one thing two
ways: case and Unicode forms, "2 per cent" and "2.0%", "won't" and "will not", plural and verb
endings, demonyms ("Russian forces" / "Russia's forces"), and a short list of synonyms news
desks swap for each other ("pull out" / "withdraw", "hike" / "raise", "truce" / "ceasefire").
Number words become digits ("two percent" = "2%", "twenty-five thousand" = "25000"). Negation
and numbers are kept apart, because there a small change of words is another claim; so are the
marks of who does what: the words written capitalised (names), the subject (the words before
"will"), whether that subject is only a pronoun, and the verbs in the passive ("be acquired")
and the active ("will acquire"). The word lists are in tracker.domain.claim_lexicon.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tracker.domain.claim_lexicon import (
    AUXILIARIES,
    BARE_PARTICIPLES,
    BE,
    DEMONYMS,
    IRREGULAR,
    MODALS,
    NEGATIONS,
    PHRASES,
    PRONOUNS,
    SCALES,
    STOP,
    SYNONYMS,
    TITLES,
    UNITS,
)


@dataclass(frozen=True)
class ClaimWords:
    """A normalised claim: its words, the numbers it names, and whether it is negated."""

    words: frozenset[str]
    numbers: frozenset[str]
    negated: bool
    joined: int  # how many "and"s and "but"s: "from Syria and Libya" claims two things
    # Words written capitalised in the text (names, organisations, places), titles aside.
    proper: frozenset[str] = frozenset()
    subject: frozenset[str] = frozenset()  # the words before "will" (or another auxiliary)
    pronoun_subject: bool = False  # "He will resign": the claim does not say who
    passive: frozenset[str] = frozenset()  # verbs after "be": "will be acquired" -> acquir
    active: frozenset[str] = frozenset()  # verbs after "will" (or "to"): "will acquire" -> acquir


_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_SEASON = r"(?:spring|summer|autumn|winter)"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)[0-9]{2}"
_PERIOD = (
    rf"(?:[0-9]{{1,2}}{_ORDINAL}\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+[0-9]{{1,2}}{_ORDINAL}\b|{_MONTH}"
    rf"|{_SEASON}|(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:quarter|half)|q[1-4]|h[12]"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|year|month|week|decade|quarter"
    r"|weekend)"
)
# A date phrase: an optional "end of" / "mid-" / "early", a period, an optional year; or a year.
_DATE = re.compile(
    r"\b(?:(?:the\s+)?(?:end|close|start|beginning|middle|turn)\s+of\s+(?:the\s+)?"
    r"|(?:end|mid|early|late)\s*-?\s*)?"
    rf"(?:(?:this|next|last|the|coming)\s+)?{_PERIOD}(?:\s*-\s*end)?(?:\s+of)?,?(?:\s+{_YEAR})?\b"
    rf"|\b(?:(?:the\s+)?end\s+of\s+|(?:end|mid|early|late)\s*-?\s*|(?:this|next|the)\s+fall\s+"
    rf"|fall\s+(?={_YEAR}))?"
    rf"{_YEAR}\b|\b[0-9]{{4}}-[0-9]{{2}}(?:-[0-9]{{2}})?\b"
    r"|\b(?:today|tonight|tomorrow|year-end|yearend|soon|shortly)\b"
    r"|\b(?:within|in)\s+(?:the\s+)?(?:next|coming)?\s*(?:[0-9]+|a|one|two|three|few|several)?"
    r"\s*(?:days?|weeks?|months?|years?)\b"
)
_SPEECH = (
    r"(?:said|says|say|told\s+\w+|added|noted|warned|wrote|predicted|predict|predicts|forecast"
    r"|expects?|expected|believes?|reported|reports|estimated|estimates|argued|concluded|claimed)"
)
_TRAILING_SAID = re.compile(rf",\s*[^,]{{2,60}}?\s+{_SPEECH}(?:\s+on\s+\w+)?\s*[.!]?\s*$")
_ACCORDING = re.compile(
    r"\baccording\s+to\s+[^,;]+(?:[,;]|$)|^citing\s+[^,;]+[,;]|,\s*per\s+[^,;]+$"
)
_CONTRACTION = re.compile(r"\b(?:(wo)|(ca))n'?t\b|n't\b")  # won't, can't, isn't
# Thousands separators (1,000), zero decimals (2.0%) and possessives ('s), in one pass.
_TIDY = re.compile(r"(?<=[0-9]),(?=[0-9]{3}\b)|(?<=\b[0-9])\.0+\b|(?<=[0-9][0-9])\.0+\b|'s\b")
_PERCENT = re.compile(r"([0-9])\s*(?:per\s*cent|percent|pct)\b")
_PHRASE = re.compile("|".join(rf"\b({pattern})\b" for pattern, _ in PHRASES))
_NUMBER_WORD = "|".join(sorted([*UNITS, *SCALES], key=len, reverse=True))
_SCALE_WORD = "|".join(SCALES)
# A run of number words ("twenty-five thousand", "one hundred and ten"), perhaps after a digit
# or an "a" that a scale multiplies ("2 million", "a dozen").
_NUMBER_RUN = re.compile(
    rf"\b(?:(?:a|[0-9]+(?:\.[0-9]+)?)[\s-]*(?=(?:{_SCALE_WORD})\b))?(?:{_NUMBER_WORD})"
    rf"(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD}))*\b(?!\s+of\b)"
)
_HALF = re.compile(r"\bhalf\b(?!\s+an?\b)")
_CAPITALISED = re.compile(r"(?<![\w'])[^\W\d_][\w'-]*")
_PUNCTUATION = re.compile(r"(?<![0-9])\.|\.(?![0-9])|[^\w.%]+")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?%?$")


@lru_cache(maxsize=4096)
def read_claim(text: str) -> ClaimWords:
    """The claim's words (see the module's notes); cached, as stored claims are read again for
    every proposal that might match them."""
    claim = _plain(text)
    words: set[str] = set()
    numbers: set[str] = set()
    negated = False
    tokens = claim.split()
    for token in tokens:
        if token in NEGATIONS:
            negated = True
        elif _NUMBER.match(token):
            numbers.add(token)
        elif _content(token):
            words.add(_word(token))
    joined = sum(1 for token in tokens if token in ("and", "but"))
    subject = next(
        (tokens[:i] for i, token in enumerate(tokens) if token in AUXILIARIES), tokens[:1]
    )
    return ClaimWords(
        frozenset(words),
        frozenset(numbers),
        negated,
        joined,
        proper=_proper(text),
        subject=frozenset(_word(token) for token in subject if _content(token)),
        pronoun_subject=bool(subject) and all(token in PRONOUNS for token in subject),
        passive=_passive(tokens),
        active=frozenset(
            _word(after)
            for token, after in itertools.pairwise(tokens)
            if token in MODALS and after not in BE and _content(after)
        ),
    )


def _content(token: str) -> bool:
    return token not in STOP and len(token) > 1 and not token.isdigit()


def _word(token: str) -> str:
    token = IRREGULAR.get(token, token)
    return _stem(DEMONYMS.get(token, SYNONYMS.get(token, token)))


def _proper(text: str) -> frozenset[str]:
    """The words the text writes capitalised, as read_claim words them; the first word of the
    claim too, since a swapped subject ("Inflation" / "Unemployment") is another claim."""
    found = set()
    for match in _CAPITALISED.finditer(unicodedata.normalize("NFKC", text)):
        if match[0][0].isupper():
            for part in match[0].casefold().removesuffix("'s").split("-"):
                if _content(part) and part not in TITLES:
                    found.add(_word(part))
    return frozenset(found)


def _passive(tokens: list[str]) -> frozenset[str]:
    """The verbs a form of "be" governs ("will be acquired", "was fully sold"): the subject
    undergoes them, which is another event than doing them."""
    found = set()
    for i, token in enumerate(tokens):
        if token not in BE:
            continue
        rest = [word for word in tokens[i + 1 : i + 4] if not word.endswith("ly")]
        if rest and (
            rest[0].endswith(("ed", "en")) or rest[0] in IRREGULAR or rest[0] in BARE_PARTICIPLES
        ):
            found.add(_word(rest[0]))
    return frozenset(found)


def _plain(text: str) -> str:
    """Casefolded text without attribution, dates and punctuation, numbers written one way."""
    claim = unicodedata.normalize("NFKC", text).casefold()
    claim = claim.replace("\u2019", "'").replace("\u2018", "'")
    claim = _CONTRACTION.sub(_spell_out, claim)
    claim = _TRAILING_SAID.sub("", claim.strip().rstrip(".!"))
    claim = _ACCORDING.sub(" ", claim)
    claim = _DATE.sub(" ", claim)  # first, so that "the first half of 2025" is no number
    claim = _TIDY.sub("", claim)
    claim = _NUMBER_RUN.sub(_digits, claim)
    claim = _HALF.sub("50%", claim)
    claim = _PERCENT.sub(r"\1%", claim)
    claim = _PUNCTUATION.sub(" ", claim)
    return _PHRASE.sub(lambda match: PHRASES[(match.lastindex or 1) - 1][1], claim)


def clear_caches() -> None:
    """Forget every claim and word read so far (for timing a first read)."""
    read_claim.cache_clear()
    _stem.cache_clear()


def _digits(match: re.Match[str]) -> str:
    """A run of number words as digits: "twenty-five thousand" -> "25000", "a dozen" -> "12"."""
    total, current = 0.0, 0.0
    for part in re.split(r"[\s-]+", match[0]):
        if part in UNITS:
            current += UNITS[part]
        elif part in SCALES and SCALES[part] < 1000:
            current = (current or 1) * SCALES[part]
        elif part in SCALES:
            total, current = total + (current or 1) * SCALES[part], 0.0
        elif part not in ("a", "and"):
            current += float(part)
    value = round(total + current, 6)  # 1.1 million is 1100000, not 1100000.0000000002
    return f" {int(value)} " if value == int(value) else f" {value:g} "


def _spell_out(match: re.Match[str]) -> str:
    return "will not" if match[1] else "can not" if match[2] else " not"


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """Plural and verb endings off, enough that "withdraws", "withdrawing" and "withdraw" meet:
    a crude suffix stripper, applied alike to both claims, so its odd stems do no harm."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
                word = word[:-1]  # cutting -> cut, stopped -> stop
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def word_form(token: str) -> str | None:
    """One casefolded token as read_claim words it (synonym, demonym, stem), or None for a stop
    word; for readers that need the words in order (tracker.evidence)."""
    return _word(token) if _content(token) else None


def drop_dates(text: str) -> str:
    """Casefolded text with its date phrases ("the end of October", "by 2026") blanked out."""
    return _DATE.sub(" ", unicodedata.normalize("NFKC", text).casefold())


def fold_phrases(text: str) -> str:
    """Casefolded text with the lexicon's phrases written as their one word ("pulled out" ->
    "withdraw"), contractions spelled out ("hasn't" -> "has not")."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return _PHRASE.sub(
        lambda match: PHRASES[(match.lastindex or 1) - 1][1], _CONTRACTION.sub(_spell_out, text)
    )
