"""PostgreSQL schemas at head, handed from one test to the next.

Making a schema's twenty tables and forty indexes and dropping them again cost 0.5 s a test,
and on a server without autovacuum (this machine's, and so CI's) the catalog rows each drop
leaves behind pile up, so that every later test's DDL and catalog reads get slower: the
PostgreSQL run took 25 minutes. So a schema, once its test is over, is emptied (its rows
deleted, its sequences restarted) and handed to the next test, unless the test changed its
shape or filled it: then it is dropped, and the next test gets a new one.

"Its shape" is the catalog's own description of every table, column, index, constraint,
trigger and function in it, and the migration it is at; a test that adds a column or drops
a trigger leaves a schema no later test gets. "Filled" is more than a few megabytes on disk:
deleted rows are not vacuumed away, and a big test's would slow the small ones after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa

FILLED_BYTES = 4 * 1024 * 1024  # over what a new schema takes

# Catalog rows that describe a schema, with its own name taken out so two schemas compare.
_SHAPE = """
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s),
rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN ns ON c.relnamespace = ns.oid),
items AS (
    SELECT 'r ' || relname || ' ' || relkind::text AS item FROM rels
    UNION ALL
    SELECT 'a ' || r.relname || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'i ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels r ON r.oid = i.indrelid
    UNION ALL
    SELECT 'k ' || conname || ' ' || pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN ns ON k.connamespace = ns.oid
    UNION ALL
    SELECT 't ' || tgname || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid
    WHERE NOT t.tgisinternal  -- a foreign key's, named after its own oid
    UNION ALL
    SELECT 'f ' || proname || ' ' || md5(prosrc) FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid
)
SELECT
    md5(replace(coalesce(string_agg(item, ',' ORDER BY item), ''), %(schema)s || '.', '')),
    (SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM rels WHERE relkind = 'r')
FROM items
"""

# A server without autovacuum keeps the catalog rows of every schema dropped before this run.
_CATALOGS = [
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_depend",
    "pg_type",
    "pg_constraint",
    "pg_index",
    "pg_trigger",
    "pg_proc",
    "pg_namespace",
    "pg_sequence",
    "pg_statistic",
]


class SchemaPool:
    """`url_of(schema)` is a URL that works in `schema`; `fill(url)` makes there what a
    migration to head makes."""

    def __init__(
        self, server_url: str, *, url_of: Callable[[str], str], fill: Callable[[str], None]
    ) -> None:
        self.admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.url_of = url_of
        self.fill = fill
        self.free: list[str] = []
        self.made = self.reused = 0
        self.shape: str | None = None
        self.new_size = 0
        self.head = ""
        self.tables: list[str] = []
        self.sequences: list[str] = []
        with self.admin.connect() as connection:
            # A non-owner is told "skipping" (a warning), which is as good.
            connection.exec_driver_sql("VACUUM " + ", ".join(f"pg_catalog.{c}" for c in _CATALOGS))

    def create(self) -> str:
        schema = f"test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        self.fill(self.url_of(schema))
        self.made += 1
        if self.shape is None:
            self._learn(schema)
        return schema

    def take(self) -> str | None:
        if not self.free:
            return None
        self.reused += 1
        return self.free.pop()

    def give_back(self, schema: str) -> None:
        try:
            reusable = self._emptied(schema)
        except sa.exc.DBAPIError:
            reusable = False  # a table the test dropped, say: a new schema is simpler
        if reusable:
            self.free.append(schema)
        else:
            self._drop(schema)

    def close(self) -> None:
        for schema in self.free:
            self._drop(schema)
        self.free.clear()
        self.admin.dispose()

    def _learn(self, schema: str) -> None:
        with self.admin.connect() as connection:
            self.shape, self.new_size = connection.exec_driver_sql(_SHAPE, {"schema": schema}).one()
            self.head = connection.exec_driver_sql(
                f'SELECT version_num FROM "{schema}".alembic_version'
            ).scalar_one()
            kinds = connection.exec_driver_sql(
                "SELECT relname, relkind FROM pg_class WHERE relnamespace = "
                "(SELECT oid FROM pg_namespace WHERE nspname = %(schema)s) "
                "AND relkind IN ('r', 'S') ORDER BY relname",
                {"schema": schema},
            ).all()
        self.tables = [name for name, kind in kinds if kind == "r" and name != "alembic_version"]
        self.sequences = [name for name, kind in kinds if kind == "S"]

    def _emptied(self, schema: str) -> bool:
        with self.admin.connect() as connection:
            shape, size = connection.exec_driver_sql(_SHAPE, {"schema": schema}).one()
            if shape != self.shape or size > self.new_size + FILLED_BYTES:
                return False
            versions = connection.exec_driver_sql(
                f'SELECT version_num FROM "{schema}".alembic_version'
            ).scalars()
            if list(versions) != [self.head]:
                return False
            # Replica mode: no foreign-key checks among the deletes, and the audit trail's
            # trigger, which refuses any delete, stays quiet.
            statements = ["BEGIN", "SET LOCAL session_replication_role = replica"]
            statements += [f'DELETE FROM "{schema}"."{table}"' for table in self.tables]
            statements += [
                f'SELECT setval(\'"{schema}"."{sequence}"\', 1, false)'
                for sequence in self.sequences
            ]
            # One round trip: the driver sends a text without parameters as it is.
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute(";\n".join([*statements, "COMMIT"]))
        return True

    def _drop(self, schema: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
