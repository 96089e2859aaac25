"""search over claims and criteria, and indexes for keyset pages in list order

SQLite: an FTS5 table over prediction's claim and criteria (external content: it stores the
index only), filled from the rows already there and kept in step by triggers. PostgreSQL: a
GIN index on the tsvector of the same text (tracker.persistence.search.PG_DOCUMENT, which a
query must repeat word for word). Both: (status, due_at, id) and (due_at, id) indexes, so that
a page of any list of predictions is read from an index, never sorted.

Revision ID: 0016 (kept in REVISION below and nowhere else in this file)
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

REVISION = "0016"
revision: str = REVISION
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration keeps the text it shipped with.
PG_DOCUMENT = "to_tsvector('simple', claim || ' ' || coalesce(criteria, ''))"

SQLITE_UP = [
    # remove_diacritics 0: accents count, as they do in PostgreSQL's `simple` configuration.
    "CREATE VIRTUAL TABLE prediction_fts USING fts5(claim, criteria, content='prediction', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0\")",
    "INSERT INTO prediction_fts(rowid, claim, criteria) SELECT id, claim, criteria FROM prediction",
    "CREATE TRIGGER prediction_fts_insert AFTER INSERT ON prediction BEGIN "
    "INSERT INTO prediction_fts(rowid, claim, criteria) "
    "VALUES (new.id, new.claim, new.criteria); END",
    "CREATE TRIGGER prediction_fts_delete AFTER DELETE ON prediction BEGIN "
    "INSERT INTO prediction_fts(prediction_fts, rowid, claim, criteria) "
    "VALUES ('delete', old.id, old.claim, old.criteria); END",
    # Only when the text changes: a reminder pass updates many rows and no words.
    "CREATE TRIGGER prediction_fts_update AFTER UPDATE OF claim, criteria ON prediction BEGIN "
    "INSERT INTO prediction_fts(prediction_fts, rowid, claim, criteria) "
    "VALUES ('delete', old.id, old.claim, old.criteria); "
    "INSERT INTO prediction_fts(rowid, claim, criteria) "
    "VALUES (new.id, new.claim, new.criteria); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER prediction_fts_update",
    "DROP TRIGGER prediction_fts_delete",
    "DROP TRIGGER prediction_fts_insert",
    "DROP TABLE prediction_fts",
]


def upgrade() -> None:
    op.drop_index("ix_prediction_status_due_at", table_name="prediction")
    op.create_index("ix_prediction_status_due_at_id", "prediction", ["status", "due_at", "id"])
    op.create_index("ix_prediction_due_at_id", "prediction", ["due_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_prediction_search ON prediction USING gin ({PG_DOCUMENT})")
    else:
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_prediction_search")
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_prediction_due_at_id", table_name="prediction")
    op.drop_index("ix_prediction_status_due_at_id", table_name="prediction")
    op.create_index("ix_prediction_status_due_at", "prediction", ["status", "due_at"])
