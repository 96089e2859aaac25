"""The audit trail as JSON: one shape for GET /api/v1/audit and `tracker audit --json`."""

from __future__ import annotations

import json
from typing import Any

from tracker.persistence.audit import AuditRow


def audit_json(row: AuditRow) -> dict[str, Any]:
    """An entry: when (ISO, UTC), who, through what, what, the question's key (None when it
    names none, or the question is gone), and the values before and after, as objects."""
    entry = row.entry
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "user_id": entry.user_id,  # None: an actor with no user ("api", "slack:NAME", ...)
        "via": entry.via,
        "action": entry.action,
        "question": row.question_key,
        "subject": entry.subject,
        "before": _values(entry.before),
        "after": _values(entry.after),
    }


def _values(text: str | None) -> dict[str, Any] | None:
    # Written by tracker.persistence.audit.record as a JSON object, always.
    return None if text is None else dict(json.loads(text))
