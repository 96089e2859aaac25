"""each deadline keeps the time zone it was stated in

prediction.timezone holds the IANA name of the zone a deadline was read in. Until now every
deadline was read and shown in TRACKER_TIMEZONE, so existing rows get the zone configured when
this migration runs (handed over by tracker as the "timezone" attribute; UTC otherwise).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    zone = context.config.attributes.get("timezone") or "UTC"
    if not re.fullmatch(r"[A-Za-z0-9/_+-]{1,64}", zone):  # it is written into the DDL below
        raise ValueError(f"not a time zone name: {zone!r}")
    # One ADD COLUMN with a default fills every row at once. No batch table copy on SQLite: with
    # foreign keys on, dropping the old prediction table would cascade to its resolutions,
    # tags and deliveries.
    op.add_column(
        "prediction",
        sa.Column("timezone", sa.String(64), nullable=False, server_default=sa.text(f"'{zone}'")),
    )
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot drop a default in place
        op.alter_column("prediction", "timezone", server_default=None)


def downgrade() -> None:
    op.drop_column("prediction", "timezone")  # SQLite 3.35+ drops a column in place
