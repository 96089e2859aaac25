"""A forecast claim reduced to the words that say what will happen, for tracker.domain.matching.

What is dropped carries no part of the claim a question resolves on: who said it (attribution
the extractor leaves: "according to X", "..., analysts said", "per Reuters"), when it is due
(the deadline is compared on its own, and outlets word it differently: "by end-February",
"by the end of February 2025"), hedges, and function words. What is folded says one thing two
ways: case and Unicode forms, "2 per cent" and "2.0%", "won't" and "will not", plural and verb
endings, demonyms ("Russian forces" / "Russia's forces"), and a short list of synonyms news
desks swap for each other ("pull out" / "withdraw", "hike" / "raise", "truce" / "ceasefire").
Negation and numbers are kept apart, because there a small change of words is another claim.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ClaimWords:
    """A normalised claim: its words, the numbers it names, and whether it is negated."""

    words: frozenset[str]
    numbers: frozenset[str]
    negated: bool
    joined: int  # how many "and"s and "but"s: "from Syria and Libya" claims two things


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
# Words that deny what follows; calling off, abandoning or scrapping a thing is not doing it.
_NEGATIONS = frozenset(
    ["not", "no", "never", "without", "neither", "nor", "cannot", "abandon", "abandons",
     "abandoned", "scrap", "scraps", "scrapped", "cancel", "cancels", "cancelled", "canceled"]
)  # fmt: skip

# Several words for one thing, written as the forms after casefold; the right-hand side is what
# both become. Phrases first, then single words (before endings are stripped).
_PHRASES = (
    (r"pull(?:s|ed|ing)?\s+out", "withdraw"), (r"step(?:s|ped|ping)?\s+down", "resign"),
    (r"federal\s+reserve", "fed"), (r"european\s+central\s+bank", "ecb"),
    (r"bank\s+of\s+england", "boe"), (r"bank\s+of\s+japan", "boj"),
    (r"european\s+union", "eu"), (r"united\s+states", "us"), (r"united\s+kingdom", "uk"),
    (r"euro\s*(?:area|zone)", "eurozone"), (r"air\s+base", "airbase"),
    (r"interest\s+rates?", "rate"), (r"fail(?:s|ed|ing)?\s+to", "not"),
    (r"f(?:a|e)ll(?:s|ing)?\s+short\s+of", "not"), (r"basis\s+points?", "bp"),
    (r"become\s+(?:a\s+)?members?\s+of", "join"), (r"in\s+power", "power"),
    (r"take\s+place", "hold"), (r"(?:be\s+)?sworn\s+in", "inaugurate"),
    (r"carr(?:y|ies|ied)\s+out", "conduct"), (r"call(?:s|ed|ing)?\s+off", "not"),
)  # fmt: skip
# One pass over the text for all of them: group n is phrase n.
_PHRASE = re.compile("|".join(rf"\b({pattern})\b" for pattern, _ in _PHRASES))
_SYNONYMS = {
    "pullout": "withdraw", "withdrawal": "withdraw", "exit": "withdraw", "hike": "raise",
    "hikes": "raise", "hiked": "raise", "lower": "cut", "reduce": "cut", "truce": "ceasefire",
    "release": "launch", "released": "launch", "unveil": "launch", "restart": "resume",
    "begin": "start", "continue": "last", "full": "complete", "fully": "complete",
    "completely": "complete", "troops": "force", "military": "force", "forces": "force",
    "britain": "uk", "british": "uk", "america": "us", "american": "us", "moscow": "russia",
    "kremlin": "russia", "beijing": "china", "programme": "program", "scheme": "program",
    "deal": "agree", "agreement": "agree", "climb": "rise", "merger": "merge",
    "drop": "fall", "hit": "reach",
    "over": "above", "under": "below",
}  # fmt: skip
# Irregular past forms, which no suffix stripping reaches.
_IRREGULAR = {
    "held": "hold", "won": "win", "lost": "lose", "fell": "fall", "rose": "rise", "left": "leave",
    "met": "meet", "took": "take", "sold": "sell", "began": "begin", "begun": "begin",
    "broke": "break", "broken": "break", "fought": "fight", "struck": "strike", "chose": "choose",
    "chosen": "choose", "paid": "pay", "made": "make", "kept": "keep", "led": "lead",
}  # fmt: skip
_DEMONYMS = {
    "russian": "russia", "syrian": "syria", "ukrainian": "ukraine", "chinese": "china",
    "indian": "india", "german": "germany", "french": "france", "turkish": "turkey",
    "israeli": "israel", "iranian": "iran", "mexican": "mexico", "canadian": "canada",
    "japanese": "japan", "european": "europe", "lebanese": "lebanon", "palestinian": "palestine",
    "polish": "poland", "italian": "italy", "spanish": "spain", "saudi": "saudi",
}  # fmt: skip
_STOP_WORDS = """
    a an the of to in on at by for from with and or as that this these those it its it's they
    their them his her he she we our you your i be been being is are was were am will would shall
    may might could can should must do does did has have had having than then into onto up out
    about also now still just both either each any some such there here which who whom whose what
    when where while if so very more most less new first own same other another
    likely unlikely probably possibly perhaps certainly expected set plan plans planning aim aims
    intend intends poised slated scheduled due going seek seeks hope hopes want wants try tries
    formally officially reportedly eventually finally soon analysts analyst economists
    economist officials official experts expert pollsters observers sources source party said
    says say predict predicts according citing per before until till ahead between"""
_STOP = frozenset(_STOP_WORDS.split())
# Verbs (as stemmed) that say the opposite of each other: claims differing in one of these are
# different forecasts however many words they share.
OPPOSITES = (
    ("win", "los"), ("rais", "cut"), ("ris", "fall"), ("increas", "decreas"), ("abov", "below"),
    ("join", "leav"), ("approv", "reject"), ("uphold", "overturn"), ("start", "end"),
    ("withdraw", "keep"), ("withdraw", "remain"), ("resign", "remain"),
)  # fmt: skip
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
        if token in _NEGATIONS:
            negated = True
        elif _NUMBER.match(token):
            numbers.add(token)
        elif token not in _STOP and len(token) > 1 and not token.isdigit():
            token = _IRREGULAR.get(token, token)
            words.add(_stem(_DEMONYMS.get(token, _SYNONYMS.get(token, token))))
    joined = sum(1 for token in tokens if token in ("and", "but"))
    return ClaimWords(frozenset(words), frozenset(numbers), negated, joined)


def _plain(text: str) -> str:
    """Casefolded text without attribution, dates and punctuation, numbers written one way."""
    claim = unicodedata.normalize("NFKC", text).casefold()
    claim = claim.replace("\u2019", "'").replace("\u2018", "'")
    claim = _CONTRACTION.sub(_spell_out, claim)
    claim = _PERCENT.sub(r"\1%", claim)
    claim = _TRAILING_SAID.sub("", claim.strip().rstrip(".!"))
    claim = _ACCORDING.sub(" ", claim)
    claim = _DATE.sub(" ", claim)
    claim = _TIDY.sub("", claim)
    claim = _PUNCTUATION.sub(" ", claim)
    return _PHRASE.sub(lambda match: _PHRASES[(match.lastindex or 1) - 1][1], claim)


def clear_caches() -> None:
    """Forget every claim and word read so far (for timing a first read)."""
    read_claim.cache_clear()
    _stem.cache_clear()


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
