"""Where benchmarks run: a SQLite file, and a fresh PostgreSQL schema when reachable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker.db import make_engine, upgrade_to_head


@dataclass
class Database:
    label: str
    folder: Path
    new_url: object  # () -> str: a fresh, empty, migrated database

    def fresh(self) -> tuple[str, sa.Engine]:
        url = self.new_url()  # type: ignore[operator]
        engine = make_engine(url)
        upgrade_to_head(engine)
        return url, engine


def databases(folder: Path, postgres_url: str) -> Iterator[Database]:
    counter = iter(range(1_000_000))
    yield Database("sqlite", folder, lambda: f"sqlite:///{folder / f'bench-{next(counter)}.db'}")
    try:
        probe = sa.create_engine(postgres_url)
        probe.connect().close()
    except Exception as exc:  # any failure means "not here"
        print(f"(PostgreSQL skipped: {type(exc).__name__})")
        return
    with _schemas(postgres_url) as new_schema:
        yield Database("postgresql", folder, new_schema)


@contextmanager
def _schemas(server_url: str) -> Iterator[object]:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new_schema() -> str:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        made.append(schema)
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    try:
        yield new_schema
    finally:
        with admin.connect() as connection:
            for schema in made:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
