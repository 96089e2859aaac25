"""Scan an article for evidence of how open questions ended.

The questions are indexed once by their claims' words (QuestionIndex: word -> questions); each
sentence looks up only the questions that share enough of its words (COVERAGE_FLOOR of a
claim's core), and only those are judged (tracker.evidence.judge). An article of 3,000 words
against 10,000 questions is so one dictionary walk per sentence, not 10,000 comparisons.

Scores are 0..1. SHOW_THRESHOLD (0.6) is the least a finding needs to be listed at all; a feed
resolves by itself (`--auto-resolve`) only above AUTO_RESOLVE_THRESHOLD (0.9), which takes a
dated (or prompt) report naming nearly every word of the claim. One finding per question per
article: its best-scored sentence.

Pure: the publication day is a parameter; no clock, database or network.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.domain.claim_words import fold_phrases, read_claim
from tracker.evidence.dates import past_dates
from tracker.evidence.judge import (
    COVERAGE_FLOOR,
    Finding,
    Sentence,
    Window,
    claim_weights,
    judge,
)
from tracker.evidence.lexicon import BE_FORMS, ENACTED
from tracker.evidence.words import (
    Claim,
    Token,
    acronyms,
    capitalised,
    read,
    spelled_amounts,
    tokens,
)
from tracker.extract import split_sentences
from tracker.extract.mentions import find_mentions

SHOW_THRESHOLD = 0.6
AUTO_RESOLVE_THRESHOLD = 0.9
_PRONOUNS = frozenset(["it", "they", "he", "she"])
_MAX_SENTENCE = 2000  # characters: longer is a table or a list, not a report


@dataclass(frozen=True)
class OpenQuestion:
    key: str
    claim: str
    opened: date  # the window's first day (the question's creation or window start)
    due: date  # its deadline's day
    question_id: int | None = None


@dataclass(frozen=True)
class Evidence:
    question: OpenQuestion
    outcome: str  # "yes" or "no"
    occurred_on: date | None
    quote: str
    score: float


class QuestionIndex:
    """Open questions by the words of their claims."""

    def __init__(self, questions: Iterable[OpenQuestion]) -> None:
        self._questions: list[OpenQuestion] = []
        self._claims: list[Claim] = []
        self._needed: list[int] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for question in questions:
            claim = read(question.claim)
            if not claim.core:
                continue
            index = len(self._questions)
            self._questions.append(question)
            self._claims.append(claim)
            self._needed.append(_words_needed(claim))
            for word in claim.core | claim.short:
                self._postings[word].append(index)

    def __len__(self) -> int:
        return len(self._questions)

    def candidates(self, words: frozenset[str]) -> list[int]:
        """The questions sharing enough words with a sentence to be judged against it. A
        measure that "took effect" stands for any claim's verb (judge._in_force): one word more."""
        counts: Counter[int] = Counter()
        for word in words:
            counts.update(self._postings.get(word, ()))
        extra = 1 if ENACTED in words else 0
        return [i for i, count in counts.items() if count + extra >= self._needed[i]]

    def question(self, index: int) -> tuple[OpenQuestion, Claim]:
        return self._questions[index], self._claims[index]


def _words_needed(claim: Claim) -> int:
    """The fewest of a claim's words a sentence must share for judge to accept it: each word
    named adds at most 1 to the weighted coverage (tracker.evidence.judge.claim_coverage), which
    must reach COVERAGE_FLOOR of the claim's whole weight."""
    total = sum(claim_weights(claim).values()) + (1.0 if claim.subject else 0.0)
    return max(1, math.ceil(COVERAGE_FLOOR * total - 1e-9))


def scan(
    text: str, published: date, index: QuestionIndex, *, threshold: float = SHOW_THRESHOLD
) -> list[Evidence]:
    """The evidence the article gives, best first: one finding per question."""
    best: dict[int, Evidence] = {}
    before: tuple[str, frozenset[str]] = ("", frozenset())
    for said in split_sentences(text):
        if len(said) > _MAX_SENTENCE:
            continue
        sentence_tokens = tokens(said)
        words = frozenset(token.word for token in sentence_tokens if token.word)
        words |= acronyms(said)
        # "It completed the withdrawal on Tuesday": the subject is the last sentence's.
        referent = before[1] if _starts_with_pronoun(sentence_tokens) else frozenset()
        quote = f"{before[0]} {said}" if referent else said
        before = (said, words)
        found = index.candidates(words | referent)
        if not found:
            continue
        sentence = _sentence(said, sentence_tokens, words, published, referent)
        for i in found:
            question, claim = index.question(i)
            finding = judge(sentence, claim, Window(question.opened, question.due))
            if finding is None or finding.score < threshold:
                continue
            if i not in best or finding.score > best[i].score:
                best[i] = _evidence(question, finding, quote)
    return sorted(best.values(), key=lambda e: (-e.score, e.question.key))


def _in_capitals(quote: str) -> bool:
    """Whether the sentence opens with a headline: four words or more in capitals ("US AND
    IRAN HOLD FIRST DIRECT TALKS IN OMAN - both sides ...")."""
    words = [w for w in quote.split() if any(c.isalpha() for c in w)]
    leading = list(itertools.takewhile(lambda w: w.isupper(), words))
    return len(leading) >= 4


def _starts_with_pronoun(found: list[Token]) -> bool:
    return bool(found) and found[0].plain in _PRONOUNS


def _sentence(
    quote: str,
    found: list[Token],
    words: frozenset[str],
    published: date,
    referent: frozenset[str] = frozenset(),
) -> Sentence:
    later = [m.last for m in find_mentions(quote, published, ahead=True) if m.last > published]
    return Sentence(
        text=fold_phrases(quote),
        written=quote.casefold(),
        headline=_in_capitals(quote),
        tokens=found,
        words=words,
        numbers=read_claim(spelled_amounts(quote)).numbers,
        dates=past_dates(quote, published),
        published=published,
        later_dates=later,
        names=capitalised(quote),
        referent=referent,
        passive=frozenset(
            token.word
            for before, token in itertools.pairwise(found)
            if token.word and before.plain in BE_FORMS
        ),
    )


def _evidence(question: OpenQuestion, finding: Finding, quote: str) -> Evidence:
    return Evidence(question, finding.outcome, finding.occurred_on, quote, finding.score)
