"""Stored evidence as JSON: the CLI, the API and announcements show it alike."""

from __future__ import annotations

from typing import Any

from tracker.io.records import iso
from tracker.persistence.models import Prediction
from tracker.persistence.news_models import EvidenceRow


def evidence_json(row: EvidenceRow, question: Prediction | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "question": question.key if question is not None else None,
        "claim": question.claim if question is not None else None,
        "outcome": row.outcome,
        "occurred_on": row.occurred_on.isoformat() if row.occurred_on else None,
        "quote": row.quote,
        "score": row.score,
        "source": {"url": row.url, "title": row.title, "published": row.published_on.isoformat()},
        "status": row.status,
        "decided_at": iso(row.decided_at) if row.decided_at else None,
        "decided_by": row.decided_by,
        "reason": row.reason,
        "created_at": iso(row.created_at),
    }
