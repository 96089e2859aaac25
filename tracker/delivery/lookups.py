"""What the delivery ledger holds for a batch of predictions, read by the planner so that a
reminder already queued is never queued again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.enums import REMINDER_KINDS
from tracker.persistence.models import Delivery, DeliveryStatus, Prediction
from tracker.persistence.store import chunks


@dataclass
class LedgerReminders:
    """The reminders the ledger holds for one prediction's current deadline."""

    # key -> (kind, the channels it is on)
    on: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    # the time of the latest of them: a reminder due before it was superseded by it (the
    # ledger keeps no row for those) and is never sent, whatever the policy says later
    latest_at: dt.datetime | None = None


def reminders_in_ledger(
    session: Session, *, predictions: Sequence[Prediction]
) -> dict[int, LedgerReminders]:
    """For each prediction, the reminders the ledger holds for its current deadline. A row
    cancelled by a resolution does not count: reopening revives it. The planner counts a
    reminder handled when it is on every channel its route names (routes.channels_for), so a
    channel added later still gets the latest reminder."""
    ledger = {p.id: LedgerReminders() for p in predictions if p.id is not None}
    due = {p.id: p.due_at for p in predictions}
    for chunk in chunks(list(ledger)):
        rows = session.execute(
            sa.select(
                col(Delivery.prediction_id),
                col(Delivery.reminder),
                col(Delivery.due_at),
                col(Delivery.kind),
                col(Delivery.channel),
                col(Delivery.scheduled_for),
            ).where(
                col(Delivery.prediction_id).in_(chunk),
                col(Delivery.kind).in_(REMINDER_KINDS),
                col(Delivery.status) != DeliveryStatus.CANCELLED.value,
            )
        ).all()
        for prediction_id, reminder, due_at, kind, channel, scheduled_for in rows:
            if due_at == due[prediction_id]:
                held = ledger[prediction_id]
                held.on.setdefault(reminder, (kind, set()))[1].add(channel)
                if held.latest_at is None or scheduled_for > held.latest_at:
                    held.latest_at = scheduled_for
    return ledger
