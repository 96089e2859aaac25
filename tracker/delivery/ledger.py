"""The delivery ledger's moves: enqueue, retire, retry, and the retry backoff (claim, record
and release, the leases, are in leases.py).

Keyword-only functions that take a session; the service owns the transactions.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.enums import OPEN_ONLY_KINDS, REMINDER_KINDS
from tracker.persistence.models import Delivery, DeliveryStatus, Prediction, PredictionStatus
from tracker.signatures import new_webhook_id

CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# Not sent yet as far as the ledger knows: a "sending" row may belong to a worker that died.
UNSENT = (*WAITING, DeliveryStatus.SENDING)
# What a later reminder, a resolution or a snooze retires: the unsent, and those a digest holds.
RETIRABLE = (*UNSENT, DeliveryStatus.HELD)
EVERY_KIND = (*OPEN_ONLY_KINDS, "resolved", "digest")


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
    prediction_id: int | None  # None: an announcement of proposals (proposal_id instead)
    reminder: str
    kind: str
    due_at: dt.datetime
    event_type: str
    data: dict[str, Any]
    scheduled_for: dt.datetime
    proposal_id: int | None = None


@dataclass(frozen=True)
class Queued:
    item: NewDelivery
    status: DeliveryStatus  # PENDING to send, SKIPPED to record a reminder we will not send


@dataclass(frozen=True)
class Hold:
    """Where a digest route keeps what it would send on a channel: its period, and when that
    period's message goes."""

    digest: str  # "<route number>/<period key>"
    send_at: dt.datetime


def enqueue(
    session: Session,
    *,
    queued: Sequence[Queued],
    channels: Sequence[str],
    now: dt.datetime,
    holds: Mapping[str, Hold] | None = None,
) -> int:
    """One row per item and channel, written in bulk; returns how many rows are due to send.

    The unique key (prediction, reminder, deadline, channel) means a reminder already in the
    ledger is never queued twice: such rows are left as they are (INSERT ... ON CONFLICT DO
    NOTHING), except that one cancelled by a resolution comes back to life when its
    prediction was reopened. On a channel in `holds` what would be sent is held for that
    digest instead (status held, next_attempt_at the digest's send time).
    """
    if not queued or not channels:
        return 0
    holds = holds or {}
    pending = [q.item for q in queued if q.status == DeliveryStatus.PENDING]
    revived = _revive_cancelled(session, items=pending, channels=channels, now=now, holds=holds)
    rows: list[dict[str, Any]] = []
    for entry in queued:
        item = entry.item
        sending = entry.status == DeliveryStatus.PENDING
        # A skipped row is never sent: it keeps what the reminder was, not the whole message.
        data = item.data if sending else {"reminder": item.data.get("reminder")}
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        for channel in channels:
            hold = holds.get(channel) if sending else None
            status = entry.status if hold is None else DeliveryStatus.HELD
            rows.append(
                {
                    "prediction_id": item.prediction_id,
                    "proposal_id": item.proposal_id,
                    "reminder": item.reminder,
                    "kind": item.kind,
                    "due_at": item.due_at,
                    "channel": channel,
                    "webhook_id": new_webhook_id(),
                    "event_type": item.event_type,
                    "payload": payload,
                    "scheduled_for": item.scheduled_for,
                    "status": status.value,
                    "attempts": 0,
                    "next_attempt_at": (hold.send_at if hold else now) if sending else None,
                    "last_error": None if sending else "superseded by a later reminder",
                    "created_at": now,
                    "updated_at": now,
                    "digest": hold.digest if hold else None,
                }
            )
    table: Any = Delivery.__table__  # type: ignore[attr-defined]  # Core: 10x the ORM's speed
    insert = insert_ignoring_duplicates(session, table).returning(table.c.status)
    inserted = session.connection().execute(insert, rows).scalars().all()
    return revived + sum(1 for status in inserted if status == DeliveryStatus.PENDING.value)


def insert_ignoring_duplicates(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _revive_cancelled(
    session: Session,
    *,
    items: Sequence[NewDelivery],
    channels: Sequence[str],
    now: dt.datetime,
    holds: Mapping[str, Hold],
) -> int:
    items = [i for i in items if i.prediction_id is not None]  # only a question is reopened
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
        item = (
            None
            if row.prediction_id is None
            else keys.get((row.prediction_id, row.reminder, row.due_at))
        )
        if item is None:
            continue
        hold = holds.get(row.channel)
        row.status = (DeliveryStatus.PENDING if hold is None else DeliveryStatus.HELD).value
        row.lease_owner = None  # a worker still sending it no longer records over it
        row.lease_expires_at = None
        row.payload = json.dumps(item.data, separators=(",", ":"), ensure_ascii=False)
        row.next_attempt_at = now if hold is None else hold.send_at
        row.digest = None if hold is None else hold.digest
        row.last_error = None
        row.updated_at = now
        revived += 1 if hold is None else 0
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


def cancel_reminders(
    session: Session,
    *,
    prediction_id: int,
    now: dt.datetime,
    reason: str = "the prediction was resolved",
) -> int:
    """A resolved prediction's reminders not yet sent are cancelled (or a question's whose
    deadline moved), those a worker holds too: a dead worker's must not be taken over, and a
    live worker's record of its send still wins (delivered stays delivered; see
    leases.record)."""
    return _retire_unsent_reminders(
        session,
        col(Delivery.prediction_id) == prediction_id,
        kinds=OPEN_ONLY_KINDS,
        status=DeliveryStatus.CANCELLED,
        reason=reason,
        now=now,
    )


def retire_channels(
    session: Session, *, prefix: str, keep: Sequence[str], reason: str, now: dt.datetime
) -> int:
    """Deliveries not yet sent on channels named `prefix...` that are no longer there (a
    follower disabled, or without an address now) are cancelled: no worker would ever claim
    them, and the service would wake for them every second."""
    where = [col(Delivery.channel).startswith(prefix, autoescape=True)]
    if keep:
        where.append(col(Delivery.channel).not_in(sorted(keep)))
    return _retire_unsent_reminders(
        session, *where, kinds=EVERY_KIND, status=DeliveryStatus.CANCELLED, reason=reason, now=now
    )


def hold_reminders(session: Session, *, prediction_id: int, now: dt.datetime) -> int:
    """A snoozed prediction's reminders not yet sent are skipped: the snooze asked for quiet,
    and when it ends the latest reminder that applies goes out."""
    return _retire_unsent_reminders(
        session,
        col(Delivery.prediction_id) == prediction_id,
        kinds=OPEN_ONLY_KINDS,
        status=DeliveryStatus.SKIPPED,
        reason="the prediction was snoozed",
        now=now,
    )


def _retire_unsent_reminders(
    session: Session,
    *where: Any,
    status: DeliveryStatus,
    reason: str,
    now: dt.datetime,
    kinds: Sequence[str] = REMINDER_KINDS,
) -> int:
    result = session.execute(
        sa.update(Delivery)
        .where(
            *where,
            col(Delivery.kind).in_(kinds),
            col(Delivery.status).in_([s.value for s in RETIRABLE]),
        )
        .values(
            status=status.value,
            next_attempt_at=None,
            # A row in flight keeps its worker's lease: that worker's record of the send
            # still wins (leases.record), so a delivered reminder never reads "cancelled".
            lease_owner=sa.case(
                (col(Delivery.status) == DeliveryStatus.SENDING.value, col(Delivery.lease_owner)),
                else_=None,
            ),
            last_error=reason,
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def prediction_is_open() -> Any:
    """Correlated on the delivery's row: a primary-key lookup, not a scan of all open ones."""
    return (
        sa.select(col(Prediction.id))
        .where(
            col(Prediction.id) == col(Delivery.prediction_id),
            col(Prediction.status) == PredictionStatus.OPEN.value,
        )
        .exists()
    )


def awaiting_plan(at: dt.datetime) -> Any:
    """Correlated on the delivery's row: its prediction is due for the planner's look at `at`
    (a primary-key lookup)."""
    return (
        sa.select(col(Prediction.id))
        .where(
            col(Prediction.id) == col(Delivery.prediction_id),
            col(Prediction.next_reminder_at) <= at,
        )
        .exists()
    )


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
            sa.and_(prediction_is_open(), sa.not_(newer_reminder)),
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


def next_digest_at(session: Session) -> dt.datetime | None:
    """When the next digest with something held goes out."""
    return session.exec(
        select(sa.func.min(Delivery.next_attempt_at)).where(
            col(Delivery.status) == DeliveryStatus.HELD.value
        )
    ).one()


def status_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Delivery.status, sa.func.count()).group_by(col(Delivery.status))
    ).all()
    return {status: int(count) for status, count in rows}
