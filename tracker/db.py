"""Engines, sessions and migrations: every database specific lives here.

SQLite runs in WAL mode with foreign keys on and a busy timeout, and every transaction starts
with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can fail at once with
"database is locked" when another process wrote in between, whatever the busy timeout.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from tracker.errors import Conflict, EnvironmentFailure

SQLITE_BUSY_TIMEOUT_MS = 30_000


SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "secret", "token", "sslpassword", "key")


def display_url(url: str | URL) -> str:
    """The URL with any password (in its userinfo or its query) masked, safe to show."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        return "<unparsable database URL>"
    masked = {
        key: "***" if any(word in key.lower() for word in SECRET_QUERY_KEYS) else value
        for key, value in parsed.query.items()
    }
    return parsed.set(query=masked).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise EnvironmentFailure(
            "TRACKER_DATABASE_URL is not a database URL (expected e.g. sqlite:///tracker.db)"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return sa.create_engine(parsed, pool_pre_ping=True)
    except (ImportError, exc.ArgumentError, TypeError, ValueError) as error:
        raise EnvironmentFailure(
            f"cannot use {display_url(parsed)}: {type(error).__name__}: {_first_line(error)}"
        ) from None


def _first_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise EnvironmentFailure(
                f"cannot open the database {database}: {folder} does not exist"
            )
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextlib.contextmanager
def translated_errors(url: str | URL) -> Iterator[None]:
    """Turn driver failures into our error tree, with the password masked."""
    try:
        yield
    except exc.IntegrityError as error:
        raise Conflict(f"that conflicts with data already stored: {_short(error)}") from None
    except exc.DBAPIError as error:  # unreachable, read-only, not a database, ...
        raise EnvironmentFailure(f"database {display_url(url)}: {_short(error)}") from None


def _short(error: exc.DBAPIError) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return " ".join(text.split())[:300]


@contextlib.contextmanager
def transaction(engine: Engine, *, commit: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success (or always roll back, for a dry run)."""
    with translated_errors(engine.url), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            if commit:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine | None = None, *, timezone: str = "UTC") -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("tracker") / "migrations"))
    if engine is not None:
        # Handed over as an object: a URL in the config would go through configparser's
        # %-interpolation (percent-encoded passwords) and could end up in its error texts.
        config.attributes["engine"] = engine
    # The configured zone, which migration 0007 gives the deadlines stored before they kept one.
    config.attributes["timezone"] = timezone
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with translated_errors(engine.url), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine, *, timezone: str = "UTC") -> bool:
    """Bring the schema to the latest migration; cheap when it is there already. `timezone` is
    the configured default zone (TRACKER_TIMEZONE), which older rows are taken to be stated in.

    Returns True when migrations ran.
    """
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return False
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise EnvironmentFailure(
            f"the database is at migration {current}, which this version of tracker does not "
            "know; upgrade tracker"
        )
    with translated_errors(engine.url), _migration_lock(engine):
        if current_revision(engine) == head:  # another worker got there while we waited
            return False
        command.upgrade(alembic_config(engine, timezone=timezone), "head")
    return True


MIGRATION_LOCK_ID = 7_342_001  # any constant; names tracker's lock among advisory locks


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Several workers starting together must not migrate at once. PostgreSQL: a session
    advisory lock; SQLite's BEGIN IMMEDIATE already lets one writer in at a time."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})")
            connection.commit()
