"""The database: migrations, aware UTC times, SQLite pragmas, and concurrent writers."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

from tests.conftest import ACTOR, TEST_DATABASE_URL, Result, Web, assert_one_line_error, is_sqlite
from tracker import service
from tracker.domain.deadlines import UTC_ZONE, parse_due
from tracker.domain.inputs import PredictionInput
from tracker.errors import EnvironmentFailure
from tracker.persistence.db import (
    current_revision,
    head_revision,
    make_engine,
    scrub,
    transaction,
    upgrade_to_head,
)
from tracker.persistence.models import Outcome, Prediction
from tracker.persistence.search import outside_the_models


@pytest.mark.empty_database
def test_migrations_build_the_models_from_an_empty_database(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) is True
    assert current_revision(engine) == head_revision()
    assert upgrade_to_head(engine) is False  # cheap second time: nothing to do
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": outside_the_models})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def _empty_database(url: str) -> None:
    """An empty database that exists: a SQLite file must, for a command that only reads."""
    if is_sqlite(url):
        Path(sa.make_url(url).database or "").touch()


@pytest.mark.empty_database
def test_db_commands(cli: Callable[..., Result], database_url: str) -> None:
    _empty_database(database_url)
    current = cli("db", "current")
    assert current.code == 0
    assert "empty" in current.out
    assert "run `tracker db upgrade`" in current.out
    upgraded = cli("db", "upgrade")
    assert "Upgraded" in upgraded.out
    assert f"{head_revision()} (latest)" in cli("db", "current").out
    assert "is at the latest migration" in cli("db", "upgrade").out


def test_every_command_upgrades_first(cli: Callable[..., Result], database_url: str) -> None:
    _empty_database(database_url)
    assert cli("list").code == 0
    assert "(latest)" in cli("db", "current").out


def test_a_database_newer_than_the_code_is_refused(
    cli: Callable[..., Result], database_url: str
) -> None:
    assert cli("db", "upgrade").code == 0
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'fffffff'")
    assert_one_line_error(cli("list"), code=1, contains="does not know; upgrade tracker")


def _add(engine: sa.Engine, claim: str, now: dt.datetime) -> None:
    due = parse_due("2025-02", UTC_ZONE)
    data = PredictionInput(key=f"k-{claim}", claim=claim, due=due, due_text="by February 2025")
    service.add_prediction(engine, data=data, now=now, actor=ACTOR)


def test_times_come_back_aware_utc(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    _add(engine, "a", dt.datetime(2025, 1, 1, 14, 0, tzinfo=plus_two))
    with transaction(engine) as session:
        stored = session.exec(select(Prediction)).one()
    assert stored.created_at == dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert stored.created_at.tzinfo is dt.UTC
    assert stored.due_at == dt.datetime(2025, 2, 28, 23, 59, 59, 999999, tzinfo=dt.UTC)


def test_naive_times_are_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    with pytest.raises(sa.exc.StatementError, match="naive"), transaction(engine) as session:
        session.add(
            Prediction(
                key="naive", claim="c", due_at=dt.datetime(2025, 1, 1), precision="day",
                due_text="x",
            )
        )  # fmt: skip


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite only")
def test_sqlite_pragmas(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000


def _writer(url: str, worker: int, rounds: int) -> None:
    engine = make_engine(url)
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    for index in range(rounds):
        claim = f"w{worker}-{index}"
        _add(engine, claim, now)
        # read, then write: the pattern that fails with "database is locked" when a
        # transaction starts deferred and another process writes in between
        service.resolve(
            engine, ref=f"k-{claim}", outcome=Outcome.YES, now=now, tz=UTC_ZONE, actor=ACTOR
        )
        service.reopen(engine, ref=f"k-{claim}", now=now, actor=ACTOR)


def test_concurrent_processes_never_see_database_is_locked(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(database_url, n, 15)) for n in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    with transaction(engine) as session:
        assert len(session.exec(select(Prediction)).all()) == 60


def test_missing_folder_is_an_environment_failure(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path}/no/such/dir/t.db")
    assert_one_line_error(cli("list"), code=1, contains="does not exist")


def test_unparsable_url_is_an_environment_failure(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", "not a url at all")
    assert_one_line_error(cli("list"), code=1, contains="not a database URL")


@pytest.mark.parametrize("host", ["127.0.0.1", "db-7f3a.invalid"])
def test_unreachable_server_is_exit_1_and_hides_the_address(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    # The message may reach an HTTP answer or a log: no user, password, host, port or name.
    url = f"postgresql+psycopg://alice:hunter2@{host}:1/ledgerdb?application_name=appname9"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    result = cli("list")
    assert_one_line_error(result, code=1, contains="the PostgreSQL database failed")
    for secret in ("hunter2", "alice", host, "ledgerdb", "appname9", ":1", "port 1"):
        assert secret not in result.err


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite only")
def test_read_only_database_is_exit_1(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert cli("add", "x", "--due", "2025").code == 0
    # Opened read-only through SQLite itself: a chmod would not stop root, who runs CI.
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", f"sqlite:///file:{tmp_path / 'tracker.db'}?mode=ro&uri=true"
    )
    assert cli("list", "--json").code == 0
    result = cli("add", "y", "--due", "2025")
    assert_one_line_error(result, code=1, contains="readonly")


@pytest.mark.parametrize(
    "text",
    [
        'connection failed: connection to server at "db.example" (10.0.0.7), port 6543 failed: '
        'FATAL: database "ledger" does not exist',
        'connection failed: connection to server on socket "/run/pg/.s.PGSQL.6543" failed',
        'FATAL: password authentication failed for user "bob"',
        "failed to resolve host 'db.example': [Errno -2] Name or service not known",
    ],
)
def test_driver_messages_lose_the_address(text: str) -> None:
    shown = scrub(text, "postgresql+psycopg://bob:pw@db.example:6543/ledger")
    for part in ("db.example", "10.0.0.7", "6543", "ledger", "bob", "/run/pg"):
        assert part not in shown
    assert shown.count("***") >= 1


SQLITE_ONLY = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite only")


@SQLITE_ONLY
@pytest.mark.parametrize(
    "command",
    [["list"], ["list", "--status", "all"], ["show", "1"], ["status"], ["export"],
     ["summary"], ["deliveries"], ["check"], ["resolve", "1", "yes"], ["db", "current"]],
)  # fmt: skip
@pytest.mark.empty_database
def test_commands_that_only_read_never_create_the_database(
    cli: Callable[..., Result], tmp_path: Path, command: list[str]
) -> None:
    assert_one_line_error(cli(*command), code=1, contains="tracker.db does not exist")
    assert not (tmp_path / "tracker.db").exists()


@SQLITE_ONLY
def test_commands_that_store_create_the_database(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert cli("db", "upgrade").code == 0
    (tmp_path / "tracker.db").unlink()
    assert cli("add", "x", "--due", "2030").code == 0
    assert cli("list", "--json").json()[0]["claim"] == "x"


@SQLITE_ONLY
def test_a_deleted_database_file_is_noticed_not_written_to(
    database_url: str, tmp_path: Path
) -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    _add(engine, "before", now)
    (tmp_path / "tracker.db").unlink()
    # A pooled connection still holds the deleted file: it must not take the write.
    with pytest.raises(EnvironmentFailure, match="removed or replaced"):
        _add(engine, "after", now)
    engine.dispose()  # and a new connection must not make an empty file in its place
    with pytest.raises(EnvironmentFailure, match="removed or replaced"):
        _add(engine, "after", now)
    assert not (tmp_path / "tracker.db").exists()


@SQLITE_ONLY
def test_a_replaced_database_file_is_noticed(
    database_url: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade_to_head(other)
    other.dispose()
    (tmp_path / "other.db").replace(tmp_path / "tracker.db")
    with pytest.raises(EnvironmentFailure, match="removed or replaced"):
        _add(engine, "into the new file", now)
    assert cli("list", "--json").json() == []  # what is there now is left as it was


@SQLITE_ONLY
def test_after_the_file_is_deleted_list_says_so(cli: Callable[..., Result], tmp_path: Path) -> None:
    """The report: the CLI made a fresh database and said "No all predictions."."""
    assert cli("add", "x", "--due", "2030").code == 0
    for name in ("tracker.db", "tracker.db-wal", "tracker.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    assert_one_line_error(cli("list", "--status", "all"), code=1, contains="does not exist")
    assert not (tmp_path / "tracker.db").exists()


def test_the_revision_commands_compare_with_is_alembics_head() -> None:
    """Commands check the schema against SCHEMA_REVISION without loading alembic; a new
    migration must move it too, or every command would migrate on every run."""
    from alembic.script import ScriptDirectory

    from tracker.persistence.db import SCHEMA_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_REVISION


@pytest.mark.parametrize(
    "command",
    [
        ("list",),
        ("show", "1"),
        ("status",),
        ("deliveries",),
        ("resolve", "1", "no"),
        ("add", "A claim", "--due", "2031-05"),
        ("forecast", "1", "40%", "--by", "Desk", "--at", "2025-01-10"),
    ],
)
def test_everyday_commands_load_no_migration_http_or_scheduler_code(
    seeded: Callable[..., Result], database_url: str, command: tuple[str, ...]
) -> None:
    """On an up-to-date database, a command people type all day imports only what it uses:
    alembic alone was a third of its start-up."""
    code = (
        "import sys; from tracker.cli import main; code = main(sys.argv[1:]); "
        "heavy = {'alembic', 'httpx', 'aiohttp', 'fastapi', 'apscheduler', 'matplotlib'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules})); sys.exit(code)"
    )
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", code, *command], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_version_is_reported_everywhere(seeded: Callable[..., Result], web: Web) -> None:
    from importlib.metadata import version

    installed = version("tracker")
    shown = seeded("--version")
    assert (shown.code, shown.out.strip()) == (0, f"tracker {installed}")
    assert seeded("status", "--json").json()["version"] == installed
    assert web.client.get("/api/v1/status").json()["version"] == installed
