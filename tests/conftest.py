"""Shared fixtures: every test gets its own working directory, environment and database.

The database is a real SQLite file in a temp dir; this is the one place that would choose
another database (TRACKER_TEST_DATABASE_URL) for the whole suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import freezegun
import pytest
import sqlalchemy as sa

import tracker.persistence.models  # noqa: F401 - define the tables before any test freezes time
from tests.database_template import MigratedTemplate, postgres_schema
from tests.sink import Sink, running_sink
from tracker.cli import main
from tracker.domain.people import Actor
from tracker.enums import AuditVia
from tracker.persistence.db import display_url

# And the API's request models: pydantic would otherwise meet freezegun's date class.
from tracker.web import api, hooks, page, slack  # noqa: F401

# Frozen time must not stop the event loop's and HTTP clients' own timers.
freezegun.configure(extend_ignore_list=["asyncio", "httpx", "httpcore", "anyio", "tests.sink"])

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
# Who a test's direct calls of the write use cases act as.
ACTOR = Actor(name="tester", via=AuditVia.CLI)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


TEST_DATABASE_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "").strip()


def pytest_report_header() -> list[str]:
    if TEST_DATABASE_URL:
        return [
            f"tracker database: {display_url(TEST_DATABASE_URL)} (a fresh schema per test; "
            "the tests marked no_database are left to the SQLite run)"
        ]
    return [
        "tracker database: SQLite files in temp dirs; the PostgreSQL runs are skipped "
        "(set TRACKER_TEST_DATABASE_URL=postgresql+psycopg://... to run them)"
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that needs no database gives the same answer on either, so the PostgreSQL run
    leaves it to the SQLite run: the two runs share CI's 15 minutes."""
    if not TEST_DATABASE_URL:
        return
    left = [item for item in items if item.get_closest_marker("no_database") is not None]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if item.get_closest_marker("no_database") is None]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    pool = MigratedTemplate.last_pool
    if pool is not None:
        terminalreporter.write_line(
            f"PostgreSQL schemas at head: {pool.made} made, {pool.reused} reused "
            "(a test that changes a schema's shape or fills it gets it dropped)"
        )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplate]:
    template = MigratedTemplate(workdir=tmp_path_factory.mktemp("template"))
    yield template
    template.close()


@pytest.fixture
def database_url(
    tmp_path: Path, migrated_template: MigratedTemplate, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A real database for one test, at the latest migration and with no rows: a SQLite file,
    or a schema of its own in the PostgreSQL database named by TRACKER_TEST_DATABASE_URL.

    Marked `empty_database`, a test gets one with no tables (and on SQLite, no file yet), for
    the tests of migrating and of the commands that must not create a database."""
    if request.node.get_closest_marker("no_database") is not None:
        # Any use of it fails ("... does not exist"), which keeps the marker honest.
        yield "sqlite:////a-test-marked-no_database-has-no-database/tracker.db"
        return
    empty = request.node.get_closest_marker("empty_database") is not None
    if not TEST_DATABASE_URL:
        file = tmp_path / "tracker.db"
        yield f"sqlite:///{file}" if empty else migrated_template.sqlite_copy(file)
    elif empty:
        yield from postgres_schema(TEST_DATABASE_URL)
    else:
        yield from migrated_template.postgres_schema_at_head(TEST_DATABASE_URL)


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """The test's database, migrated to the latest revision, for tests of the use cases."""
    from tracker.persistence.db import make_engine, upgrade_to_head

    made = make_engine(database_url)
    upgrade_to_head(made)
    yield made
    made.dispose()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def count_rows(url: str, table: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    for name in list(os.environ):
        if name.startswith("TRACKER_"):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.setenv("USER", "tester")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the real entry point in-process and capture what it printed."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code=code, out=captured.out, err=captured.err)

    return run


def shown_without_audit(cli: Callable[..., Result], ref: str) -> Any:
    """`show --json` without its "audit" list, which the API shows to admin tokens only."""
    shown = cli("show", ref, "--json").json()
    shown.pop("audit")
    return shown


@pytest.fixture
def seeded(cli: Callable[..., Result]) -> Callable[..., Result]:
    result = cli("seed", SEEDS)
    assert result.code == 0, result.err
    return cli


def assert_one_line_error(result: Result, code: int = 2, *, contains: str = "") -> None:
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("tracker: error: "), result.err
    assert "Traceback" not in result.err
    assert contains.lower() in lines[0].lower(), lines[0]


@pytest.fixture
def sink() -> Iterator[Sink]:
    yield from running_sink()


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment for a `tracker` subprocess: ours without TRACKER_*, then these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    return {**env, "TRACKER_DATABASE_URL": database_url, **extra}


def finish_all(processes: list[subprocess.Popen[str]], timeout: float) -> list[tuple[str, str]]:
    """Wait for every process; a test that fails or times out leaves none running."""
    try:
        return [process.communicate(timeout=timeout) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def start_checks(env: dict[str, str], count: int) -> list[subprocess.Popen[str]]:
    """`count` concurrent `tracker check` processes (finish them with finish_all)."""
    return [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "check"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def import_due_predictions(
    cli: Callable[..., Result], folder: Path, count: int, *, keys: bool = False
) -> None:
    """`count` open predictions, long past due (January 2025), imported in one go; with keys
    k00, k01, ... when `keys`."""
    header = "claim,due_at,precision" + (",key" if keys else "")
    lines = [
        f"Claim {n},2025-01-31T23:59:59.999999Z,month" + (f",k{n:02d}" if keys else "")
        for n in range(count)
    ]
    sheet = folder / "due.csv"
    sheet.write_text(header + "\n" + "\n".join(lines) + "\n")
    result = cli("import", sheet)
    assert result.code == 0, result.err


API_TOKEN = "test-token-0123456789abcdef"


@dataclass
class Web:
    """The ASGI app on the test's database, and a client that calls it in process."""

    client: Any  # fastapi.testclient.TestClient
    settings: Any  # tracker.config.Settings
    engine: Any  # sqlalchemy Engine

    def write_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def make_web(database_url: str) -> Iterator[Callable[..., Web]]:
    """make_web(**settings) -> Web; api_token defaults to API_TOKEN (pass api_token=None)."""
    from fastapi.testclient import TestClient

    from tracker.config import load_settings
    from tracker.persistence.db import make_engine, upgrade_to_head
    from tracker.web.app import create_app

    engines = []

    def make(**overrides: Any) -> Web:
        overrides.setdefault("api_token", API_TOKEN)
        settings = load_settings(database_url=database_url, **overrides)
        engine = make_engine(settings.database_url)
        upgrade_to_head(engine)
        engines.append(engine)
        client = TestClient(create_app(settings, engine), raise_server_exceptions=False)
        return Web(client=client, settings=settings, engine=engine)

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def web(make_web: Callable[..., Web]) -> Web:
    return make_web()


@contextlib.contextmanager
def live_server(web: Web) -> Iterator[str]:
    """The same app under a real uvicorn on a free port, in a thread; yields its base URL."""
    from tracker.web.server import HttpServer

    server = HttpServer(web.settings, web.engine, host="127.0.0.1", port=0)
    thread = server.start_in_thread()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test's uvicorn server did not start")
            time.sleep(0.02)
        yield server.url
    finally:
        server.stop()
        thread.join(timeout=10)
