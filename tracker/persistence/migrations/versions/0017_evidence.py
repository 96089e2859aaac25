"""evidence: sentences of articles that report how open questions ended; feed.auto_resolve

A table of its own rather than proposals of another kind: a proposal is a forecast to store
(claim, deadline, forecaster, probability), evidence is an outcome for a stored question
(question, outcome, day, quote, score); they share only the article and the decision columns.
One row per (article, question). feed.auto_resolve lets a feed resolve on strong evidence.

Revision ID: 0017 (kept in REVISION below and nowhere else in this file)
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

REVISION = "0017"
revision: str = REVISION
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "article_id", sa.Integer(), sa.ForeignKey("article.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "prediction_id", sa.Integer(),
            sa.ForeignKey("prediction.id", ondelete="CASCADE"), nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("announced_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("article_id", "prediction_id", name="uq_evidence_article_question"),
    )  # fmt: skip
    op.create_index("ix_evidence_article_id", "evidence", ["article_id"])
    op.create_index("ix_evidence_prediction_id", "evidence", ["prediction_id"])
    op.create_index("ix_evidence_status", "evidence", ["status"])
    op.create_index("ix_evidence_status_announced_at", "evidence", ["status", "announced_at"])
    op.add_column(
        "feed", sa.Column("auto_resolve", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    with op.batch_alter_table("feed") as batch:
        batch.drop_column("auto_resolve")
    op.drop_table("evidence")
