"""user_follow: users follow tags or questions

A row per (user, target), target "tag:<tag>" or "question:<id>". Plain CREATE TABLE only.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=True),
        sa.Column("prediction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "target", name="uq_user_follow_target"),
    )
    op.create_index("ix_user_follow_tag", "user_follow", ["tag"])
    op.create_index("ix_user_follow_prediction_id", "user_follow", ["prediction_id"])


def downgrade() -> None:
    op.drop_table("user_follow")
