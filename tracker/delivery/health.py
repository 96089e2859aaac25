"""Is the service ready, and the numbers behind GET /metrics: read from the database, so that
they hold whichever process asks (a `tracker serve` beside separate `tracker run` workers)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.io.records import iso
from tracker.persistence.db import SCHEMA_REVISION, current_revision, transaction
from tracker.persistence.health import (
    FINISHED,
    Counts,
    Heartbeat,
    counts,
    delivery_counts,
    heartbeats,
    record_heartbeat,
)

# A worker is alive when its last pass ended within this many check intervals: one interval
# is the wait between passes, the other room for a slow pass.
INTERVALS_OF_SILENCE = 2
FINISHED_RECOUNT = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str | None  # one line, when not ready
    details: dict[str, Any]


def beat(engine: Engine, *, worker: str, now: dt.datetime, duration_seconds: float) -> None:
    """Record that `worker` finished a pass now."""
    with transaction(engine) as session:
        record_heartbeat(session, worker=worker, now=now, duration_seconds=duration_seconds)


def readiness(
    engine: Engine, *, now: dt.datetime, interval: dt.timedelta, require_worker: bool
) -> Readiness:
    """Ready: the database answers, its schema is this version's, and (when `require_worker`)
    some worker finished a pass within two check intervals."""
    try:
        revision = current_revision(engine)
    except (TrackerError, SQLAlchemyError) as exc:
        return Readiness(False, f"database unreachable: {_one_line(exc)}", {})
    if revision != SCHEMA_REVISION:
        # Revisions are numbered 0001, 0002, ...: a later one is a newer tracker's.
        behind = revision is None or revision < SCHEMA_REVISION
        advice = " (`tracker db upgrade`)" if behind else " (a newer tracker migrated it)"
        return Readiness(
            False,
            f"database schema is at migration {revision or 'none'}, this version needs "
            f"{SCHEMA_REVISION}{advice}",
            {"migration": revision},
        )
    try:
        with transaction(engine) as session:
            beats = heartbeats(session)
    except (TrackerError, SQLAlchemyError) as exc:
        return Readiness(False, f"database unreachable: {_one_line(exc)}", {})
    window = interval * INTERVALS_OF_SILENCE
    alive = [b for b in beats if now - b.at <= window]
    details = {
        "database": "ok",
        "migration": revision,
        "workers": [_worker(b) for b in alive],
        "last_pass_at": iso(beats[0].at) if beats else None,
        "worker_required": require_worker,
    }
    if require_worker and not alive:
        silence = f"within {_seconds(window)} (two check intervals)"
        reason = (
            f"no worker has finished a pass {silence}; the last ended at {iso(beats[0].at)}"
            if beats
            else "no worker has finished a pass yet (`tracker run`, or set "
            "TRACKER_READYZ_REQUIRE_WORKER=false for a server without one)"
        )
        return Readiness(False, reason, details)
    return Readiness(True, None, details)


def _worker(beat: Heartbeat) -> dict[str, Any]:
    return {
        "worker": beat.worker,
        "last_pass_at": iso(beat.at),
        "pass_seconds": beat.duration_seconds,
    }


def _seconds(span: dt.timedelta) -> str:
    return f"{span.total_seconds():g}s"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


@dataclass(frozen=True)
class Gauges:
    counts: Counts  # its deliveries: every status, the finished ones as last counted
    last_pass_at: dt.datetime | None


class FinishedCounts:
    """The finished deliveries (delivered, skipped, cancelled) by channel, recounted at most
    once per `every`. They are nearly the whole ledger, so counting them costs time in
    proportion to it (0.8 s for a million rows on SQLite); the rows in flight, which alerts
    watch, are few and counted at every scrape."""

    def __init__(self, every: dt.timedelta = FINISHED_RECOUNT) -> None:
        self.every = every.total_seconds()
        self._lock = threading.Lock()
        self._counted_at: float | None = None
        self._counts: dict[tuple[str, str], int] = {}

    def get(self, session: Session) -> dict[tuple[str, str], int]:
        with self._lock:  # one scrape recounts; the others wait for it rather than repeat it
            clock = time.monotonic()
            if self._counted_at is None or clock - self._counted_at >= self.every:
                self._counts = delivery_counts(session, statuses=FINISHED)
                self._counted_at = clock
            return dict(self._counts)


def gauges(engine: Engine, *, now: dt.datetime, finished: FinishedCounts) -> Gauges:
    """What the database says at scrape time, in one transaction."""
    with transaction(engine, commit=False) as session:
        found = counts(session, now=now)
        found.deliveries.update(finished.get(session))
        beats = heartbeats(session)
    return Gauges(counts=found, last_pass_at=beats[0].at if beats else None)
