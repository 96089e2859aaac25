"""Use cases for reminders: queue what is due, send what is pending, and look at the ledger."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from tracker import outbox, store
from tracker.channels.base import OutgoingMessage
from tracker.db import transaction
from tracker.dispatch import Dispatcher, DispatchStats, Job
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.models import Delivery, DeliveryStatus, Prediction, PredictionStatus
from tracker.records import PredictionRecord, iso, prediction_json
from tracker.reminders import ReminderPolicy, due_reminders

QUEUE_BATCH = 500


def worker_name() -> str:
    """Who holds a lease: host, process and a random suffix (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class QueueReport:
    queued: list[dict[str, Any]] = field(default_factory=list)  # {prediction, reminder, ...}
    skipped: int = 0
    superseded: int = 0
    predictions: int = 0


def queue_due_reminders(
    engine: Engine,
    *,
    policy: ReminderPolicy,
    channels: Sequence[str],
    tz: ZoneInfo,
    now: dt.datetime,
    dry_run: bool = False,
) -> QueueReport:
    """Turn every reminder whose time has come into Delivery rows, a batch per transaction.

    Only predictions whose next_reminder_at has passed are read (an indexed range), so the
    cost follows the due work, not the stored predictions.
    """
    report = QueueReport()
    while True:
        with transaction(engine, commit=not dry_run) as session:
            batch = store.due_for_reminder(session, now=now, limit=QUEUE_BATCH)
            records = store.load_records(session, predictions=batch)
            queued: list[outbox.Queued] = []
            for record in records:
                queued.extend(_plan(record, policy=policy, tz=tz, now=now))
            sending = [q for q in queued if q.status is DeliveryStatus.PENDING]
            report.superseded += outbox.supersede_reminders(
                session, prediction_ids=[q.item.prediction_id for q in sending], now=now
            )
            outbox.enqueue(session, queued=queued, channels=channels, now=now)
            keys = {r.prediction.id: r.prediction.key for r in records}
            report.queued += [
                {
                    "prediction": keys[q.item.prediction_id],
                    "reminder": q.item.reminder,
                    "deliveries": len(channels),
                }
                for q in sending
            ]
            report.skipped += (len(queued) - len(sending)) * len(channels)
            report.predictions += len(batch)
        if dry_run or len(batch) < QUEUE_BATCH:
            return report


def _plan(
    record: PredictionRecord, *, policy: ReminderPolicy, tz: ZoneInfo, now: dt.datetime
) -> list[outbox.Queued]:
    """The reminders of one prediction whose time has come: the latest to send, the rest
    skipped; and its next reminder time moves past them."""
    prediction = record.prediction
    assert prediction.id is not None
    assert prediction.next_reminder_at is not None
    plan = due_reminders(prediction.due_at, policy, since=prediction.next_reminder_at, now=now)
    prediction.next_reminder_at = plan.next_at
    prediction_data = prediction_json(record, tz=tz, now=now)
    queued = []
    for reminder in (*plan.skipped, *([plan.send] if plan.send else [])):
        item = outbox.NewDelivery(
            prediction_id=prediction.id,
            reminder=reminder.key,
            kind=reminder.kind.value,
            due_at=prediction.due_at,
            event_type="prediction.reminder",
            data={
                "reminder": {
                    "kind": reminder.kind.value,
                    "key": reminder.key,
                    "scheduled_for": iso(reminder.at),
                    "number": reminder.number,
                },
                "prediction": prediction_data,
            },
            scheduled_for=reminder.at,
        )
        status = DeliveryStatus.PENDING if reminder is plan.send else DeliveryStatus.SKIPPED
        queued.append(outbox.Queued(item=item, status=status))
    return queued


@dataclass(frozen=True)
class DeliverySettings:
    owner: str
    lease: dt.timedelta
    retry: outbox.RetryPolicy
    rng: random.Random = field(default_factory=random.Random)


def dispatch_pending(
    engine: Engine,
    *,
    dispatcher: Dispatcher,
    settings: DeliverySettings,
    clock: Callable[[], dt.datetime],
    stop: threading.Event | None = None,
) -> DispatchStats:
    """Send every delivery that is due, concurrently, recording each outcome."""

    def claim(limit: int) -> list[Job]:
        with transaction(engine) as session:
            rows = outbox.claim(
                session, owner=settings.owner, now=clock(), lease=settings.lease, limit=limit
            )
            return [_job(row) for row in rows]

    def record(results: Sequence[outbox.AttemptResult]) -> None:
        with transaction(engine) as session:
            ids = [r.delivery_id for r in results]
            open_ids = set(
                session.exec(
                    select(Prediction.id)
                    .join(Delivery, col(Delivery.prediction_id) == col(Prediction.id))
                    .where(
                        col(Delivery.id).in_(ids),
                        Prediction.status == PredictionStatus.OPEN.value,
                    )
                ).all()
            )
            outbox.record(
                session,
                results=results,
                owner=settings.owner,
                now=clock(),
                policy=settings.retry,
                rng=settings.rng,
                open_predictions={i for i in open_ids if i is not None},
            )

    def release(ids: Sequence[int]) -> None:
        with transaction(engine) as session:
            outbox.release(session, ids=ids, owner=settings.owner, now=clock())

    return dispatcher.run(claim, record, release, stop)


def _job(row: Delivery) -> Job:
    assert row.id is not None
    return Job(
        delivery_id=row.id,
        channel=row.channel,
        message=OutgoingMessage(
            webhook_id=row.webhook_id,
            event_type=row.event_type,
            occurred_at=row.scheduled_for,
            data=json.loads(row.payload),
        ),
    )


def next_wake_at(engine: Engine) -> dt.datetime | None:
    """The earliest reminder or retry time, for the scheduler's early wake-up."""
    with transaction(engine) as session:
        reminder = session.exec(
            select(sa.func.min(Prediction.next_reminder_at)).where(
                Prediction.status == PredictionStatus.OPEN.value
            )
        ).one()
        retry = outbox.next_attempt_at(session)
    times = [t for t in (reminder, retry) if t is not None]
    return min(times) if times else None


def list_deliveries(
    engine: Engine,
    *,
    status: DeliveryStatus | None = None,
    prediction_ref: str | None = None,
    limit: int = 100,
) -> list[tuple[Delivery, str]]:
    """The newest deliveries first, with their prediction's key."""
    with transaction(engine) as session:
        query = select(Delivery, Prediction.key).join(
            Prediction, col(Prediction.id) == col(Delivery.prediction_id)
        )
        if status is not None:
            query = query.where(Delivery.status == status.value)
        if prediction_ref is not None:
            prediction = store.get_prediction(session, ref=prediction_ref)
            query = query.where(Delivery.prediction_id == prediction.id)
        query = query.order_by(col(Delivery.id).desc()).limit(limit)
        return [(row, key) for row, key in session.exec(query).all()]


def retry_deliveries(
    engine: Engine, *, delivery_id: int | None, all_dead: bool, now: dt.datetime
) -> int:
    """Make dead (or retrying) deliveries due now, with a fresh set of attempts."""
    if (delivery_id is None) == (not all_dead):
        raise InvalidInput("name one DELIVERY_ID, or pass --dead for every dead delivery")
    with transaction(engine) as session:
        if delivery_id is None:
            return outbox.retry(session, ids=None, now=now)
        row = session.get(Delivery, delivery_id)
        if row is None:
            raise NotFound(f"no delivery has id {delivery_id} (see `tracker deliveries`)")
        retryable = (DeliveryStatus.DEAD, DeliveryStatus.RETRYING)
        if row.status not in retryable:
            raise Conflict(
                f"delivery {delivery_id} is {row.status}; only dead or retrying ones can be retried"
            )
        return outbox.retry(session, ids=[delivery_id], now=now, statuses=retryable)


@dataclass
class Status:
    database: str
    revision: str | None
    predictions: dict[str, int]
    deliveries: dict[str, int]
    next_reminder_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    oldest_waiting_at: dt.datetime | None


def status(engine: Engine, *, database: str, revision: str | None) -> Status:
    with transaction(engine) as session:
        predictions = {
            s: int(n)
            for s, n in session.exec(
                select(Prediction.status, sa.func.count()).group_by(col(Prediction.status))
            ).all()
        }
        next_reminder = session.exec(
            select(sa.func.min(Prediction.next_reminder_at)).where(
                Prediction.status == PredictionStatus.OPEN.value
            )
        ).one()
        oldest = session.exec(
            select(sa.func.min(Delivery.created_at)).where(
                col(Delivery.status).in_([s.value for s in outbox.CLAIMABLE])
            )
        ).one()
        return Status(
            database=database,
            revision=revision,
            predictions=predictions,
            deliveries=outbox.status_counts(session),
            next_reminder_at=next_reminder,
            next_attempt_at=outbox.next_attempt_at(session),
            oldest_waiting_at=oldest,
        )


def count_due_deliveries(engine: Engine, *, now: dt.datetime) -> int:
    with transaction(engine) as session:
        return int(
            session.exec(
                select(sa.func.count()).where(
                    col(Delivery.status).in_([s.value for s in outbox.CLAIMABLE]),
                    col(Delivery.next_attempt_at) <= now,
                )
            ).one()
        )
