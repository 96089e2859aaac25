"""What the delivery ledger holds for a batch of predictions, read by the planner so that a
reminder already queued is never queued again."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.enums import REMINDER_KINDS
from tracker.persistence.models import Delivery, DeliveryStatus, Prediction
from tracker.persistence.store import chunks


def reminders_in_ledger(
    session: Session, *, predictions: Sequence[Prediction]
) -> dict[int, dict[str, tuple[str, set[str]]]]:
    """For each prediction, the reminders the ledger holds for its current deadline: key ->
    (kind, the channels it is on). A row cancelled by a resolution does not count: reopening
    revives it. The planner counts a reminder handled when it is on every channel its route
    names (routes.channels_for), so a channel added later still gets the latest reminder."""
    ledger: dict[int, dict[str, tuple[str, set[str]]]] = {
        p.id: {} for p in predictions if p.id is not None
    }
    due = {p.id: p.due_at for p in predictions}
    for chunk in chunks(list(ledger)):
        rows = session.execute(
            sa.select(
                col(Delivery.prediction_id),
                col(Delivery.reminder),
                col(Delivery.due_at),
                col(Delivery.kind),
                col(Delivery.channel),
            ).where(
                col(Delivery.prediction_id).in_(chunk),
                col(Delivery.kind).in_(REMINDER_KINDS),
                col(Delivery.status) != DeliveryStatus.CANCELLED.value,
            )
        ).all()
        for prediction_id, reminder, due_at, kind, channel in rows:
            if due_at == due[prediction_id]:
                entry = ledger[prediction_id].setdefault(reminder, (kind, set()))
                entry[1].add(channel)
    return ledger
