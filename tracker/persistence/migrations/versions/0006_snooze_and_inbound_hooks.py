"""snoozed reminders and the log of inbound webhooks

prediction.snoozed_until holds a prediction's reminders back (a Slack "Snooze 7 days" click).
inbound_webhook remembers every webhook-id that POST /hooks/resolve accepted, so a replayed
request does nothing a second time.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prediction") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "inbound_webhook",
        sa.Column("webhook_id", sa.String(200), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "prediction_id",
            sa.Integer(),
            sa.ForeignKey("prediction.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("outcome", sa.String(16), nullable=True),
    )
    op.create_index("ix_inbound_webhook_received_at", "inbound_webhook", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_webhook_received_at", table_name="inbound_webhook")
    op.drop_table("inbound_webhook")
    with op.batch_alter_table("prediction") as batch:
        batch.drop_column("snoozed_until")
