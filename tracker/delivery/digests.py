"""Digest routes' messages: what a digest held during a period goes out as one message at the
period's end.

The planner holds each reminder or event a digest route sends (status held, column digest
"<route number>/<period key>", next_attempt_at the period's end). Once that time has passed, a
pass writes, per channel and period, in ONE transaction: the digest message (a pending row of
kind "digest", sent by the ordinary sender) and the held rows marked as sent in it. A unique
index on (channel, digest) for digest rows lets a period's message be written once, ever: a
second worker, or a pass after a crash, finds it there and writes nothing. A row held after
its period's message was written (a planner that committed late) goes to the next period
rather than being lost. A period with nothing held sends nothing: there is no row to start it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.delivery import ledger as outbox
from tracker.delivery.routed import Routing
from tracker.domain.digests import DigestSchedule, period_containing
from tracker.io.records import iso
from tracker.persistence.db import transaction
from tracker.persistence.models import Delivery, DeliveryStatus
from tracker.persistence.store import chunks
from tracker.signatures import new_webhook_id

KIND = "digest"
EVENT_TYPE = "prediction.digest"


def send_digests(
    engine: Engine, *, routing: Routing, now: dt.datetime, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Write the digest message of every (channel, period) that has ended with rows held;
    returns {"channel", "digest", "items"} for each written (or, in a dry run, to write)."""
    with transaction(engine, commit=False) as session:
        ended = session.execute(
            sa.select(col(Delivery.channel), col(Delivery.digest))
            .where(
                col(Delivery.status) == DeliveryStatus.HELD.value,
                col(Delivery.next_attempt_at) <= now,
            )
            .distinct()
        ).all()
    report = []
    for channel, digest in sorted((c, d) for c, d in ended if d is not None):
        with transaction(engine, commit=not dry_run) as session:
            count = _write_digest(session, channel=channel, digest=digest, routing=routing, now=now)
        if count:
            report.append({"channel": channel, "digest": digest, "items": count})
    return report


def _write_digest(
    session: Session, *, channel: str, digest: str, routing: Routing, now: dt.datetime
) -> int:
    """One period's message on one channel, and its held rows marked sent in it; or, when the
    message is already written, its late rows moved to the next period. How many it lists."""
    held = session.exec(
        select(Delivery)
        .where(
            col(Delivery.status) == DeliveryStatus.HELD.value,
            col(Delivery.channel) == channel,
            col(Delivery.digest) == digest,
            col(Delivery.next_attempt_at) <= now,
        )
        .order_by(col(Delivery.scheduled_for), col(Delivery.id))
    ).all()
    if not held:
        return 0
    route, _, period_key = digest.partition("/")
    row = _digest_row(held, channel=channel, digest=digest, route=route, routing=routing, now=now)
    table: Any = Delivery.__table__  # type: ignore[attr-defined]
    insert = outbox.insert_ignoring_duplicates(session, table).returning(table.c.id)
    written = session.connection().execute(insert, [row]).scalars().all()
    ids = [r.id for r in held if r.id is not None]
    if written:
        why = f"sent in the digest of {period_key}"
        sent = {"status": DeliveryStatus.SKIPPED.value, "last_error": why}
        _update_held(session, ids, values=sent, now=now)
        return len(held)
    _move_to_next_period(session, ids, route=route, routing=routing, now=now)
    return 0


def _digest_row(
    held: Sequence[Delivery],
    *,
    channel: str,
    digest: str,
    route: str,
    routing: Routing,
    now: dt.datetime,
) -> dict[str, Any]:
    """The digest message: every held item's frozen content, oldest first."""
    end = held[0].next_attempt_at
    assert end is not None  # a held row always has its send time
    period_key = digest.partition("/")[2]
    schedule = _schedule(route, routing)
    reminder = f"{KIND}-{route}-{period_key}"[:40]
    data = {
        "reminder": {"kind": KIND, "key": reminder, "scheduled_for": iso(end)},
        "digest": {
            "route": int(route) if route.isdigit() else route,
            "schedule": schedule.describe() if schedule is not None else None,
            "period_end": iso(end),
            "count": len(held),
        },
        "items": [json.loads(row.payload) for row in held],
    }
    return {
        # The digest's first question is as good as any, or none when it lists only
        # proposals (the unique index on (channel, digest) keeps a period to one message).
        "prediction_id": min((r.prediction_id for r in held if r.prediction_id), default=None),
        "reminder": reminder,
        "kind": KIND,
        "due_at": end,
        "channel": channel,
        "webhook_id": new_webhook_id(),
        "event_type": EVENT_TYPE,
        "payload": json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        "scheduled_for": end,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
        "digest": digest,
    }


def _schedule(route: str, routing: Routing) -> DigestSchedule | None:
    """The route's schedule, if the route is still a digest route (the config may change)."""
    if not route.isdigit() or not 1 <= int(route) <= len(routing.routes):
        return None
    return routing.routes[int(route) - 1].schedule(routing.tz)


def _move_to_next_period(
    session: Session, ids: Sequence[int], *, route: str, routing: Routing, now: dt.datetime
) -> None:
    schedule = _schedule(route, routing)
    if schedule is None:  # the route lost its digest since: nothing says when to send them
        why = "its digest had gone out and the route has no digest now"
        dropped = {"status": DeliveryStatus.SKIPPED.value, "last_error": why}
        _update_held(session, ids, values=dropped, now=now)
        return
    # The period after now's: one ending at this very instant has had its message.
    period = period_containing(now + dt.timedelta(microseconds=1), schedule)
    moved = {"digest": f"{route}/{period.key}", "next_attempt_at": period.end}
    _update_held(session, ids, values=moved, now=now)


def _update_held(
    session: Session, ids: Sequence[int], *, values: dict[str, Any], now: dt.datetime
) -> None:
    """Change those of these rows still held (a concurrent writer may have taken some:
    PostgreSQL re-reads each row's status before updating it)."""
    if "status" in values:  # no longer held: no send time
        values = {**values, "next_attempt_at": None}
    for chunk in chunks(list(ids)):
        session.execute(
            sa.update(Delivery)
            .where(col(Delivery.id).in_(chunk), col(Delivery.status) == DeliveryStatus.HELD.value)
            .values(**values, updated_at=now)
        )
