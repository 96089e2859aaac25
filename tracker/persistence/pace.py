"""The pace of rate-limited receivers (Slack: one message a second per URL), shared by every
worker process through the database.

Each paced send books the key's next free slot in one short transaction: the row is locked
(PostgreSQL: FOR UPDATE; SQLite: every transaction begins IMMEDIATE), so two workers never
book one slot. Times are the database's clock on PostgreSQL, as the leases are, so workers on
machines whose clocks differ keep the pace too. The key is a URL that holds a secret: only a
hash of it is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.persistence.db import transaction
from tracker.persistence.models import ServiceState
from tracker.persistence.state import ensure_state

PREFIX = "pace:"


@dataclass(frozen=True)
class Booking:
    wait: float  # seconds until the slot (or, when not booked, until the key is free)
    booked: bool  # False: the key is taken further ahead than the caller may wait


def state_name(key: str) -> str:
    return PREFIX + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:48]


def book(engine: Engine, *, key: str, interval: float, max_wait: float) -> Booking:
    """Book the key's next slot, `interval` seconds after the one before, unless it is more
    than max_wait away (a receiver's 429 pause, or a long queue): then nothing is booked."""
    with transaction(engine) as session:
        now, row = _locked(session, key)
        free = max(_read(row.value), now)
        wait = (free - now).total_seconds()
        if wait > max_wait:
            return Booking(wait=wait, booked=False)
        row.value = _write(free + dt.timedelta(seconds=interval))
        row.updated_at = now
        return Booking(wait=wait, booked=True)


def pause(engine: Engine, *, key: str, seconds: float) -> None:
    """Hold the key back for `seconds` from now (a 429's Retry-After), in every worker."""
    with transaction(engine) as session:
        now, row = _locked(session, key)
        until = now + dt.timedelta(seconds=seconds)
        if until > _read(row.value):
            row.value = _write(until)
            row.updated_at = now


def _locked(session: Session, key: str) -> tuple[dt.datetime, ServiceState]:
    name = state_name(key)
    now = _now(session)
    ensure_state(session, name=name, value=_write(now), now=now)
    query = select(ServiceState).where(col(ServiceState.name) == name).with_for_update()
    return now, session.exec(query).one()


def _now(session: Session) -> dt.datetime:
    if session.get_bind().dialect.name != "postgresql":
        return utcnow()  # one machine: its clock is every worker's
    moment: dt.datetime = session.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
    return moment.astimezone(dt.UTC)


def _read(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def _write(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


@dataclass(frozen=True)
class SharedPace:
    """book() and pause() on one database, for the sender's Pacer."""

    engine: Engine

    def book(self, key: str, interval: float, max_wait: float) -> Booking:
        return book(self.engine, key=key, interval=interval, max_wait=max_wait)

    def pause(self, key: str, seconds: float) -> None:
        pause(self.engine, key=key, seconds=seconds)
