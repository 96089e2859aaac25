"""Scoring the extractor on a labelled development set: a sentence is fully right when the
forecasts found are exactly the ones expected (same last day and precision, the claim holds the
expected words, the stated probability within 0.01); an article is scored by recall and
precision of its forecasts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from tracker.extract import Candidate, extract_candidates

UTC_ZONE = ZoneInfo("UTC")


class Expected(Protocol):
    @property
    def last(self) -> str: ...
    @property
    def precision(self) -> str: ...
    @property
    def claim_words(self) -> tuple[str, ...]: ...
    @property
    def probability(self) -> float | None: ...


class Labelled(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def published(self) -> str: ...
    @property
    def forecasts(self) -> tuple[Expected, ...]: ...
    @property
    def conditional(self) -> bool: ...


@dataclass(frozen=True)
class Score:
    right: int
    total: int

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0


def matches(candidate: Candidate, expected: Expected) -> bool:
    due = candidate.due
    if due is None or due.due_at.astimezone(UTC_ZONE).date().isoformat() != expected.last:
        return False
    if due.precision.value != expected.precision:
        return False
    words = set(re.findall(r"[\w.%'-]+", candidate.claim.lower().replace("\u2019", "'")))
    claim = candidate.claim.lower().replace("\u2019", "'")
    if not all(word in words or word in claim for word in expected.claim_words):
        return False
    if expected.probability is None:
        return True
    return candidate.probability is not None and (
        abs(candidate.probability - expected.probability) <= 0.01
    )


def found(case: Labelled, *, include_conditional: bool = False) -> list[Candidate]:
    return extract_candidates(
        case.text,
        published=date.fromisoformat(case.published),
        tz=UTC_ZONE,
        include_conditional=include_conditional,
    )


def expected_forecasts(
    case: Labelled, *, include_conditional: bool = False
) -> tuple[Expected, ...]:
    """A conditional forecast is left out unless asked for."""
    return case.forecasts if include_conditional or not case.conditional else ()


def fully_right(case: Labelled, *, include_conditional: bool = False) -> bool:
    candidates = found(case, include_conditional=include_conditional)
    wanted = expected_forecasts(case, include_conditional=include_conditional)
    if len(candidates) != len(wanted):
        return False
    unused = list(candidates)
    for expected in wanted:
        match = next((c for c in unused if matches(c, expected)), None)
        if match is None:
            return False
        unused.remove(match)
    return True


def article_counts(
    candidates: list[Candidate], wanted: tuple[Expected, ...]
) -> tuple[int, int, int]:
    """(true positives, found, expected): each expected forecast matched at most once."""
    unused = list(candidates)
    hits = 0
    for expected in wanted:
        match = next((c for c in unused if matches(c, expected)), None)
        if match is not None:
            unused.remove(match)
            hits += 1
    return hits, len(candidates), len(wanted)
