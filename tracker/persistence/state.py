"""The service's own small settings kept in the database (the reminder policy's fingerprint,
which tells a pass that the policy changed since the last one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from tracker.persistence.models import ServiceState


def get_state(session: Session, *, name: str) -> str | None:
    row = session.get(ServiceState, name)
    return None if row is None else row.value


def set_state(session: Session, *, name: str, value: str, now: dt.datetime) -> None:
    """Insert or update in one statement: workers starting together may both write it."""
    statement = _insert(session).values(name=name, value=value, updated_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": value, "updated_at": now}
        )
    )


def ensure_state(session: Session, *, name: str, value: str, now: dt.datetime) -> None:
    """Insert the row with this value unless it is there (then it is left as it is)."""
    statement = _insert(session).values(name=name, value=value, updated_at=now)
    session.execute(statement.on_conflict_do_nothing(index_elements=["name"]))


def _insert(session: Session) -> Any:
    return dialect_insert(session, ServiceState.__table__)  # type: ignore[attr-defined]


def dialect_insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both databases."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(table)
