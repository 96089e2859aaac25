"""The PostgreSQL run hands a test's schema to the next one only when it is as new: emptied,
its sequences restarted, its shape and migration unchanged (tests/schema_pool.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL
from tests.database_template import MigratedTemplate, _replay, _schema_url
from tests.schema_pool import SchemaPool

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: a pool of schemas")


@pytest.fixture
def pool(migrated_template: MigratedTemplate) -> Iterator[SchemaPool]:
    for _ in migrated_template.postgres_schema_at_head(TEST_DATABASE_URL):
        break  # records the migration's statements, once a run
    statements = migrated_template.postgres_statements
    made = SchemaPool(
        TEST_DATABASE_URL,
        url_of=lambda s: _schema_url(TEST_DATABASE_URL, s),
        fill=lambda url: _replay(url, statements),
    )
    yield made
    made.close()


def _run(pool: SchemaPool, schema: str, *statements: str) -> list[object]:
    engine = sa.create_engine(pool.url_of(schema))
    try:
        with engine.begin() as connection:
            results = [connection.exec_driver_sql(s) for s in statements]
            return [r.scalar() if r.returns_rows else None for r in results]
    finally:
        engine.dispose()


def _exists(pool: SchemaPool, schema: str) -> bool:
    with pool.admin.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %(s)s", {"s": schema}
        )
        return bool(found.scalar_one())


def test_an_emptied_schema_is_handed_on_with_no_rows_and_its_ids_from_one(
    pool: SchemaPool,
) -> None:
    schema = pool.create()
    _run(
        pool,
        schema,
        "INSERT INTO app_user (name, name_key, created_at) "
        "VALUES ('a', 'a', now()), ('b', 'b', now())",
        "INSERT INTO audit_entry (at, actor, via, action) VALUES (now(), 'a', 'cli', 'add')",
    )
    pool.give_back(schema)
    assert pool.take() == schema
    counts = _run(pool, schema, "SELECT count(*) FROM app_user", "SELECT count(*) FROM audit_entry")
    assert counts == [0, 0]  # the audit trail's trigger refuses deletes, but not this one
    [new_id] = _run(
        pool,
        schema,
        "INSERT INTO app_user (name, name_key, created_at) VALUES ('c', 'c', now()) RETURNING id",
    )
    assert new_id == 1


def test_a_schema_made_later_is_as_new_as_the_first(pool: SchemaPool) -> None:
    """The shape leaves out what differs between two schemas made alike: their names, and
    the triggers PostgreSQL makes for foreign keys, which are named after their own oids."""
    first, second = pool.create(), pool.create()
    pool.give_back(second)
    pool.give_back(first)
    assert {pool.take(), pool.take()} == {first, second}


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE prediction ADD COLUMN extra integer",
        "DROP INDEX ix_prediction_forecaster",
        "DROP TRIGGER audit_entry_no_delete ON audit_entry",
        "ALTER TABLE delivery ALTER COLUMN kind DROP NOT NULL",
        "UPDATE alembic_version SET version_num = '0016'",
        "DROP TABLE evidence",
    ],
)
def test_a_schema_whose_shape_or_migration_changed_is_dropped(
    pool: SchemaPool, change: str
) -> None:
    schema = pool.create()
    _run(pool, schema, change)
    pool.give_back(schema)
    assert pool.take() is None
    assert not _exists(pool, schema)


def test_a_filled_schema_is_dropped(pool: SchemaPool) -> None:
    schema = pool.create()
    _run(
        pool,
        schema,
        "INSERT INTO service_state (name, value, updated_at) "
        "SELECT 'k' || n, repeat('x', 500), now() FROM generate_series(1, 20000) AS n",
    )
    pool.give_back(schema)
    assert pool.take() is None
    assert not _exists(pool, schema)
