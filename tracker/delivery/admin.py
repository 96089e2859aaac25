"""Use cases for reminders: queue what is due, send what is pending, and look at the ledger."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import re
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from tracker.channels.base import OutgoingMessage
from tracker.config import ChannelSettings
from tracker.delivery import leases
from tracker.delivery import ledger as outbox
from tracker.delivery.timings import SEND_SECONDS
from tracker.domain.people import Actor
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.io.records import iso
from tracker.persistence import audit, news, paging, store
from tracker.persistence.db import transaction
from tracker.persistence.evidence import next_evidence_announcement_at
from tracker.persistence.models import Delivery, DeliveryStatus, Prediction

if TYPE_CHECKING:  # sending loads httpx and aiohttp: `status` and `deliveries` need neither
    from tracker.delivery.sender import Dispatcher, DispatchStats, Job


def worker_name() -> str:
    """Who holds a lease: host, process and a random suffix (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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
    planned: threading.Event | None = None,
    planned_for: dt.datetime | None = None,
    turns: AbstractContextManager[Any] | None = None,
) -> DispatchStats:
    """Send every delivery that is due, concurrently, recording each outcome (and timing
    each send for GET /metrics). `planned`: set once the pass planning beside it has
    committed its last batch (None: nothing is being planned), for the time `planned_for`
    (until then a reminder of a prediction not yet planned waits: it may be superseded);
    `turns`, held around each transaction, shared with that planning (SQLite: see Worker)."""
    turn = turns or contextlib.nullcontext()
    channels: dict[int, str] = {}  # the claimed deliveries' channels, for the timings

    def claim(rooms: Mapping[str, int]) -> list[Job]:
        planning = planned is not None and not planned.is_set()
        with turn, transaction(engine) as session:
            rows = leases.claim(
                session, owner=settings.owner, now=clock(), lease=settings.lease, rooms=rooms,
                unplanned_at=planned_for if planning else None,
            )  # fmt: skip
            channels.update((row.id, row.channel) for row in rows)
            return [_job(row) for row in rows]

    def record(results: Sequence[leases.AttemptResult]) -> None:
        _time_sends(results, channels)
        with turn, transaction(engine) as session:
            leases.record(
                session,
                results=results,
                owner=settings.owner,
                now=clock(),
                policy=settings.retry,
                rng=settings.rng,
                cancel_if_resolved=True,
            )

    def release(ids: Sequence[int]) -> None:
        with turn, transaction(engine) as session:
            leases.release(session, ids=ids, owner=settings.owner, now=clock())

    return dispatcher.run(claim, record, release, stop, planned)


def _time_sends(results: Sequence[leases.AttemptResult], channels: dict[int, str]) -> None:
    for result in results:
        channel = channels.pop(result.delivery_id, "")
        if result.counted:  # a deferral made no call
            seconds = result.attempt.duration_ms / 1000
            SEND_SECONDS.observe(seconds, channel, result.attempt.outcome.value)


def _job(row: leases.ClaimedDelivery) -> Job:
    from tracker.delivery.sender import Job

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


# Texts the ledger writes itself (outbox, dispatch, post_json): shown as they are.
_OWN_ERRORS = re.compile(
    r"(timed out( after [0-9.]+s| \([A-Za-z]+\))?"
    r"|deferred: the receiver asked us to slow down \(429\)"
    r"|internal error: [A-Za-z_]+"
    r"|channel '[^']*' is no longer configured"
    r"|superseded by a later reminder|the prediction was (resolved|snoozed))"
)
_NOT_RETRIED = re.compile(r" \(not retried: [a-z ]+\)$")
_EXCEPTION_NAME = re.compile(r"[A-Z][A-Za-z]*(Error|Timeout|Exception)\b")
_SMTP_REPLY = re.compile(r"SMTP [2-5][0-9][0-9]\b")  # the email channel's: "SMTP 550: ..."


def public_error(row: Delivery) -> str | None:
    """What a public view (the web page, the API) may say of a delivery's last failure: the
    status code and a generic reason, never the receiver's own text, which can quote our
    credentials back in any encoding (`tracker deliveries` shows the masked text)."""
    error = row.last_error
    if error is None:
        return None
    note = _NOT_RETRIED.search(error)
    suffix = note.group(0) if note else ""
    error = error.removesuffix(suffix)
    if row.last_status_code is not None:
        return _status_line(row.last_status_code) + suffix
    if _OWN_ERRORS.fullmatch(error):
        return error + suffix
    reply = _SMTP_REPLY.match(error)
    if reply:  # the code alone: the server's text can quote the login back
        return f"{reply.group(0)}{suffix}; `tracker deliveries` has the details"
    name = _EXCEPTION_NAME.match(error)
    reason = f"network error ({name.group(0)})" if name else "failed"
    return f"{reason}{suffix}; `tracker deliveries` has the details"


def _status_line(code: int) -> str:
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:  # a code of the receiver's own invention
        return f"HTTP {code}"


def next_wake_at(engine: Engine) -> dt.datetime | None:
    """The earliest reminder, retry or digest time, or proposal to announce, for the
    scheduler's early wake-up."""
    with transaction(engine) as session:
        reminder = store.next_reminder_time(session)
        retry = outbox.next_attempt_at(session)
        digest = outbox.next_digest_at(session)
        proposal = news.next_announcement_at(session)
        evidence = next_evidence_announcement_at(session)
    times = [t for t in (reminder, retry, digest, proposal, evidence) if t is not None]
    return min(times) if times else None


def list_deliveries(
    engine: Engine,
    *,
    status: DeliveryStatus | None = None,
    prediction_ref: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> paging.Page[tuple[Delivery, str]]:
    """The newest deliveries first, with their prediction's key (an announcement of proposals,
    which has none: "proposal ID"), a page at a time: `next` leads to older ones."""
    before = paging.decode_cursor(cursor, "d", (int,))[0] if cursor else None
    with transaction(engine, commit=False) as session:
        query = select(Delivery, Prediction.key).outerjoin(
            Prediction, col(Prediction.id) == col(Delivery.prediction_id)
        )
        if status is not None:
            query = query.where(Delivery.status == status.value)
        if prediction_ref is not None:
            prediction = store.get_prediction(session, ref=prediction_ref)
            query = query.where(Delivery.prediction_id == prediction.id)
        if before is not None:
            query = query.where(col(Delivery.id) < before)
        query = query.order_by(col(Delivery.id).desc()).limit(limit + 1)
        rows = [
            (row, key if key is not None else f"proposal {row.proposal_id}")
            for row, key in session.exec(query).all()
        ]
    if len(rows) <= limit:
        return paging.Page(rows, None)
    shown = rows[:limit]
    return paging.Page(shown, paging.encode_cursor("d", (shown[-1][0].id,)))


def retry_deliveries(
    engine: Engine, *, delivery_id: int | None, all_dead: bool, now: dt.datetime, actor: Actor
) -> int:
    """Make dead (or retrying) deliveries due now, with a fresh set of attempts."""
    if (delivery_id is None) == (not all_dead):
        raise InvalidInput("name one DELIVERY_ID, or pass --dead for every dead delivery")
    with transaction(engine) as session:
        if delivery_id is None:
            count = outbox.retry(session, ids=None, now=now)
            if count:
                audit.record(
                    session, actor=actor, action="delivery.retry", now=now,
                    subject="every dead delivery", after={"deliveries": count},
                )  # fmt: skip
            return count
        row = session.get(Delivery, delivery_id)
        if row is None:
            raise NotFound(f"no delivery has id {delivery_id}", listing="deliveries")
        retryable = (DeliveryStatus.DEAD, DeliveryStatus.RETRYING)
        was = row.status
        if was not in retryable:
            raise Conflict(
                f"delivery {delivery_id} is {row.status}; only dead or retrying ones can be retried"
            )
        if not outbox.retry(session, ids=[delivery_id], now=now, statuses=retryable):
            raise Conflict(
                f"delivery {delivery_id} is a reminder that no longer applies (its prediction "
                "was resolved, or a later reminder went out)"
            )
        audit.record(
            session, actor=actor, action="delivery.retry", now=now,
            prediction_id=row.prediction_id, subject=f"delivery {delivery_id}",
            before={"status": was}, after={"deliveries": 1},
        )  # fmt: skip
        return 1


@dataclass
class Status:
    database: str
    revision: str | None
    predictions: dict[str, int]
    deliveries: dict[str, int]
    next_reminder_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    oldest_waiting_at: dt.datetime | None

    def as_json(self, *, channels: Sequence[ChannelSettings]) -> dict[str, Any]:
        """As `tracker status --json` and GET /api/v1/status show it."""
        from tracker.about import version

        return {
            "version": version(),
            "database": self.database,
            "migration": self.revision,
            "channels": [{"name": c.name, "kind": c.kind} for c in channels],
            "predictions": self.predictions,
            "deliveries": self.deliveries,
            "next_reminder_at": iso(self.next_reminder_at),
            "next_attempt_at": iso(self.next_attempt_at),
            "oldest_waiting_since": iso(self.oldest_waiting_at),
        }


def status(engine: Engine, *, database: str, revision: str | None) -> Status:
    with transaction(engine) as session:
        predictions = {
            s: int(n)
            for s, n in session.exec(
                select(Prediction.status, sa.func.count()).group_by(col(Prediction.status))
            ).all()
        }
        next_reminder = store.next_reminder_time(session)
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


@dataclass(frozen=True)
class DeliveryProblem:
    """A delivery that is dead or being retried, as a public view (the web page) may show it:
    plain values, and the receiver's own error text left out (admin.public_error)."""

    channel: str
    prediction_key: str
    reminder: str
    status: str
    attempts: int
    last_status_code: int | None
    public_error: str | None
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None


def deliveries_in_trouble(
    engine: Engine, *, status: DeliveryStatus, limit: int
) -> list[DeliveryProblem]:
    """The newest `limit` deliveries with this status (dead or retrying)."""
    return [
        DeliveryProblem(
            channel=row.channel,
            prediction_key=key,
            reminder=row.reminder,
            status=row.status,
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            public_error=public_error(row),
            last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at,
        )
        for row, key in list_deliveries(engine, status=status, limit=limit).items
    ]
