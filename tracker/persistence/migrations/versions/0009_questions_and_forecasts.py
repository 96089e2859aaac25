"""questions and forecasts: criteria, several forecasts and sources per question, versions

A prediction row is now a question: prediction.criteria says how it will be judged. Forecasts
(who, what probability, when) move to a table of their own, where a revision is a new row;
prediction_source lets a question cite several sources; question_version keeps each edit's
earlier state.

Each existing prediction with a probability gets one forecast (by its forecaster, else by
"unnamed": the release before scored such a probability, and still does), made when its
source was published, else when the prediction was stored; each one with a source gets its
prediction_source row. prediction.forecaster, probability and quote stay as they were ("as
first stated"), so a prediction with a forecaster but no probability loses nothing.

Plain ADD COLUMN and CREATE TABLE only: on SQLite a batch copy of prediction, with foreign
keys on, would cascade deletes to its tags, resolutions and deliveries. The backfill is one
INSERT ... SELECT per table, fast for a million rows.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("prediction", sa.Column("criteria", sa.Text(), nullable=True))
    _create_forecast()
    _create_prediction_source()
    _create_question_version()
    _backfill()


def _create_forecast() -> None:
    op.create_table(
        "forecast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prediction_id", sa.Integer(), nullable=False),
        sa.Column("forecaster", sa.String(length=200), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("basis", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("probability >= 0 AND probability <= 1", name="ck_forecast_probability"),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_forecast_prediction_forecaster_made_at",
        "forecast",
        ["prediction_id", "forecaster", "made_at", "id"],
    )
    op.create_index("ix_forecast_forecaster", "forecast", ["forecaster"])
    # The order a summary reads every forecast of the scored questions in, one question at a time.
    op.create_index(
        "ix_forecast_prediction_made_at", "forecast", ["prediction_id", "made_at", "id"]
    )


def _create_prediction_source() -> None:
    op.create_table(
        "prediction_source",
        sa.Column("prediction_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("prediction_id", "source_id"),
    )
    op.create_index("ix_prediction_source_source_id", "prediction_source", ["source_id"])


def _create_question_version() -> None:
    op.create_table(
        "question_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prediction_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["prediction_id"], ["prediction.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prediction_id", "version", name="uq_question_version"),
    )


# Written out, not imported: a migration must not change when the code it ran with does.
UNNAMED_FORECASTER = "unnamed"


def _backfill() -> None:
    # Lightweight tables: the migration must not follow the models as they change later.
    prediction = sa.table(
        "prediction",
        *map(sa.column, ("id", "forecaster", "probability", "quote", "source_id", "created_at")),
    )
    source = sa.table("source", sa.column("id"), sa.column("published_at"))
    forecast = sa.table(
        "forecast",
        *map(sa.column, ("prediction_id", "forecaster", "probability", "made_at", "quote",
                         "source_id", "created_at")),
    )  # fmt: skip
    cited = sa.table(
        "prediction_source", *map(sa.column, ("prediction_id", "source_id", "position"))
    )
    stated = (
        sa.select(
            prediction.c.id,
            sa.func.coalesce(prediction.c.forecaster, sa.literal(UNNAMED_FORECASTER)),
            prediction.c.probability,
            sa.func.coalesce(source.c.published_at, prediction.c.created_at),
            prediction.c.quote,
            prediction.c.source_id,
            prediction.c.created_at,
        )
        .select_from(prediction.outerjoin(source, source.c.id == prediction.c.source_id))
        .where(prediction.c.probability.is_not(None))
        .order_by(prediction.c.id)
    )
    op.execute(forecast.insert().from_select(list(forecast.c.keys()), stated))
    sourced = sa.select(prediction.c.id, prediction.c.source_id, sa.literal(0)).where(
        prediction.c.source_id.is_not(None)
    )
    op.execute(cited.insert().from_select(list(cited.c.keys()), sourced))


def downgrade() -> None:
    op.drop_table("question_version")
    op.drop_index("ix_prediction_source_source_id", table_name="prediction_source")
    op.drop_table("prediction_source")
    op.drop_index("ix_forecast_prediction_made_at", table_name="forecast")
    op.drop_index("ix_forecast_forecaster", table_name="forecast")
    op.drop_index("ix_forecast_prediction_forecaster_made_at", table_name="forecast")
    op.drop_table("forecast")
    op.drop_column("prediction", "criteria")  # SQLite 3.35+ drops a column in place
