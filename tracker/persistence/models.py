"""Tables and enums. Times are stored in UTC and always read back as aware datetimes.

A question (what users and the CLI call it) is a row of `prediction`: renaming the table would
rewrite every table that points at it. Its forecasts (who, what probability, when) are rows of
`forecast`; prediction.forecaster, probability and quote keep the forecast "as first stated"
for older readers, and the forecast table is what scores read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.clock import utcnow
from tracker.enums import DeliveryStatus, Outcome, PredictionStatus, ResolvedVia
from tracker.persistence.columns import TABLE_CONFIG, UTCDateTime
from tracker.persistence.news_models import Article, Feed, Proposal
from tracker.persistence.people_models import ApiToken, AppUser, AuditEntry, UserFollow

__all__ = [
    "ApiToken",
    "AppUser",
    "Article",
    "AuditEntry",
    "Delivery",
    "DeliveryStatus",
    "Feed",
    "Forecast",
    "ForecastScore",
    "InboundWebhook",
    "Outcome",
    "Prediction",
    "PredictionRecord",
    "PredictionSource",
    "PredictionStatus",
    "PredictionTag",
    "Proposal",
    "QuestionVersion",
    "Resolution",
    "ResolvedVia",
    "ServiceState",
    "Source",
    "UTCDateTime",
    "UserFollow",
]


class Source(SQLModel, table=True):
    model_config = TABLE_CONFIG

    __tablename__ = "source"

    id: int | None = Field(default=None, primary_key=True)
    url: str | None = Field(default=None, sa_type=sa.String(2000), unique=True)
    title: str | None = Field(default=None, sa_type=sa.String(500))
    publisher: str | None = Field(default=None, sa_type=sa.String(200))
    author: str | None = Field(default=None, sa_type=sa.String(200))
    published_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Prediction(SQLModel, table=True):
    model_config = TABLE_CONFIG

    __tablename__ = "prediction"
    __table_args__ = (
        sa.CheckConstraint(
            "probability IS NULL OR (probability >= 0 AND probability <= 1)",
            name="ck_prediction_probability",
        ),
        # Keyset pages in list order (due_at, id), with a status or without one.
        sa.Index("ix_prediction_status_due_at_id", "status", "due_at", "id"),
        sa.Index("ix_prediction_due_at_id", "due_at", "id"),
        # What a check reads: open predictions whose next reminder time has come.
        sa.Index("ix_prediction_status_next_reminder_at", "status", "next_reminder_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=sa.String(120), unique=True)
    claim: str = Field(sa_type=sa.Text)
    # How the question will be judged, in words; NULL when nobody said.
    criteria: str | None = Field(default=None, sa_type=sa.Text)
    # The forecast as first stated (the forecast table holds every one).
    quote: str | None = Field(default=None, sa_type=sa.Text)
    forecaster: str | None = Field(default=None, sa_type=sa.String(200), index=True)
    probability: float | None = Field(default=None)
    due_at: dt.datetime = Field(sa_type=UTCDateTime)
    window_start: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    precision: str = Field(sa_type=sa.String(16))
    # The IANA zone the deadline was stated in ("Asia/Tokyo"): its label and window are read
    # there, whatever TRACKER_TIMEZONE says today.
    timezone: str = Field(default="UTC", sa_type=sa.String(64))
    due_text: str = Field(sa_type=sa.String(200))
    status: str = Field(default=PredictionStatus.OPEN.value, sa_type=sa.String(16))
    source_id: int | None = Field(
        default=None, foreign_key="source.id", ondelete="SET NULL", index=True
    )
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the next reminder falls; NULL when none is left or the prediction is not open.
    # Indexed so that a check costs O(due predictions), not O(stored predictions).
    next_reminder_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Reminders are held back until then (a "Snooze 7 days" click); NULL when not snoozed.
    snoozed_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


# A partial index's predicate is a dialect option. Naming it here (postgresql_where=...) would
# import that dialect's package on every command, asyncio with it (80 ms): the predicates are
# attached when an engine for the dialect is made, which loads the dialect anyway.
_PARTIAL_INDEXES: list[tuple[sa.Index, str]] = []


def _partial_index(
    name: str, column: str | tuple[str, ...], where: str, unique: bool = False
) -> sa.Index:
    index = sa.Index(name, *((column,) if isinstance(column, str) else column), unique=unique)
    _PARTIAL_INDEXES.append((index, where))
    return index


def attach_partial_index_predicates(dialect_name: str) -> None:
    """Give the partial indexes their WHERE clause for this dialect (idempotent)."""
    if dialect_name not in ("sqlite", "postgresql"):
        return
    for index, where in _PARTIAL_INDEXES:
        index.dialect_options[dialect_name]["where"] = sa.text(where)


class PredictionTag(SQLModel, table=True):
    model_config = TABLE_CONFIG

    __tablename__ = "prediction_tag"

    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE", primary_key=True)
    tag: str = Field(sa_type=sa.String(100), primary_key=True, index=True)


class Forecast(SQLModel, table=True):
    """One forecaster's probability for a question, as of made_at. Never edited: a revision
    is a new row. Of one forecaster's forecasts, the latest by (made_at, id) made at or
    before a time is the one in force then."""

    model_config = TABLE_CONFIG

    __tablename__ = "forecast"
    __table_args__ = (
        sa.CheckConstraint("probability >= 0 AND probability <= 1", name="ck_forecast_probability"),
        sa.Index(
            "ix_forecast_prediction_forecaster_made_at",
            "prediction_id",
            "forecaster",
            "made_at",
            "id",
        ),
        # The order a summary reads every forecast of the scored questions in.
        sa.Index("ix_forecast_prediction_made_at", "prediction_id", "made_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE")
    forecaster: str = Field(sa_type=sa.String(200), index=True)
    probability: float
    made_at: dt.datetime = Field(sa_type=UTCDateTime)
    quote: str | None = Field(default=None, sa_type=sa.Text)
    source_id: int | None = Field(default=None, foreign_key="source.id", ondelete="SET NULL")
    note: str | None = Field(default=None, sa_type=sa.Text)
    basis: str | None = Field(default=None, sa_type=sa.String(500))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ForecastScore(SQLModel, table=True):
    """One forecaster's scores on a question whose current resolution is yes or no, as
    tracker.persistence.scores.rescore wrote them when the question's scores last changed
    (resolved, reopened, re-resolved, a forecast added or its deadline moved after it
    resolved): a summary aggregates these rows in SQL instead of scoring every forecast."""

    model_config = TABLE_CONFIG

    __tablename__ = "forecast_score"

    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE", primary_key=True)
    forecaster: str = Field(sa_type=sa.String(200), primary_key=True)
    held_from: dt.datetime = Field(sa_type=UTCDateTime)  # their first forecast that counts
    brier: float  # time-weighted
    log_loss_bits: float  # time-weighted
    relative_brier: float | None = None  # None: the only forecaster before the close
    probability: float  # in force at the close: what the plain scores score
    came_true: int  # o: 1 came true in its window, else 0 (an integer, so SQL can sum it)


class PredictionSource(SQLModel, table=True):
    """The sources a question cites, in order; prediction.source_id is the first of them."""

    model_config = TABLE_CONFIG

    __tablename__ = "prediction_source"

    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE", primary_key=True)
    source_id: int = Field(
        foreign_key="source.id", ondelete="CASCADE", primary_key=True, index=True
    )
    position: int


class QuestionVersion(SQLModel, table=True):
    """A question as it was before an edit (version 1 is the original); the prediction row
    is the current state."""

    model_config = TABLE_CONFIG

    __tablename__ = "question_version"
    __table_args__ = (sa.UniqueConstraint("prediction_id", "version", name="uq_question_version"),)

    id: int | None = Field(default=None, primary_key=True)
    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE")
    version: int
    changed_at: dt.datetime = Field(sa_type=UTCDateTime)
    note: str = Field(sa_type=sa.Text)  # why it was edited
    # JSON of the fields as they were: claim, criteria, due_at, window_start, precision,
    # due_text, tz, tags (sorted).
    snapshot: str = Field(sa_type=sa.Text)


class Resolution(SQLModel, table=True):
    """How a prediction resolved. Reopening supersedes a resolution; it is never deleted."""

    model_config = TABLE_CONFIG

    __tablename__ = "resolution"
    __table_args__ = (
        # At most one current (not superseded) resolution per prediction.
        _partial_index("ux_resolution_current", "prediction_id", "superseded_at IS NULL", True),
        # Only the few resolutions whose events are still to be queued: a pass finds them fast.
        _partial_index("ix_resolution_events_to_queue", "id", "events_queued_at IS NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE", index=True)
    outcome: str = Field(sa_type=sa.String(16))
    resolved_at: dt.datetime = Field(sa_type=UTCDateTime)
    occurred_on: dt.date | None = Field(default=None)
    # "yes" and, when occurred_on is known, inside the window: what the scores count as a hit.
    came_true: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    note: str | None = Field(default=None, sa_type=sa.Text)
    evidence_url: str | None = Field(default=None, sa_type=sa.String(2000))
    resolved_by: str | None = Field(default=None, sa_type=sa.String(200))
    via: str = Field(default=ResolvedVia.CLI.value, sa_type=sa.String(16))
    superseded_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    superseded_note: str | None = Field(default=None, sa_type=sa.Text)
    # NULL until the service has queued this resolution's event for each of its channels: the
    # resolving shell need not know the service's channels, and the intent is never lost.
    events_queued_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """Outbox and delivery log in one: one row per (prediction, reminder, deadline, channel).

    The row is committed before any HTTP call, so a reminder is never lost, and the unique key
    means it can never be queued twice.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        sa.UniqueConstraint(
            "prediction_id", "reminder", "due_at", "channel", name="uq_delivery_reminder"
        ),
        sa.Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        # One digest message per (channel, route and period), whichever worker sends it.
        _partial_index("uq_delivery_digest", ("channel", "digest"), "kind = 'digest'", True),
        # One announcement of a proposal per channel (proposal_id: the first its message lists).
        _partial_index(
            "uq_delivery_proposal", ("proposal_id", "channel"), "kind = 'proposal'", True
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None for an announcement of proposals, which have no question yet (proposal_id instead).
    prediction_id: int | None = Field(
        default=None, foreign_key="prediction.id", ondelete="CASCADE", index=True
    )
    proposal_id: int | None = Field(
        default=None, foreign_key="proposal.id", ondelete="CASCADE", index=True
    )
    reminder: str = Field(sa_type=sa.String(40))  # "upcoming-7d", "due", "overdue-2", ...
    kind: str = Field(sa_type=sa.String(16))  # upcoming, due, overdue, resolved, proposal, ...
    due_at: dt.datetime = Field(sa_type=UTCDateTime)  # the deadline the reminder was for
    channel: str = Field(sa_type=sa.String(100))
    webhook_id: str = Field(sa_type=sa.String(64), unique=True)
    event_type: str = Field(sa_type=sa.String(40))
    payload: str = Field(sa_type=sa.Text)  # frozen JSON of the message's data
    scheduled_for: dt.datetime = Field(sa_type=UTCDateTime)  # when the reminder fell due
    status: str = Field(default=DeliveryStatus.PENDING.value, sa_type=sa.String(16))
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, sa_type=sa.String(200))
    lease_expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_duration_ms: int | None = Field(default=None)
    last_error: str | None = Field(default=None, sa_type=sa.String(300))
    last_attempt_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # "<route number>/<period key>": a row held for that digest (next_attempt_at is the
    # period's end), or the digest message itself (kind "digest").
    digest: str | None = Field(default=None, sa_type=sa.String(60))


class InboundWebhook(SQLModel, table=True):
    """A signed request that was acted on ("hook:" + its webhook-id, or "slack:" + a hash of
    its signature): the same request again does nothing. Kept a day, far past the five minutes
    in which a signature is accepted."""

    model_config = TABLE_CONFIG

    __tablename__ = "inbound_webhook"

    webhook_id: str = Field(sa_type=sa.String(200), primary_key=True)
    received_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    prediction_id: int | None = Field(
        default=None, foreign_key="prediction.id", ondelete="SET NULL"
    )
    outcome: str | None = Field(default=None, sa_type=sa.String(16))


class ServiceState(SQLModel, table=True):
    """Small facts the service keeps between runs, such as the reminder policy it last used."""

    model_config = TABLE_CONFIG

    __tablename__ = "service_state"

    name: str = Field(sa_type=sa.String(100), primary_key=True)
    value: str = Field(sa_type=sa.Text)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass
class PredictionRecord:
    """A prediction with what hangs off it, loaded in bulk by the store."""

    prediction: Prediction
    source: Source | None = None
    tags: list[str] = field(default_factory=list)
    resolution: Resolution | None = None  # the current one
    history: list[Resolution] | None = None  # every resolution, oldest first, when loaded
    forecasts: list[Forecast] = field(default_factory=list)  # every one, by (made_at, id)
    sources: list[Source] = field(default_factory=list)  # every source cited, in order
    versions: list[QuestionVersion] = field(default_factory=list)  # earlier states, oldest first
