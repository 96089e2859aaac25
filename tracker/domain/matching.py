"""PLACEHOLDER until the matching branch lands: same interface, a plain difflib measure."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass

MATCH_THRESHOLD = 0.8


@dataclass(frozen=True)
class DeadlineSpan:
    due_at: dt.datetime
    window_start: dt.datetime | None
    precision: str


@dataclass(frozen=True)
class Existing:
    question_id: int
    key: str
    claim: str
    deadline: DeadlineSpan


@dataclass(frozen=True)
class ClaimMatch:
    question_id: int
    key: str
    score: float


def normalise_claim(text: str) -> str:
    return " ".join(text.casefold().split())


def claim_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalise_claim(a), normalise_claim(b)).ratio()


def deadlines_match(a: DeadlineSpan, b: DeadlineSpan) -> bool:
    return abs(a.due_at - b.due_at) <= dt.timedelta(days=1)


def deadline_search_range(deadline: DeadlineSpan) -> tuple[dt.datetime, dt.datetime]:
    return deadline.due_at - dt.timedelta(days=1), deadline.due_at + dt.timedelta(days=1)


def best_match(
    claim: str,
    deadline: DeadlineSpan,
    existing: Iterable[Existing],
    *,
    threshold: float = MATCH_THRESHOLD,
) -> ClaimMatch | None:
    scored = [
        (claim_similarity(claim, e.claim), e)
        for e in existing
        if deadlines_match(deadline, e.deadline)
    ]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or score < threshold:
        return None
    return ClaimMatch(question_id=best.question_id, key=best.key, score=round(score, 3))
