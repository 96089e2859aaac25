"""each deadline keeps the time zone it was stated in

prediction.timezone holds the IANA name of the zone a deadline was read in. Until now every
deadline was read and shown in TRACKER_TIMEZONE, so existing rows get the zone configured when
this migration runs (handed over by tracker as the "timezone" attribute; UTC otherwise) -- or,
for a row entered while another zone was configured (its deadline is no period's end in this
one), the whole-hour offset zone (Etc/GMT-9 for UTC+9) in which it is one.

The column keeps that zone as its server default, so a process of the previous release still
running beside an upgraded one (several workers on PostgreSQL) can go on inserting rows.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from tracker.domain.deadlines import Precision, period_containing, stored_zone

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PREDICTION = sa.table(
    "prediction",
    sa.column("id", sa.Integer),
    sa.column("due_at", sa.DateTime),
    sa.column("precision", sa.String),
    sa.column("timezone", sa.String),
)


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
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_PREDICTION.c.id, _PREDICTION.c.due_at, _PREDICTION.c.precision).where(
            _PREDICTION.c.precision != Precision.INSTANT.value
        )
    )
    moved = [
        {"row_id": row_id, "zone": found}
        for row_id, due_at, precision in rows
        if (found := _zone_it_ends_in(due_at, precision, zone)) != zone
    ]
    if moved:
        connection.execute(
            _PREDICTION.update()
            .where(_PREDICTION.c.id == sa.bindparam("row_id"))
            .values(timezone=sa.bindparam("zone")),
            moved,
        )


def _zone_it_ends_in(due_at: dt.datetime, precision: str, configured: str) -> str:
    """`configured` when the deadline is the last instant of its period there; else the
    whole-hour offset zone where it is (its UTC time of day says which); else `configured`."""
    moment = due_at if due_at.tzinfo else due_at.replace(tzinfo=dt.UTC)
    for name in (configured, _offset_zone(moment)):
        if name is None:
            continue
        tz = stored_zone(name)
        try:
            end = period_containing(moment, Precision(precision), tz).end
            if end.astimezone(dt.UTC) == moment.astimezone(dt.UTC):
                return name
        except (ValueError, OverflowError):
            continue
    return configured


def _offset_zone(moment: dt.datetime) -> str | None:
    # A local period ends at 23:59:59.999999: the offset is what takes the UTC time there.
    local_end = dt.timedelta(hours=24) - dt.timedelta(microseconds=1)
    since_midnight = moment - moment.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (local_end - since_midnight) % dt.timedelta(hours=24)
    hours, rest = divmod(offset, dt.timedelta(hours=1))
    if rest:
        return None
    hours = hours - 24 if hours > 14 else hours  # UTC-10 is UTC+14 a day later
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def downgrade() -> None:
    op.drop_column("prediction", "timezone")  # SQLite 3.35+ drops a column in place
