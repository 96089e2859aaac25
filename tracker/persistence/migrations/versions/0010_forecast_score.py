"""forecast_score: each forecaster's scores on each question resolved yes or no

A summary of 3 million forecasts streamed every one through Python on every call (6-8 s idle
against a 5 s target). The scores of a resolved question change only when it is resolved,
reopened or re-resolved, gains a backdated forecast or has its deadline moved, and each of
those writes now rewrites the question's rows here (tracker.persistence.scores.rescore); the
summary aggregates these rows in SQL.

Plain CREATE TABLE (no batch copy). The backfill scores every question resolved yes or no,
a batch of questions at a time.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_score",
        sa.Column("prediction_id", sa.Integer(), nullable=False),
        sa.Column("forecaster", sa.String(length=200), nullable=False),
        sa.Column("held_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("brier", sa.Float(), nullable=False),
        sa.Column("log_loss_bits", sa.Float(), nullable=False),
        sa.Column("relative_brier", sa.Float(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("came_true", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("prediction_id", "forecaster"),
    )
    # The one exception to "a migration imports no tracker code": the scores are the domain's
    # arithmetic (tracker.domain.timeweighted), which must not be written out twice. Should a
    # later migration change the tables it reads, this backfill must be frozen here first.
    from tracker.persistence.scores import rescore_all

    rescore_all(op.get_bind())


def downgrade() -> None:
    op.drop_table("forecast_score")
