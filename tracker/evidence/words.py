"""A sentence or a claim as the words tracker.evidence compares: in order, each with its plain
form, the word claim_words makes of it (folded into its event family), and whether it reads as a
past verb. Claims go through the same folding, so both sides meet on one word per event."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.domain.claim_lexicon import DEMONYMS, IRREGULAR, SYNONYMS
from tracker.domain.claim_words import drop_dates, fold_phrases, read_claim, word_form
from tracker.evidence.lexicon import (
    BARE_PASTS,
    COMPLETENESS,
    FAMILIES,
    FORMS,
    LIGHT_VERBS,
    PHRASES,
    PREPOSITIONS,
)
from tracker.evidence.lexicon import DEMONYMS as EXTRA_DEMONYMS

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?|[^\W\d_][\w']*|[,;:()\u2014\u2013]")
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_PUNCT = frozenset(",;:()\u2014\u2013")


@dataclass(frozen=True)
class Token:
    plain: str  # casefolded, as written (after phrases are folded: "pulled out" -> withdraw)
    word: str | None  # the compared word, None for stop words and punctuation
    past: bool  # a past form: "withdrew", "pulled", "held" (or a bare past: "cut")

    @property
    def punct(self) -> bool:
        return self.plain in _PUNCT


def family(word: str) -> str:
    word = _STEM_SYNONYMS.get(word, word)
    word = FAMILIES.get(word, word)
    # The stemmer leaves "agree" as "agre" and "agreed" as "agr": one more "e" off meets them.
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


# claim_words folds synonyms as written ("lower" -> "cut"); these fold their other forms too
# ("lowered", "lowers"), once stemmed.
_STEM_SYNONYMS = {
    stem: target
    for written, meant in [*SYNONYMS.items(), *DEMONYMS.items(), *EXTRA_DEMONYMS.items()]
    for form in (written, written + "s")
    if (stem := word_form(form)) and (target := word_form(meant)) and stem != target
}


# The countries (and unions) the folding tables name, as compared words: "russia", "uk", "eu".
COUNTRIES = frozenset(
    family(word)
    for meant in {"us", "uk", "eu", *DEMONYMS.values(), *EXTRA_DEMONYMS.values()}
    if (word := word_form(meant)) and " " not in meant
)
# Offices a claim's subject may name beside its country: "the UK transport secretary".
OFFICES = frozenset(
    family(word)
    for office in (
        "secretary",
        "minister",
        "president",
        "chancellor",
        "premier",
        "governor",
        "court",
    )
    if (word := word_form(office))
)


@lru_cache(maxsize=65536)
def _token(plain: str) -> Token:
    if plain in _PUNCT:
        return Token(plain, None, past=False)
    base = FORMS.get(plain, plain).removesuffix("'s").rstrip("'")  # "the Netherlands' vote"
    word = word_form(base)
    past = (
        plain.endswith("ed")
        or plain in IRREGULAR
        or plain in FORMS
        or plain in BARE_PASTS
        or plain in ("withdraw",)  # a folded "pulled out": the phrase's tense is lost
    )
    return Token(plain, family(word) if word else None, past)


def tokens(text: str) -> list[Token]:
    """The text's tokens in order. A verb split from its particle ("pulled its troops out")
    is folded as the phrase would be."""
    plain = fold_phrases(drop_dates(_HYPHEN.sub(" ", text)))
    for pattern, replacement in PHRASES:
        plain = pattern.sub(replacement, plain)
    found = [_token(match[0]) for match in _TOKEN.finditer(plain)]
    for i, token in enumerate(found):
        if token.plain in ("pulled", "pull", "pulls", "pulling") and any(
            later.plain == "out" for later in found[i + 1 : i + 6]
        ):
            found[i] = Token(token.plain, "withdraw", token.past)
    return found


@dataclass(frozen=True)
class Claim:
    """A question's claim as evidence reads it."""

    words: frozenset[str]  # every compared word
    core: frozenset[str]  # the words that say what happens (completeness words aside)
    subject: frozenset[str]
    names: frozenset[str]  # words written capitalised: places, people, organisations
    events: frozenset[str]  # its verbs: what must be reported as done
    numbers: frozenset[str]
    complete: bool  # "all", "full", "last": a partial step is not it
    parties: bool  # "India and the United States will sign": every party must be named
    plain: str  # casefolded text: a "most of" the claim says is no partial step
    passive: bool = False  # "Postecoglou will be sacked": the subject undergoes the event
    light: frozenset[str] = frozenset()  # "hold" of "hold a summit": the event is the noun
    short: frozenset[str] = frozenset()  # its subject's initials: "Reserve Bank of India" -> rbi


def capitalised(text: str) -> frozenset[str]:
    """The words a text writes capitalised (its first too, unless a stop word: "The"), folded
    as its words are: "The US Federal Reserve" -> {"us", "fed"}."""
    parts = _HYPHEN.sub(" ", text).split()
    kept = [w for i, w in enumerate(parts) if w[:1].isupper() and (i or _named(w))]
    return frozenset(t.word for t in tokens(" ".join(kept)) if t.word)


_NAME_RUN = re.compile(r"[A-Z][a-z]+(?:\s+(?:(?:of|and|for|on|the)\s+)*[A-Z][a-z]+)+")
_JOINERS = frozenset(["of", "and", "for", "on", "the"])


def acronyms(text: str) -> frozenset[str]:
    """The initials of the names a text writes out, as the word the short form makes: "the US
    Food and Drug Administration" is the FDA, "The Reserve Bank of India" the RBI (a name's
    first word may be no part of it). Three letters at least: shorter initials ("Supreme
    Court": "sc") would meet unrelated words."""
    found: set[str] = set()
    for run in _NAME_RUN.finditer(text):
        initials = "".join(w[0] for w in run[0].split() if w.casefold() not in _JOINERS)
        initials = initials.casefold()
        for short in (initials, initials[1:]):
            if len(short) >= 3 and (word := word_form(short)):
                found.add(family(word))
    return frozenset(found)


def _named(word: str) -> bool:
    found = tokens(word)
    return bool(found) and found[0].word is not None


def _season_years(claim: str) -> frozenset[str]:
    """The "25" of "2024-25": a season's name, not a number the claim is about."""
    return frozenset(m[1] for m in re.finditer(r"\b(?:19|20)[0-9]{2}[-/\u2013]([0-9]{2})\b", claim))


_SHORT_AMOUNT = re.compile(r"\b([0-9]+(?:\.[0-9]+)?)\s?(tn|bn|m|k)\b", re.IGNORECASE)
_AMOUNTS = {"tn": "trillion", "bn": "billion", "m": "million", "k": "thousand"}


def spelled_amounts(text: str) -> str:
    """News's short amounts written out, as claim_words reads numbers: "$5tn" -> "$5 trillion",
    "€500m" -> "€500 million"."""
    return _SHORT_AMOUNT.sub(lambda m: f"{m[1]} {_AMOUNTS[m[2].casefold()]}", text)


@lru_cache(maxsize=32768)
def read(claim: str) -> Claim:
    words = read_claim(spelled_amounts(claim))
    found = tokens(claim)
    folded = frozenset(family(word) for word in words.words)
    events = frozenset(family(word) for word in words.active | words.passive)
    if not events:
        events = _present_verb(found, frozenset(family(word) for word in words.subject))
    light: frozenset[str] = frozenset()
    if events and events <= LIGHT_VERBS:
        light, events = events, _object_noun(found, events) or events
    # Names after the main clause ("..., Khmeimim airbase and Tartus port included") are detail.
    # The main clause, without what follows it ("..., Khmeimim airbase and Tartus port
    # included") or an office it names ("... leave office as Canada's prime minister"): detail.
    first = next((i for i, t in enumerate(found) if t.plain in ",;:(" or t.plain == "as"), None)
    main_clause = frozenset(t.word for t in found[:first] if t.word)
    names = (capitalised(claim) | frozenset(map(family, words.proper))) & folded & main_clause
    return Claim(
        words=folded,
        core=(folded & main_clause or folded) - COMPLETENESS - (light - events),
        subject=frozenset(family(word) for word in words.subject) - COMPLETENESS,
        names=names,
        events=events & folded or _verbs(claim, folded, names),
        numbers=words.numbers - _season_years(claim),
        complete=bool(folded & COMPLETENESS),
        parties=re.match(r"[^,;]*?\band\b[^,;]*?\b(?:will|would|to)\b", claim) is not None,
        plain=fold_phrases(claim),
        passive=bool(words.passive),
        light=light - events,
        short=acronyms(_subject_text(claim)) - folded,
    )


def _subject_text(claim: str) -> str:
    """The claim's words before its verb, where the name a short form stands for is."""
    return re.split(r"\b(?:will|would|to)\b", claim, maxsplit=1)[0]


def _present_verb(found: list[Token], subject: frozenset[str]) -> frozenset[str]:
    """A claim without "will" ("Russia completes a full withdrawal"): its verb is the word after
    its subject."""
    named = [token for token in found if token.word]
    for before, token in itertools.pairwise(named):
        if before.word in subject and token.word not in subject:
            return frozenset([token.word]) if token.word else frozenset()
    return frozenset()


def _object_noun(found: list[Token], verbs: frozenset[str]) -> frozenset[str]:
    """The noun a light verb takes: "hold a snap federal election in 2025" -> election, "go on
    strike" -> strike."""
    start = next((i for i, token in enumerate(found) if token.word in verbs), None)
    if start is None:
        return frozenset()
    head = None
    for token in found[start + 1 :]:
        if token.plain in PREPOSITIONS or token.punct:
            if head is not None:
                break
            continue
        head = token.word or head
    return frozenset([head]) if head else frozenset()


def _verbs(claim: str, words: frozenset[str], names: frozenset[str]) -> frozenset[str]:
    """Without "will <verb>" ("A ceasefire between Israel and Hamas by March"), what must be
    reported is every word that is not a name."""
    return words - names or words
