"""Engines, sessions and migrations: every database specific lives here.

SQLite runs in WAL mode with foreign keys on and a busy timeout, and every transaction starts
with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can fail at once with
"database is locked" when another process wrote in between, whatever the busy timeout.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from tracker.errors import Conflict, EnvironmentFailure
from tracker.persistence import models

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration this package ships. Every command compares the database's revision
# with it in one query, and loads alembic (a third of a command's start-up) only when there
# is something to migrate; tests/test_db.py checks that it is alembic's head.
SCHEMA_REVISION = "0017"

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


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for `url`. With create=False a SQLite file must exist already: a command
    that only reads must not leave an empty database behind (nor report one as empty)."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise EnvironmentFailure(
            "TRACKER_DATABASE_URL is not a database URL (expected e.g. sqlite:///tracker.db)"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, create=create)
        else:
            engine = sa.create_engine(parsed, pool_pre_ping=True)
    except (ImportError, exc.ArgumentError, TypeError, ValueError) as error:
        raise EnvironmentFailure(
            f"cannot use TRACKER_DATABASE_URL ({parsed.drivername}): "
            f"{type(error).__name__}: {scrub(_first_line(error), parsed)}"
        ) from None
    models.attach_partial_index_predicates(engine.dialect.name)
    return engine


def _first_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


def _sqlite_engine(url: URL, *, create: bool) -> Engine:
    database = url.database
    file = None
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser().resolve()
        if not path.parent.is_dir():
            raise EnvironmentFailure(
                f"cannot open the database {database}: {path.parent} does not exist"
            )
        if not create and not path.exists():
            raise EnvironmentFailure(
                f"the database file {database} does not exist (tracker add, seed, import "
                "and run create it; check TRACKER_DATABASE_URL)"
            )
        file = SqliteFile(path)
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )
    if file is not None:
        file.watch(engine)

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


class SqliteFile:
    """The file a SQLite engine was opened on, and the (st_dev, st_ino) it had.

    A connection keeps the file it opened even after the file is deleted or replaced: writes
    would go on succeeding into a file nobody will read again, and the next connection would
    make a new, empty one. So each connection and each transaction first checks that the path
    still names the file we started with (one stat, microseconds), and fails clearly if not.
    """

    GONE = (
        "the SQLite database file was removed or replaced while tracker was using it; nothing "
        "more was written. Restart tracker to use the file that is there now"
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = self._stat()  # None until the first connection creates the file

    def _stat(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (found.st_dev, found.st_ino)

    def check(self) -> None:
        if self.identity is not None and self._stat() != self.identity:
            raise EnvironmentFailure(self.GONE)

    def watch(self, engine: Engine) -> None:
        @event.listens_for(engine, "do_connect")
        def _before_connect(*_args: Any) -> None:
            self.check()  # or sqlite3 would silently create an empty file in its place

        @event.listens_for(engine, "connect")
        def _connected(*_args: Any) -> None:
            if self.identity is None:  # this connection made the file
                self.identity = self._stat()

        @event.listens_for(engine, "begin")
        def _on_begin(_connection: sa.Connection) -> None:
            self.check()


@contextlib.contextmanager
def translated_errors(url: str | URL) -> Iterator[None]:
    """Turn driver failures into our error tree. The message may reach an HTTP answer or a log,
    so it names no part of the database's address (user, password, host, port, name)."""
    try:
        yield
    except exc.IntegrityError as error:
        raise Conflict(f"that conflicts with data already stored: {_short(error, url)}") from None
    except exc.DBAPIError as error:  # unreachable, read-only, not a database, ...
        kind = _backend(url)
        raise EnvironmentFailure(f"the {kind} database failed: {_short(error, url)}") from None


def _backend(url: str | URL) -> str:
    try:
        name = make_url(url).get_backend_name()
    except exc.ArgumentError:
        return "configured"
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(name, name)


def _short(error: exc.DBAPIError, url: str | URL) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return scrub(" ".join(text.split()), url)[:300]


# How libpq names where it tried to go: 'connection to server at "host" (1.2.3.4), port 5432',
# 'on socket "/run/postgresql/.s.PGSQL.5432"', 'database "x"', 'user "y"', 'host name "z"'.
_ADDRESS_PARTS = re.compile(
    r"(?P<word>\b(?:at|socket|database|user|role|host(?: name)?)\s+)"
    r"[\"'][^\"']*[\"'](?:\s*\([^)]*\))?"
    r"|(?P<port>\bport\s+)\d+"
    r"|\.s\.PGSQL\.\d+",
    re.IGNORECASE,
)


def scrub(text: str, url: str | URL) -> str:
    """`text` with the address and credentials of `url` masked: libpq's phrasings, then any
    other appearance of the URL's parts (including those in its query)."""
    text = _ADDRESS_PARTS.sub(
        lambda m: f'{m["word"]}"***"' if m["word"] else f"{m['port']}***" if m["port"] else "***",
        text,
    )
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        return text
    parts = [parsed.username, parsed.password, parsed.host, parsed.database, parsed.port]
    for value in parsed.query.values():
        parts.extend([value] if isinstance(value, str) else value)
    for part in sorted({str(p) for p in parts if p not in (None, "")}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(part)}(?![\w-])", "***", text)
    return text


@contextlib.contextmanager
def transaction(engine: Engine, *, commit: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success (or always roll back, for a dry run)."""
    with translated_errors(engine.url), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            if commit:
                session.commit()
            else:
                # Detach what was read first: a rollback expires every loaded row, and one
                # read after the session has closed would raise DetachedInstanceError.
                session.expunge_all()
                session.rollback()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine | None = None, *, timezone: str = "UTC") -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("tracker.persistence") / "migrations")
    )
    if engine is not None:
        # Handed over as an object: a URL in the config would go through configparser's
        # %-interpolation (percent-encoded passwords) and could end up in its error texts.
        config.attributes["engine"] = engine
    # The configured zone, which migration 0007 gives the deadlines stored before they kept one.
    config.attributes["timezone"] = timezone
    return config


def head_revision() -> str:
    return SCHEMA_REVISION


def current_revision(engine: Engine) -> str | None:
    """The database's migration, read from alembic's version table (None: an empty database)."""
    with translated_errors(engine.url), engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        found = sorted(str(version) for version in versions.scalars())
    return ",".join(found) or None


def upgrade_to_head(engine: Engine, *, timezone: str = "UTC") -> bool:
    """Bring the schema to the latest migration; cheap when it is there already. `timezone` is
    the configured default zone (TRACKER_TIMEZONE), which older rows are taken to be stated in.

    Returns True when migrations ran.
    """
    current = current_revision(engine)
    if current == SCHEMA_REVISION:
        return False
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
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
