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
    session: Session, *, predictions: Sequence[Prediction], channels: Sequence[str]
) -> dict[int, set[str]]:
    """For each prediction, the reminder keys the ledger holds for its current deadline on
    every channel (a row cancelled by a resolution does not count: reopening revives it)."""
    handled: dict[int, set[str]] = {p.id: set() for p in predictions if p.id is not None}
    due = {p.id: p.due_at for p in predictions}
    counts: dict[tuple[int, str], int] = {}
    for chunk in chunks(list(handled)):
        rows = session.execute(
            sa.select(
                col(Delivery.prediction_id), col(Delivery.reminder), col(Delivery.due_at)
            ).where(
                col(Delivery.prediction_id).in_(chunk),
                col(Delivery.kind).in_(REMINDER_KINDS),
                col(Delivery.channel).in_(channels),
                col(Delivery.status) != DeliveryStatus.CANCELLED.value,
            )
        ).all()
        for prediction_id, reminder, due_at in rows:
            if due_at == due[prediction_id]:
                counts[(prediction_id, reminder)] = counts.get((prediction_id, reminder), 0) + 1
    for (prediction_id, reminder), count in counts.items():
        if count >= len(channels):
            handled[prediction_id].add(reminder)
    return handled
