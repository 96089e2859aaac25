"""The ledger's leases: claim due rows, record what came of sending them, release the rest.

Keyword-only functions that take a session; the service owns the transactions. A claimed row
has its lease expiry in next_attempt_at too, so one index (status, next_attempt_at) finds both
the rows that are due and the rows whose worker died.

Two rules hold here:
- On PostgreSQL a lease is set and judged by the database's clock (now()): workers on several
  machines may disagree about the time, and a worker whose clock runs ahead must not take over
  a lease that is still live. SQLite is one machine, so the Python clock serves.
- A row whose send has started ends as what happened to the send. A resolution, a snooze or a
  later reminder retires the rows still waiting at once; one in flight is marked retired but
  keeps its lease owner, and that worker's record still wins: delivered when it was delivered,
  dead when refused for good, and only a send that may be retried stays retired.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.channels.base import Attempt, AttemptOutcome
from tracker.delivery.ledger import WAITING, RetryPolicy, awaiting_plan, prediction_is_open
from tracker.enums import OPEN_ONLY_KINDS, REMINDER_KINDS
from tracker.persistence.models import (
    Delivery,
    DeliveryStatus,
    Prediction,
    PredictionStatus,
    UTCDateTime,
)

# What a worker's lease covers: its own claim, or a claim retired while the send was out.
HELD = (DeliveryStatus.SENDING, DeliveryStatus.CANCELLED, DeliveryStatus.SKIPPED)


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


def _on_database_clock(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _due(session: Session, now: dt.datetime) -> Any:
    """Rows to claim: waiting ones whose time has come by our clock, and claimed ones whose
    lease has run out (by the database's clock on PostgreSQL)."""
    waiting = col(Delivery.status).in_([s.value for s in WAITING])
    leased = col(Delivery.status) == DeliveryStatus.SENDING.value
    if not _on_database_clock(session):
        return sa.and_(sa.or_(waiting, leased), col(Delivery.next_attempt_at) <= now)
    return sa.or_(
        sa.and_(waiting, col(Delivery.next_attempt_at) <= now),
        sa.and_(leased, col(Delivery.next_attempt_at) <= sa.func.now()),
    )


def claim(
    session: Session,
    *,
    owner: str,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int = 0,
    channels: Sequence[str] | None = None,
    rooms: Mapping[str, int] | None = None,
    unplanned_at: dt.datetime | None = None,
) -> list[ClaimedDelivery]:
    """Take due rows for this worker: up to `limit` of these `channels` (all when None), or,
    given `rooms`, up to so many of each channel, so that one channel's backlog never fills a
    claim that another channel's rows are waiting for.

    PostgreSQL skips rows other workers have locked (FOR UPDATE SKIP LOCKED); SQLite has one
    writer at a time. On both, the UPDATE repeats the condition and only the rows it changed
    (RETURNING) are ours, so a row is never claimed twice.

    `unplanned_at`: while a pass plans beside the sends, the time it plans for; a reminder of
    a prediction it has yet to plan (due for a look by then) waits, for that look may find it
    superseded by a later one.
    """
    due: tuple[Any, ...] = (
        _due(session, now),
        # a reminder is only ever sent for an open prediction
        sa.or_(col(Delivery.kind).not_in(OPEN_ONLY_KINDS), prediction_is_open()),
    )
    if unplanned_at is not None:
        due += (sa.or_(col(Delivery.kind).not_in(REMINDER_KINDS), ~awaiting_plan(unplanned_at)),)
    groups: list[tuple[Any, int]]
    if rooms is None:
        chosen = col(Delivery.channel).in_(channels) if channels is not None else sa.true()
        groups = [(chosen, limit)]
    else:
        groups = [(col(Delivery.channel) == name, room) for name, room in rooms.items()]
    candidates: list[int] = []
    for chosen, room in groups:
        if room > 0:
            candidates += _first_due(session, now, due, chosen, room)
    if not candidates:
        return []
    return _take(session, candidates, due, owner=owner, now=now, lease=lease)


def _first_due(
    session: Session, now: dt.datetime, due: tuple[Any, ...], chosen: Any, room: int
) -> list[int]:
    """The `room` due rows that come first (by next attempt, then id). On SQLite, one query
    per status, each walking the (status, next_attempt_at) index in order and stopping at
    `room`: asked for all statuses at once, SQLite gathered and sorted every due row on each
    claim, which made a backlog of 10,000 quadratic. PostgreSQL plans the single query well,
    and three round trips cost it more than they save."""
    order = (col(Delivery.next_attempt_at), col(Delivery.id))
    if session.get_bind().dialect.name != "sqlite":
        single = select(Delivery.id).where(*due, chosen).order_by(*order).limit(room)
        ids = session.exec(single.with_for_update(skip_locked=True)).all()
        return [id_ for id_ in ids if id_ is not None]
    found: list[tuple[dt.datetime, int]] = []
    for status_due in _due_by_status(now):  # stands for due[0], which is _due(...)
        each = select(Delivery.next_attempt_at, Delivery.id).where(status_due, *due[1:], chosen)
        rows = session.exec(each.order_by(*order).limit(room)).all()
        found += [(at, id_) for at, id_ in rows if at is not None and id_ is not None]
    return [id_ for _, id_ in sorted(found)[:room]]


def _due_by_status(now: dt.datetime) -> list[Any]:
    """`_due` on our clock (SQLite's), one condition per status."""
    return [
        sa.and_(col(Delivery.status) == status.value, col(Delivery.next_attempt_at) <= now)
        for status in (*WAITING, DeliveryStatus.SENDING)
    ]


def _take(
    session: Session,
    candidates: list[int],
    due: tuple[Any, ...],
    *,
    owner: str,
    now: dt.datetime,
    lease: dt.timedelta,
) -> list[ClaimedDelivery]:
    expires: Any = now + lease
    if _on_database_clock(session):
        expires = sa.func.now() + sa.literal(lease, sa.Interval())
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
    rows = _held_rows(session, [r.delivery_id for r in results])
    open_predictions = (
        _open_among(session, {row.prediction_id for row in rows.values()})
        if cancel_if_resolved
        else None
    )
    changes = []
    for result in results:
        row = rows.get(result.delivery_id)
        if row is None or row.status not in HELD or row.lease_owner != owner:
            counts["lease_lost"] = counts.get("lease_lost", 0) + 1
            continue
        change = _change(row, result, now=now, policy=policy, rng=rng, open_now=open_predictions)
        changes.append(change)
        counts[change["b_status"]] = counts.get(change["b_status"], 0) + 1
    if changes:
        _write(session, changes, owner=owner, now=now)
    return counts


def _held_rows(session: Session, ids: list[int]) -> dict[int, Any]:
    return {
        row.id: row
        for row in session.execute(
            sa.select(
                col(Delivery.id), col(Delivery.status), col(Delivery.lease_owner),
                col(Delivery.attempts), col(Delivery.kind), col(Delivery.prediction_id),
                col(Delivery.delivered_at), col(Delivery.last_error),
            )
            .where(col(Delivery.id).in_(ids))
            # Locked (PostgreSQL) until written, in id order: another worker taking over a
            # lease that expired meanwhile waits, and the counts say what was really written.
            .order_by(col(Delivery.id))
            .with_for_update()
        )
    }  # fmt: skip


def _change(
    row: Any,
    result: AttemptResult,
    *,
    now: dt.datetime,
    policy: RetryPolicy,
    rng: random.Random,
    open_now: set[int] | None,
) -> dict[str, Any]:
    """The values one row gets: the bind parameters of _write's UPDATE."""
    attempt = result.attempt
    attempts = row.attempts + (1 if result.counted else 0)
    retired = None if row.status == DeliveryStatus.SENDING else DeliveryStatus(row.status)
    status = _next_status(row.kind, row.prediction_id, attempt, attempts, policy, open_now,
                          retired)  # fmt: skip
    error = attempt.error
    next_attempt_at = None
    if status == DeliveryStatus.RETRYING:
        wait = policy.delay(max(attempts, 1), rng)
        if attempt.retry_after is not None:
            wait = max(wait, attempt.retry_after)
        next_attempt_at = now + wait
    elif status in (DeliveryStatus.CANCELLED, DeliveryStatus.SKIPPED):
        why = row.last_error if retired is not None else "the prediction was resolved"
        error = f"{attempt.error} (not retried: {why})"
    return {
        "b_id": row.id, "b_was": row.status, "b_status": status.value, "b_attempts": attempts,
        "b_code": attempt.status_code, "b_duration": attempt.duration_ms,
        "b_error": error, "b_next": next_attempt_at,
        "b_delivered": now if status == DeliveryStatus.DELIVERED else row.delivered_at,
    }  # fmt: skip


def _write(
    session: Session, changes: list[dict[str, Any]], *, owner: str, now: dt.datetime
) -> None:
    table: Any = Delivery.__table__  # type: ignore[attr-defined]
    # Core, through the connection: given a list, the session would run its own "bulk
    # update by primary key", which takes no conditions.
    session.connection().execute(
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("b_id"),
            # the lease checked above is still ours: no other worker wrote meanwhile
            table.c.status == sa.bindparam("b_was"),
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
    retired: DeliveryStatus | None,
) -> DeliveryStatus:
    """What the send made of the row. `retired`: the status a resolution, snooze or later
    reminder gave the row while the send was out; it stands unless the send was final."""
    if attempt.outcome == AttemptOutcome.DELIVERED:
        return DeliveryStatus.DELIVERED
    if attempt.outcome == AttemptOutcome.PERMANENT:
        return DeliveryStatus.DEAD
    if retired is not None:
        return retired
    resolved_meanwhile = (
        open_predictions is not None
        and kind in OPEN_ONLY_KINDS
        and prediction_id not in open_predictions
    )
    if resolved_meanwhile:
        return DeliveryStatus.CANCELLED
    if attempts >= policy.max_attempts:
        return DeliveryStatus.DEAD
    return DeliveryStatus.RETRYING


def release(session: Session, *, ids: Sequence[int], owner: str, now: dt.datetime) -> int:
    """Hand back claimed rows we will not send (a clean shutdown), due again at once; rows
    retired meanwhile stay as they are, without our lease."""
    if not ids:
        return 0
    status = col(Delivery.status)
    result = session.execute(
        sa.update(Delivery)
        .where(
            col(Delivery.id).in_(ids),
            status.in_([s.value for s in HELD]),
            col(Delivery.lease_owner) == owner,
        )
        .values(
            status=sa.case(
                (status != DeliveryStatus.SENDING.value, status),
                (col(Delivery.attempts) > 0, DeliveryStatus.RETRYING.value),
                else_=DeliveryStatus.PENDING.value,
            ),
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=sa.case(
                (status != DeliveryStatus.SENDING.value, None),
                else_=sa.bindparam(None, now, type_=UTCDateTime()),
            ),
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
