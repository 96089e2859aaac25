"""Announcements of evidence from the news: an article reports how an open question ended, and
a person may accept it (`tracker evidence accept ID`).

Each pass turns pending evidence not yet announced into Delivery rows of kind "evidence" (event
type "evidence.found") and marks it announced, in one transaction, as proposals are
(tracker.delivery.announce). Evidence is about a stored question, so it is routed like that
question's reminders (its key, tags and forecasters) and its row names the question; the
ledger's unique (question, reminder, deadline, channel) key, with reminder "evidence-<id>",
keeps each to one announcement per channel whichever worker writes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.delivery.routed import Routing, enqueue_routed, event_for
from tracker.domain.routing import EVIDENCE
from tracker.io.evidence import evidence_json
from tracker.io.records import iso, prediction_json
from tracker.persistence import evidence as rows
from tracker.persistence import store
from tracker.persistence.models import DeliveryStatus

EVENT_TYPE = "evidence.found"


def accept_command(evidence_id: int | None) -> str:
    return f"tracker evidence accept {evidence_id}"


def queue_evidence_announcements(
    session: Session, *, routing: Routing, tz: ZoneInfo, now: dt.datetime, limit: int
) -> list[dict[str, Any]]:
    """Queue an announcement of up to `limit` pending evidence not announced yet and mark it
    announced; one report entry each: {"evidence", "question", "deliveries"}."""
    found = rows.evidence_to_announce(session, limit=limit)
    if not found:
        return []
    predictions = store.predictions_by_id(session, ids=sorted({e.prediction_id for e in found}))
    records = {r.prediction.id: r for r in store.load_records(session, predictions=predictions)}
    queued: list[tuple[outbox.Queued, Any]] = []
    report = []
    for row in found:
        record = records.get(row.prediction_id)
        row.announced_at = now
        session.add(row)
        if record is None:
            continue
        event = event_for(record, EVIDENCE, now)
        reminder = f"{EVIDENCE}-{row.id}"
        item = outbox.NewDelivery(
            prediction_id=row.prediction_id,
            reminder=reminder,
            kind=EVIDENCE,
            due_at=record.prediction.due_at,
            event_type=EVENT_TYPE,
            data={
                "reminder": {"kind": EVIDENCE, "key": reminder, "scheduled_for": iso(now)},
                "prediction": prediction_json(record, tz=tz, now=now),
                "evidence": {
                    **evidence_json(row, record.prediction),
                    "accept": accept_command(row.id),
                },
            },
            scheduled_for=now,
        )
        targets = routing.targets(session, record, event, now=now)
        queued.append((outbox.Queued(item=item, status=DeliveryStatus.PENDING), targets))
        report.append(
            {"evidence": row.id, "question": record.prediction.key, "deliveries": len(targets)}
        )
    enqueue_routed(session, queued=queued, now=now)
    session.flush()
    return report
