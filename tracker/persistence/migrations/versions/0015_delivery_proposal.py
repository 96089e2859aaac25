"""delivery.proposal_id: announcements of new proposals go through the delivery ledger

A proposal has no question, so delivery.prediction_id becomes nullable and a delivery may name
the proposal it announces instead (the first of those its message lists). A partial unique
index on (proposal_id, channel) for kind 'proposal' keeps a proposal to one announcement per
channel, whichever worker writes it; an index on proposal (status, announced_at) finds those
still to announce.

PostgreSQL changes the column in place. SQLite cannot drop a NOT NULL, so the table is rebuilt
(batch mode: a copy of every delivery row, about 6 s for 300,000 rows here); the digest's
partial index is dropped first and made again after, rather than trusting the rebuild to copy
its WHERE clause.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIGEST_WHERE = sa.text("kind = 'digest'")
PROPOSAL_WHERE = sa.text("kind = 'proposal'")


def upgrade() -> None:
    op.drop_index("uq_delivery_digest", table_name="delivery")
    with op.batch_alter_table("delivery") as batch:
        batch.alter_column("prediction_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_delivery_proposal_id_proposal", "proposal", ["proposal_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
    op.create_index("ix_delivery_proposal_id", "delivery", ["proposal_id"])
    _partial("uq_delivery_digest", ["channel", "digest"], DIGEST_WHERE)
    _partial("uq_delivery_proposal", ["proposal_id", "channel"], PROPOSAL_WHERE)
    op.create_index("ix_proposal_status_announced_at", "proposal", ["status", "announced_at"])


def _partial(name: str, columns: list[str], where: sa.TextClause) -> None:
    op.create_index(
        name, "delivery", columns, unique=True, sqlite_where=where, postgresql_where=where
    )


def downgrade() -> None:
    # Announcements have no question to keep them by: they go with the column.
    op.drop_index("ix_proposal_status_announced_at", table_name="proposal")
    op.execute("DELETE FROM delivery WHERE prediction_id IS NULL")
    op.drop_index("uq_delivery_proposal", table_name="delivery")
    op.drop_index("ix_delivery_proposal_id", table_name="delivery")
    op.drop_index("uq_delivery_digest", table_name="delivery")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint("fk_delivery_proposal_id_proposal", type_="foreignkey")
        batch.drop_column("proposal_id")
        batch.alter_column("prediction_id", existing_type=sa.Integer(), nullable=False)
    _partial("uq_delivery_digest", ["channel", "digest"], DIGEST_WHERE)
