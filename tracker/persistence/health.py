"""What the health and metrics endpoints read: workers' heartbeats (rows of service_state) and
the counts behind the gauges, each one query over an index.

A heartbeat is written after every successful pass, one row per worker (its lease-owner
name), so several workers on one database each show, and a `tracker serve` in another process
sees them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.enums import DeliveryStatus, PredictionStatus
from tracker.persistence.models import Delivery, Prediction, ServiceState
from tracker.persistence.state import set_state

HEARTBEAT_PREFIX = "heartbeat:"
# A worker's row goes this long after its last pass (each `tracker check` from cron is a
# worker of its own, so the rows would otherwise pile up); pruned by the next heartbeat.
HEARTBEAT_KEPT = dt.timedelta(days=1)
_NAME_LENGTH = 100  # service_state.name


@dataclass(frozen=True)
class Heartbeat:
    worker: str
    at: dt.datetime  # when its last successful pass ended
    duration_seconds: float


def record_heartbeat(
    session: Session, *, worker: str, now: dt.datetime, duration_seconds: float
) -> None:
    """This worker's pass ended now; forget workers silent for HEARTBEAT_KEPT."""
    name = (HEARTBEAT_PREFIX + worker)[:_NAME_LENGTH]
    value = json.dumps({"duration_seconds": round(duration_seconds, 3)})
    set_state(session, name=name, value=value, now=now)
    # Workers passing at once skip the rows another is deleting, rather than wait on (or
    # deadlock with) it: whoever holds them deletes them.
    stale = (
        select(ServiceState.name)
        .where(
            col(ServiceState.name).startswith(HEARTBEAT_PREFIX, autoescape=True),
            col(ServiceState.updated_at) < now - HEARTBEAT_KEPT,
        )
        .with_for_update(skip_locked=True)
    )
    session.execute(sa.delete(ServiceState).where(col(ServiceState.name).in_(stale)))


def heartbeats(session: Session) -> list[Heartbeat]:
    """Every worker's latest pass, the most recent first."""
    rows = session.exec(
        select(ServiceState)
        .where(col(ServiceState.name).startswith(HEARTBEAT_PREFIX, autoescape=True))
        .order_by(col(ServiceState.updated_at).desc())
    ).all()
    return [
        Heartbeat(
            worker=row.name.removeprefix(HEARTBEAT_PREFIX),
            at=row.updated_at,
            duration_seconds=_duration(row.value),
        )
        for row in rows
    ]


def _duration(value: str) -> float:
    try:
        return float(json.loads(value)["duration_seconds"])
    except (ValueError, KeyError, TypeError):
        return 0.0


@dataclass(frozen=True)
class Counts:
    deliveries: dict[tuple[str, str], int]  # (status, channel) -> rows, of the statuses asked
    oldest_unsent_at: dt.datetime | None
    open_questions: int
    overdue_questions: int


UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
# Where a delivery ends and stays: the bulk of a ledger, counted only now and then (below).
FINISHED = (DeliveryStatus.DELIVERED, DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED)
IN_FLIGHT = tuple(s for s in DeliveryStatus if s not in FINISHED)


def delivery_counts(
    session: Session, *, statuses: tuple[DeliveryStatus, ...]
) -> dict[tuple[str, str], int]:
    """Rows by (status, channel) among these statuses: one GROUP BY over the status index,
    as fast as those statuses are few."""
    return {
        (str(status), str(channel)): int(n)
        for status, channel, n in session.exec(
            select(Delivery.status, Delivery.channel, sa.func.count())
            .where(col(Delivery.status).in_([s.value for s in statuses]))
            .group_by(col(Delivery.status), col(Delivery.channel))
        ).all()
    }


def counts(session: Session, *, now: dt.datetime) -> Counts:
    """The gauges' numbers but the finished deliveries', in four indexed queries."""
    oldest = session.exec(
        select(sa.func.min(Delivery.created_at)).where(
            col(Delivery.status).in_([s.value for s in UNSENT])
        )
    ).one()
    # Two ranges of the (status, due_at) index; one scan with a CASE for the overdue ones
    # costs three times as much on SQLite (it reads each entry's due_at).
    open_only = col(Prediction.status) == PredictionStatus.OPEN.value
    open_count = session.exec(select(sa.func.count()).where(open_only)).one()
    overdue = session.exec(
        select(sa.func.count()).where(open_only, col(Prediction.due_at) < now)
    ).one()
    return Counts(
        deliveries=delivery_counts(session, statuses=IN_FLIGHT),
        oldest_unsent_at=oldest,
        open_questions=int(open_count),
        overdue_questions=int(overdue),
    )
