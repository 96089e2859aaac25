"""delivery.digest: rows held for a digest route, and one digest message per period

A nullable column and a partial unique index (kind = 'digest'): both databases add them in
place, without rebuilding the table.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("delivery", sa.Column("digest", sa.String(length=60), nullable=True))
    op.create_index(
        "uq_delivery_digest",
        "delivery",
        ["channel", "digest"],
        unique=True,
        sqlite_where=sa.text("kind = 'digest'"),
        postgresql_where=sa.text("kind = 'digest'"),
    )


def downgrade() -> None:
    op.drop_index("uq_delivery_digest", table_name="delivery")
    op.drop_column("delivery", "digest")
