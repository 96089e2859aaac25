"""The database: migrations, aware UTC times, SQLite pragmas, and concurrent writers."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

from tests.conftest import TEST_DATABASE_URL, Result, assert_one_line_error
from tracker import service
from tracker.db import (
    current_revision,
    head_revision,
    make_engine,
    transaction,
    upgrade_to_head,
)
from tracker.deadlines import parse_due
from tracker.inputs import PredictionInput
from tracker.models import Outcome, Prediction


def test_migrations_build_the_models_from_an_empty_database(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) is True
    assert current_revision(engine) == head_revision()
    assert upgrade_to_head(engine) is False  # cheap second time: nothing to do
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_db_commands(cli: Callable[..., Result]) -> None:
    current = cli("db", "current")
    assert current.code == 0
    assert "empty" in current.out
    assert "run `tracker db upgrade`" in current.out
    upgraded = cli("db", "upgrade")
    assert "Upgraded" in upgraded.out
    assert f"{head_revision()} (latest)" in cli("db", "current").out
    assert "is at the latest migration" in cli("db", "upgrade").out


def test_every_command_upgrades_first(cli: Callable[..., Result]) -> None:
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
    due = parse_due("2025-02", dt.UTC)
    data = PredictionInput(key=f"k-{claim}", claim=claim, due=due, due_text="by February 2025")
    service.add_prediction(engine, data=data, now=now)


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
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def _writer(url: str, worker: int, rounds: int) -> None:
    engine = make_engine(url)
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    for index in range(rounds):
        claim = f"w{worker}-{index}"
        _add(engine, claim, now)
        # read, then write: the pattern that fails with "database is locked" when a
        # transaction starts deferred and another process writes in between
        service.resolve(engine, ref=f"k-{claim}", outcome=Outcome.YES, now=now, tz=dt.UTC)
        service.reopen(engine, ref=f"k-{claim}", now=now)


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


def test_unreachable_server_is_exit_1_and_hides_the_password(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql+psycopg://user:hunter2@127.0.0.1:1/none")
    result = cli("list")
    assert_one_line_error(result, code=1)
    assert "hunter2" not in result.err


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
