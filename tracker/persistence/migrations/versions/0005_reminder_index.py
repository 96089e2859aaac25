"""index open predictions by next reminder time

A check reads "open predictions whose next reminder time has come". With separate indexes
SQLite picked the one on status and sorted every open prediction; one index on both makes the
check cost follow the due work.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_prediction_next_reminder_at", table_name="prediction")
    op.create_index(
        "ix_prediction_status_next_reminder_at", "prediction", ["status", "next_reminder_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_prediction_status_next_reminder_at", table_name="prediction")
    op.create_index("ix_prediction_next_reminder_at", "prediction", ["next_reminder_at"])
