"""Evidence from the news on the page, beside the question it would resolve.

Kept apart from tracker.web.page so that module stays short. The quote, title and link come
from the web, so the template escapes them, and only an http(s) URL becomes a link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from tracker.persistence import evidence as rows
from tracker.persistence.db import transaction
from tracker.persistence.models import PredictionRecord

WEB_LINKS = ("http://", "https://")
PER_QUESTION = 3


@dataclass(frozen=True)
class Shown:
    id: int
    outcome: str
    occurred_on: str | None
    quote: str
    score: str
    source: str | None
    source_url: str | None


def evidence_by_key(engine: Engine, records: Sequence[PredictionRecord]) -> dict[str, list[Shown]]:
    """The pending evidence for each listed question, best first, a few each."""
    keys = {r.prediction.id: r.prediction.key for r in records if r.prediction.id is not None}
    with transaction(engine, commit=False) as session:
        found = rows.pending_for_questions(session, ids=sorted(keys))
    shown: dict[str, list[Shown]] = defaultdict(list)
    for row in found:
        listed = shown[keys[row.prediction_id]]
        if len(listed) < PER_QUESTION and row.id is not None:
            url = row.url if row.url and row.url.startswith(WEB_LINKS) else None
            listed.append(
                Shown(
                    id=row.id, outcome=row.outcome,
                    occurred_on=row.occurred_on.isoformat() if row.occurred_on else None,
                    quote=row.quote, score=f"{row.score:.2f}", source=row.title or row.url,
                    source_url=url,
                )
            )  # fmt: skip
    return dict(shown)
