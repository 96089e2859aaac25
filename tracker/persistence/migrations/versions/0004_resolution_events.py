"""resolution events and service state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:54:33.676286
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_state",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.add_column(sa.Column("events_queued_at", sa.DateTime(timezone=True)))
    # Resolutions made before this migration had their events queued when they were made.
    resolution = sa.table("resolution", sa.column("resolved_at"), sa.column("events_queued_at"))
    op.execute(resolution.update().values(events_queued_at=resolution.c.resolved_at))
    op.create_index(
        "ix_resolution_events_to_queue",
        "resolution",
        ["id"],
        sqlite_where=sa.text("events_queued_at IS NULL"),
        postgresql_where=sa.text("events_queued_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_resolution_events_to_queue", table_name="resolution")
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.drop_column("events_queued_at")
    op.drop_table("service_state")
