"""core tables: source, prediction, tags, resolution

Revision ID: 0001
Revises:
Create Date: 2026-11-25 04:55:17.339639
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Alembic generated these commands as one function; they are split per table, unchanged
    # and in the same order, so that no function runs past a screen.
    _create_source()
    _create_prediction()
    _create_prediction_tag()
    _create_resolution()


def _create_source() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )


def _create_prediction() -> None:
    op.create_table(
        "prediction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("forecaster", sa.String(length=200), nullable=True),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("precision", sa.String(length=16), nullable=False),
        sa.Column("due_text", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "probability IS NULL OR (probability >= 0 AND probability <= 1)",
            name="ck_prediction_probability",
        ),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("prediction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prediction_forecaster"), ["forecaster"], unique=False)
        batch_op.create_index(batch_op.f("ix_prediction_source_id"), ["source_id"], unique=False)
        batch_op.create_index("ix_prediction_status_due_at", ["status", "due_at"], unique=False)


def _create_prediction_tag() -> None:
    op.create_table(
        "prediction_tag",
        sa.Column("prediction_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("prediction_id", "tag"),
    )
    with op.batch_alter_table("prediction_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prediction_tag_tag"), ["tag"], unique=False)


def _create_resolution() -> None:
    op.create_table(
        "resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prediction_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resolution_prediction_id"), ["prediction_id"], unique=False
        )
        batch_op.create_index(
            "ux_resolution_current",
            ["prediction_id"],
            unique=True,
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        )


def downgrade() -> None:
    # ### commands auto generated by Alembic ###
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_resolution_current",
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_resolution_prediction_id"))

    op.drop_table("resolution")
    with op.batch_alter_table("prediction_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prediction_tag_tag"))

    op.drop_table("prediction_tag")
    with op.batch_alter_table("prediction", schema=None) as batch_op:
        batch_op.drop_index("ix_prediction_status_due_at")
        batch_op.drop_index(batch_op.f("ix_prediction_source_id"))
        batch_op.drop_index(batch_op.f("ix_prediction_forecaster"))

    op.drop_table("prediction")
    op.drop_table("source")
    # ### end Alembic commands ###
