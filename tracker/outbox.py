"""The delivery ledger's moves: enqueue, claim, record, release, and the retry backoff.

Keyword-only functions that take a session; the service owns the transactions. A claimed row
has its lease expiry in next_attempt_at too, so one index (status, next_attempt_at) finds both
the rows that are due and the rows whose worker died.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.channels.base import Attempt, AttemptOutcome
from tracker.enums import REMINDER_KINDS
from tracker.models import Delivery, DeliveryStatus, Prediction, PredictionStatus

CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# Not sent yet as far as the ledger knows: a "sending" row may belong to a worker that died.
UNSENT = (*WAITING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff: tuple[dt.timedelta, ...]

    def delay(self, attempts: int, rng: random.Random) -> dt.timedelta:
        """The wait after the n-th failed attempt: the schedule's step, +/- 20% jitter so that
        a receiver that comes back is not hit by every worker at once."""
        step = self.backoff[min(attempts, len(self.backoff)) - 1]
        return step * rng.uniform(0.8, 1.2)


@dataclass(frozen=True)
class NewDelivery:
    prediction_id: int
    reminder: str
    kind: str
    due_at: dt.datetime
    event_type: str
    data: dict[str, Any]
    scheduled_for: dt.datetime


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Queued:
    item: NewDelivery
    status: DeliveryStatus  # PENDING to send, SKIPPED to record a reminder we will not send


def enqueue(
    session: Session, *, queued: Sequence[Queued], channels: Sequence[str], now: dt.datetime
) -> int:
    """One row per item and channel, written in bulk; returns how many rows are due to send.

    The unique key (prediction, reminder, deadline, channel) means a reminder already in the
    ledger is never queued twice: such rows are left as they are (INSERT ... ON CONFLICT DO
    NOTHING), except that one cancelled by a resolution comes back to life when its
    prediction was reopened.
    """
    if not queued or not channels:
        return 0
    pending = [q.item for q in queued if q.status == DeliveryStatus.PENDING]
    revived = _revive_cancelled(session, items=pending, channels=channels, now=now)
    rows: list[dict[str, Any]] = []
    for entry in queued:
        item = entry.item
        sending = entry.status == DeliveryStatus.PENDING
        # A skipped row is never sent: it keeps what the reminder was, not the whole message.
        data = item.data if sending else {"reminder": item.data.get("reminder")}
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        rows.extend(
            {
                "prediction_id": item.prediction_id,
                "reminder": item.reminder,
                "kind": item.kind,
                "due_at": item.due_at,
                "channel": channel,
                "webhook_id": new_webhook_id(),
                "event_type": item.event_type,
                "payload": payload,
                "scheduled_for": item.scheduled_for,
                "status": entry.status.value,
                "attempts": 0,
                "next_attempt_at": now if sending else None,
                "last_error": None if sending else "superseded by a later reminder",
                "created_at": now,
                "updated_at": now,
            }
            for channel in channels
        )
    table: Any = Delivery.__table__  # type: ignore[attr-defined]  # Core: 10x the ORM's speed
    insert = _insert_ignoring_duplicates(session, table).returning(table.c.status)
    inserted = session.connection().execute(insert, rows).scalars().all()
    return revived + sum(1 for status in inserted if status == DeliveryStatus.PENDING.value)


def _insert_ignoring_duplicates(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _revive_cancelled(
    session: Session, *, items: Sequence[NewDelivery], channels: Sequence[str], now: dt.datetime
) -> int:
    if not items:
        return 0
    keys = {(i.prediction_id, i.reminder, i.due_at): i for i in items}
    rows = session.exec(
        select(Delivery).where(
            col(Delivery.status) == DeliveryStatus.CANCELLED.value,
            col(Delivery.prediction_id).in_({i.prediction_id for i in items}),
            col(Delivery.channel).in_(channels),
        )
    ).all()
    revived = 0
    for row in rows:
        item = keys.get((row.prediction_id, row.reminder, row.due_at))
        if item is None:
            continue
        row.status = DeliveryStatus.PENDING.value
        row.payload = json.dumps(item.data, separators=(",", ":"), ensure_ascii=False)
        row.next_attempt_at = now
        row.last_error = None
        row.updated_at = now
        revived += 1
    session.flush()
    return revived


def supersede_reminders(
    session: Session, *, keeping: Sequence[tuple[int, str]], now: dt.datetime
) -> int:
    """When a later reminder is queued for a prediction, its other reminders still waiting
    (say, retrying through an outage, or held by a worker that died) are stale: "7 days left"
    must not arrive after the deadline. `keeping`: (prediction id, the reminder now queued)."""
    if not keeping:
        return 0
    return _retire_unsent_reminders(
        session,
        col(Delivery.prediction_id).in_({prediction_id for prediction_id, _ in keeping}),
        sa.tuple_(col(Delivery.prediction_id), col(Delivery.reminder)).not_in(keeping),
        status=DeliveryStatus.SKIPPED,
        reason="superseded by a later reminder",
        now=now,
    )


def cancel_reminders(session: Session, *, prediction_id: int, now: dt.datetime) -> int:
    """A resolved prediction's reminders not yet sent are cancelled, those a worker holds
    too: a live worker's send is already on its way (it then finds its lease lost), and a
    dead worker's must not be taken over."""
    return _retire_unsent_reminders(
        session,
        col(Delivery.prediction_id) == prediction_id,
        status=DeliveryStatus.CANCELLED,
        reason="the prediction was resolved",
        now=now,
    )


def hold_reminders(session: Session, *, prediction_id: int, now: dt.datetime) -> int:
    """A snoozed prediction's reminders not yet sent are skipped: the snooze asked for quiet,
    and when it ends the latest reminder that applies goes out."""
    return _retire_unsent_reminders(
        session,
        col(Delivery.prediction_id) == prediction_id,
        status=DeliveryStatus.SKIPPED,
        reason="the prediction was snoozed",
        now=now,
    )


def _retire_unsent_reminders(
    session: Session, *where: Any, status: DeliveryStatus, reason: str, now: dt.datetime
) -> int:
    result = session.execute(
        sa.update(Delivery)
        .where(
            *where,
            col(Delivery.kind).in_(REMINDER_KINDS),
            col(Delivery.status).in_([s.value for s in UNSENT]),
        )
        .values(
            status=status.value,
            next_attempt_at=None,
            lease_owner=None,
            last_error=reason,
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _prediction_is_open() -> Any:
    """Correlated on the delivery's row: a primary-key lookup, not a scan of all open ones."""
    return (
        sa.select(col(Prediction.id))
        .where(
            col(Prediction.id) == col(Delivery.prediction_id),
            col(Prediction.status) == PredictionStatus.OPEN.value,
        )
        .exists()
    )


def claim(
    session: Session,
    *,
    owner: str,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int,
    channels: Sequence[str] | None = None,
) -> list[ClaimedDelivery]:
    """Take up to `limit` due rows for this worker, of the channels it can send to (a worker
    started without some channel's configuration leaves that channel's rows alone).

    PostgreSQL skips rows other workers have locked (FOR UPDATE SKIP LOCKED); SQLite has one
    writer at a time. On both, the UPDATE repeats the condition and only the rows it changed
    (RETURNING) are ours, so a row is never claimed twice.
    """
    due = (
        col(Delivery.status).in_([s.value for s in CLAIMABLE]),
        col(Delivery.next_attempt_at) <= now,
        # a reminder is only ever sent for an open prediction
        sa.or_(col(Delivery.kind).not_in(REMINDER_KINDS), _prediction_is_open()),
        col(Delivery.channel).in_(channels) if channels is not None else sa.true(),
    )
    candidates = session.exec(
        select(Delivery.id)
        .where(*due)
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return []
    expires = now + lease
    claimed = session.execute(
        sa.update(Delivery)
        .where(col(Delivery.id).in_(candidates), *due)
        .values(
            status=DeliveryStatus.SENDING.value,
            lease_owner=owner,
            lease_expires_at=expires,
            next_attempt_at=expires,
            updated_at=now,
        )
        # What sending needs comes back with the update: loading ORM rows afterwards was
        # most of a claim's cost.
        .returning(
            col(Delivery.id),
            col(Delivery.channel),
            col(Delivery.webhook_id),
            col(Delivery.event_type),
            col(Delivery.scheduled_for),
            col(Delivery.payload),
        )
    ).all()
    return sorted((ClaimedDelivery(*row) for row in claimed), key=lambda row: row.id)


@dataclass(frozen=True)
class ClaimedDelivery:
    """A row this worker now holds the lease on, with what it takes to send it."""

    id: int
    channel: str
    webhook_id: str
    event_type: str
    scheduled_for: dt.datetime
    payload: str  # the frozen JSON of the message's data


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    attempt: Attempt
    counted: bool = True  # False when we deferred without calling the receiver


def record(
    session: Session,
    *,
    results: Iterable[AttemptResult],
    owner: str,
    now: dt.datetime,
    policy: RetryPolicy,
    rng: random.Random,
    cancel_if_resolved: bool = False,
) -> dict[str, int]:
    """Write each attempt's outcome; a row whose lease we lost is left to its new owner.
    With cancel_if_resolved, a failed reminder of a prediction resolved meanwhile is
    cancelled rather than retried.

    One UPDATE for all the rows, run once per row (executemany), rather than ORM objects:
    the unit of work cost more than sending did."""
    counts: dict[str, int] = {}
    results = list(results)
    rows = {
        row.id: row
        for row in session.execute(
            sa.select(
                col(Delivery.id), col(Delivery.status), col(Delivery.lease_owner),
                col(Delivery.attempts), col(Delivery.kind), col(Delivery.prediction_id),
                col(Delivery.delivered_at),
            )
            .where(col(Delivery.id).in_([r.delivery_id for r in results]))
            # Locked (PostgreSQL) until written, in id order: another worker taking over a
            # lease that expired meanwhile waits, and the counts say what was really written.
            .order_by(col(Delivery.id))
            .with_for_update()
        )
    }  # fmt: skip
    open_predictions = (
        _open_among(session, {row.prediction_id for row in rows.values()})
        if cancel_if_resolved
        else None
    )
    changes = []
    for result in results:
        row = rows.get(result.delivery_id)
        if row is None or row.status != DeliveryStatus.SENDING or row.lease_owner != owner:
            counts["lease_lost"] = counts.get("lease_lost", 0) + 1
            continue
        attempt = result.attempt
        attempts = row.attempts + (1 if result.counted else 0)
        status = _next_status(row.kind, row.prediction_id, attempt, attempts, policy,
                              open_predictions)  # fmt: skip
        error = attempt.error
        next_attempt_at = None
        if status == DeliveryStatus.RETRYING:
            wait = policy.delay(max(attempts, 1), rng)
            if attempt.retry_after is not None:
                wait = max(wait, attempt.retry_after)
            next_attempt_at = now + wait
        elif status == DeliveryStatus.CANCELLED:
            error = f"{attempt.error} (not retried: the prediction was resolved)"
        changes.append(
            {
                "b_id": row.id, "b_status": status.value, "b_attempts": attempts,
                "b_code": attempt.status_code, "b_duration": attempt.duration_ms,
                "b_error": error, "b_next": next_attempt_at,
                "b_delivered": now if status == DeliveryStatus.DELIVERED else row.delivered_at,
            }
        )  # fmt: skip
        counts[status.value] = counts.get(status.value, 0) + 1
    if changes:
        table: Any = Delivery.__table__  # type: ignore[attr-defined]
        # Core, through the connection: given a list, the session would run its own "bulk
        # update by primary key", which takes no conditions.
        session.connection().execute(
            sa.update(table)
            .where(
                table.c.id == sa.bindparam("b_id"),
                # the lease checked above is still ours: no other worker wrote meanwhile
                table.c.status == DeliveryStatus.SENDING.value,
                table.c.lease_owner == owner,
            )
            .values(
                status=sa.bindparam("b_status"),
                attempts=sa.bindparam("b_attempts"),
                lease_owner=None,
                lease_expires_at=None,
                last_status_code=sa.bindparam("b_code"),
                last_duration_ms=sa.bindparam("b_duration"),
                last_error=sa.bindparam("b_error"),
                last_attempt_at=now,
                updated_at=now,
                next_attempt_at=sa.bindparam("b_next"),
                delivered_at=sa.bindparam("b_delivered"),
            ),
            changes,
        )
    return counts


def _open_among(session: Session, prediction_ids: set[int]) -> set[int]:
    # (status is compared here, not in SQL: given "status = 'open'", SQLite's planner walks
    # the status index through every open prediction instead of looking up the keys.)
    found = session.execute(
        sa.select(col(Prediction.id), col(Prediction.status)).where(
            col(Prediction.id).in_(prediction_ids)
        )
    )
    return {id_ for id_, status in found if status == PredictionStatus.OPEN.value}


def _next_status(
    kind: str,
    prediction_id: int,
    attempt: Attempt,
    attempts: int,
    policy: RetryPolicy,
    open_predictions: set[int] | None,
) -> DeliveryStatus:
    if attempt.outcome == AttemptOutcome.DELIVERED:
        return DeliveryStatus.DELIVERED
    if attempt.outcome == AttemptOutcome.PERMANENT:
        return DeliveryStatus.DEAD
    resolved_meanwhile = (
        open_predictions is not None
        and kind in REMINDER_KINDS
        and prediction_id not in open_predictions
    )
    if resolved_meanwhile:
        return DeliveryStatus.CANCELLED
    if attempts >= policy.max_attempts:
        return DeliveryStatus.DEAD
    return DeliveryStatus.RETRYING


def release(session: Session, *, ids: Sequence[int], owner: str, now: dt.datetime) -> int:
    """Hand back claimed rows we will not send (a clean shutdown), due again at once."""
    if not ids:
        return 0
    result = session.execute(
        sa.update(Delivery)
        .where(
            col(Delivery.id).in_(ids),
            col(Delivery.status) == DeliveryStatus.SENDING.value,
            col(Delivery.lease_owner) == owner,
        )
        .values(
            status=sa.case(
                (col(Delivery.attempts) > 0, DeliveryStatus.RETRYING.value),
                else_=DeliveryStatus.PENDING.value,
            ),
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=now,
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def retry(
    session: Session,
    *,
    ids: Sequence[int] | None,
    now: dt.datetime,
    statuses: Sequence[DeliveryStatus] = (DeliveryStatus.DEAD,),
) -> int:
    """Give rows in these states (all of them when ids is None) a fresh set of attempts, due
    now. A reminder is retried only while its prediction is open and no later reminder of it
    has been queued: an old "7 days left" must not follow the "due" one."""
    later = sa.alias(Delivery.__table__)  # type: ignore[attr-defined]
    newer_reminder = (
        sa.select(later.c.id)
        .where(
            later.c.prediction_id == col(Delivery.prediction_id),
            later.c.kind.in_(REMINDER_KINDS),
            later.c.scheduled_for > col(Delivery.scheduled_for),
            later.c.status != DeliveryStatus.SKIPPED.value,
        )
        .exists()
    )
    query = sa.update(Delivery).where(
        col(Delivery.status).in_([s.value for s in statuses]),
        sa.or_(
            col(Delivery.kind).not_in(REMINDER_KINDS),
            sa.and_(_prediction_is_open(), sa.not_(newer_reminder)),
        ),
    )
    if ids is not None:
        query = query.where(col(Delivery.id).in_(ids))
    result = session.execute(
        query.values(
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def next_attempt_at(session: Session) -> dt.datetime | None:
    return session.exec(
        select(sa.func.min(Delivery.next_attempt_at)).where(
            col(Delivery.status).in_([s.value for s in CLAIMABLE])
        )
    ).one()


def status_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Delivery.status, sa.func.count()).group_by(col(Delivery.status))
    ).all()
    return {status: int(count) for status, count in rows}
