"""Each test's database starts at the latest migration without running the migrations again.

Migrating an empty database costs about 0.2 s on SQLite and 0.5 s on PostgreSQL, and nearly
every test needs one: the suite spent most of its time there, which kept CI over its budget.
So the first test of a run migrates a database for real, and every later test gets what that
produced: a copy of the file on SQLite; on PostgreSQL, the very statements the migrations sent
(with their parameters), replayed into a schema in one transaction, which later tests reuse
once it is emptied (tests/schema_pool.py).

The migrations themselves are still run from empty (tests marked `empty_database`, such as
the tests of `migrate` and of the commands that must not create a file) and from the previous
releases' databases (test_migrations.py).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.schema_pool import SchemaPool

# What the driver was asked to run, in order: (statement, parameters, executemany).
Statement = tuple[str, Any, bool]


@dataclass
class MigratedTemplate:
    """A database at head, made once per run, and the means to hand out copies of it."""

    workdir: Path
    sqlite_file: Path | None = None
    postgres_statements: list[Statement] = field(default_factory=list)
    schema_pool: SchemaPool | None = None
    last_pool: ClassVar[SchemaPool | None] = None  # for the run's summary

    def sqlite_copy(self, destination: Path) -> str:
        if self.sqlite_file is None:
            self.sqlite_file = self._migrate_sqlite()
        shutil.copyfile(self.sqlite_file, destination)
        return f"sqlite:///{destination}"

    def _migrate_sqlite(self) -> Path:
        from tracker.persistence.db import make_engine, upgrade_to_head

        file = self.workdir / "template.db"
        engine = make_engine(f"sqlite:///{file}")
        try:
            upgrade_to_head(engine)
        finally:
            engine.dispose()  # checkpoints the WAL into the file, so the file alone is whole
        return file

    def postgres_schema_at_head(self, server_url: str) -> Iterator[str]:
        """A schema at head with no rows, for one test (a generator, as postgres_schema)."""
        if not self.postgres_statements:
            self.postgres_statements = _record_postgres_migration(server_url)
        pool = self._pool(server_url)
        schema = pool.take() or pool.create()
        try:
            yield _schema_url(server_url, schema)
        finally:
            pool.give_back(schema)

    def _pool(self, server_url: str) -> SchemaPool:
        if self.schema_pool is None:
            statements = self.postgres_statements
            self.schema_pool = SchemaPool(
                server_url,
                url_of=lambda schema: _schema_url(server_url, schema),
                fill=lambda url: _replay(url, statements),
            )
            MigratedTemplate.last_pool = self.schema_pool
        return self.schema_pool

    def close(self) -> None:
        if self.schema_pool is not None:
            self.schema_pool.close()


def postgres_schema(server_url: str) -> Iterator[str]:
    """An empty schema of its own in the database of `server_url`, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield _schema_url(server_url, schema)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _schema_url(server_url: str, schema: str) -> str:
    # Commits that do not wait for the disk: the tests never crash the server, so they lose
    # nothing by it, and each commit costs a millisecond less.
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    url = make_url(server_url).update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


def _record_postgres_migration(server_url: str) -> list[Statement]:
    from tracker.persistence.db import make_engine, upgrade_to_head

    recorded: list[Statement] = []
    for url in postgres_schema(server_url):
        engine = make_engine(url)

        @sa.event.listens_for(engine, "before_cursor_execute")
        def record(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            recorded.append((statement, parameters, many))

        try:
            upgrade_to_head(engine)
        finally:
            engine.dispose()
        return _writes_only(recorded, _schema_of(url))
    raise AssertionError("postgres_schema yielded nothing")


def _schema_of(url: str) -> str:
    options = make_url(url).query["options"]
    assert isinstance(options, str)
    return options.split()[0].removeprefix("-csearch_path=")


def _writes_only(recorded: Sequence[Statement], schema: str) -> list[Statement]:
    """Reads change nothing, and pg_advisory_lock (a SELECT) must not be taken twice."""
    kept = [entry for entry in recorded if not entry[0].lstrip().upper().startswith("SELECT")]
    named = [statement for statement, _, _ in kept if schema in statement]
    if named:  # replayed elsewhere, such a statement would change the template's schema
        raise AssertionError(f"a migration names its schema, so it cannot be replayed: {named[0]}")
    return kept


def _replay(url: str, statements: Sequence[Statement]) -> None:
    engine = sa.create_engine(url)
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters, many in statements:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
            connection.commit()
        finally:
            connection.close()
    finally:
        engine.dispose()
