"""Where benchmarks run: a SQLite file, and a fresh PostgreSQL schema when reachable."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker.bootstrap import open_database
from tracker.config import load_settings


@dataclass
class Database:
    label: str
    folder: Path
    new_url: Callable[[], str]  # a fresh, empty, migrated database
    # Called after each case: drops what it made, so that the next case does not share the
    # machine with the server's background work on a million rows nobody reads any more.
    discard: Callable[[], None]

    def fresh(self) -> tuple[str, sa.Engine]:
        url = self.new_url()
        return url, open_database(load_settings(database_url=url), create=True)


def databases(folder: Path, postgres_url: str) -> Iterator[Database]:
    counter = iter(range(1_000_000))

    def discard_files() -> None:
        for path in folder.glob("bench-*.db*"):
            path.unlink()

    yield Database(
        "sqlite", folder, lambda: f"sqlite:///{folder / f'bench-{next(counter)}.db'}", discard_files
    )
    try:
        probe = sa.create_engine(postgres_url)
        probe.connect().close()
    except Exception as exc:  # any failure means "not here"
        print(f"(PostgreSQL skipped: {type(exc).__name__})")
        return
    with _schemas(postgres_url) as (new_schema, drop_schemas):
        yield Database("postgresql", folder, new_schema, drop_schemas)


@contextlib.contextmanager
def _schemas(server_url: str) -> Iterator[tuple[Callable[[], str], Callable[[], None]]]:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new_schema() -> str:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        made.append(schema)
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop_schemas() -> None:
        with admin.connect() as connection:
            while made:
                connection.exec_driver_sql(f'DROP SCHEMA "{made.pop()}" CASCADE')
            # Write the dropped rows' pages out now, not during the next case. (Refused to
            # all but superusers and pg_checkpoint; then the next case may share the disk.)
            with contextlib.suppress(sa.exc.DBAPIError):
                connection.exec_driver_sql("CHECKPOINT")

    try:
        yield new_schema, drop_schemas
    finally:
        drop_schemas()
        admin.dispose()
