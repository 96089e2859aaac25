"""The audit trail's rows: written in the transaction of the change they record, read by
`tracker audit`, `show` and GET /api/v1/audit. Rows are only ever inserted."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from tracker.domain.people import Actor
from tracker.persistence.models import (
    AuditEntry,
    Forecast,
    Prediction,
    PredictionRecord,
    Resolution,
)


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    now: dt.datetime,
    prediction_id: int | None = None,
    subject: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry. `before` and `after` are JSON objects of plain values; a caller
    passes only what it may show (never a token or its hash)."""
    session.add(
        AuditEntry(
            at=now,
            actor=actor.name[:200],
            user_id=actor.user_id,
            via=actor.via.value,
            action=action,
            prediction_id=prediction_id,
            subject=subject[:200] if subject is not None else None,
            before=_json(before),
            after=_json(after),
        )
    )


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, default=_plain, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def question_fields(record: PredictionRecord) -> dict[str, Any]:
    """A new question as an entry shows it."""
    p = record.prediction
    return {
        "claim": p.claim,
        "criteria": p.criteria,
        "due_at": p.due_at,
        "window_start": p.window_start,
        "precision": p.precision,
        "due_text": p.due_text,
        "tz": p.timezone,
        "tags": sorted(record.tags),
        "source_url": record.source.url if record.source else None,
        "forecasts": [forecast_fields(f) for f in record.forecasts],
    }


def forecast_fields(forecast: Forecast) -> dict[str, Any]:
    return {
        "forecaster": forecast.forecaster,
        "probability": forecast.probability,
        "made_at": forecast.made_at,
        "quote": forecast.quote,
        "note": forecast.note,
        "basis": forecast.basis,
    }


def resolution_fields(resolution: Resolution) -> dict[str, Any]:
    return {
        "outcome": resolution.outcome,
        "resolved_at": resolution.resolved_at,
        "occurred_on": resolution.occurred_on,
        "note": resolution.note,
        "evidence_url": resolution.evidence_url,
        "resolved_by": resolution.resolved_by,
        "via": resolution.via,
    }


@dataclass(frozen=True)
class AuditFilter:
    since: dt.datetime | None = None
    actor: str | None = None
    prediction_id: int | None = None
    limit: int | None = None
    before: int | None = None  # only entries older than this one (a page's cursor)


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    question_key: str | None  # the key of the question it names, when it still has one


def entries(session: Session, *, where: AuditFilter) -> list[AuditRow]:
    """Entries oldest first (the newest `limit` of them when a limit is given)."""
    query = select(AuditEntry, Prediction.key).outerjoin(
        Prediction, col(Prediction.id) == col(AuditEntry.prediction_id)
    )
    if where.since is not None:
        query = query.where(col(AuditEntry.at) >= where.since)
    if where.actor is not None:
        query = query.where(col(AuditEntry.actor).in_(_spellings(session, where.actor)))
    if where.prediction_id is not None:
        query = query.where(col(AuditEntry.prediction_id) == where.prediction_id)
    if where.before is not None:
        query = query.where(col(AuditEntry.id) < where.before)
    query = query.order_by(col(AuditEntry.id).desc())
    if where.limit is not None:
        query = query.limit(where.limit)
    rows: Sequence[tuple[AuditEntry, str | None]] = session.exec(query).all()
    return [AuditRow(entry=entry, question_key=key) for entry, key in reversed(rows)]


def _spellings(session: Session, name: str) -> list[str]:
    """The actors' names that are this one in any case. Folded here, not in SQL: SQLite's
    lower() folds ASCII alone, and both databases must find "Émile" for "émile"."""
    folded = name.casefold()
    names = session.exec(select(AuditEntry.actor).distinct())
    return [actor for actor in names if actor.casefold() == folded]


def entries_for(session: Session, *, prediction_ids: Sequence[int]) -> dict[int, list[AuditEntry]]:
    """Each question's entries, oldest first."""
    found: dict[int, list[AuditEntry]] = {pid: [] for pid in prediction_ids}
    if not prediction_ids:
        return found
    query = (
        select(AuditEntry)
        .where(col(AuditEntry.prediction_id).in_(list(prediction_ids)))
        .order_by(col(AuditEntry.id))
    )
    for entry in session.exec(query):
        assert entry.prediction_id is not None
        found[entry.prediction_id].append(entry)
    return found
