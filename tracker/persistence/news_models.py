"""Tables for news coming in: the feeds watched, the articles read, and the forecasts found in
them waiting for a person to accept or reject (proposals)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.clock import utcnow
from tracker.persistence.columns import TABLE_CONFIG, UTCDateTime


class Feed(SQLModel, table=True):
    """An RSS or Atom feed polled every `every_seconds`. The validators (ETag, Last-Modified)
    make an unchanged feed cost one 304; `failures` spaces out polls of one that keeps failing."""

    model_config = TABLE_CONFIG

    __tablename__ = "feed"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100), unique=True)
    url: str = Field(sa_type=sa.String(2000), unique=True)
    title: str | None = Field(default=None, sa_type=sa.String(500))
    tags: str = Field(default="[]", sa_type=sa.Text)  # JSON list, given to what it proposes
    forecaster_default: str | None = Field(default=None, sa_type=sa.String(200))
    every_seconds: int
    auto_accept: bool = Field(default=False)
    # Resolve questions from evidence scored above AUTO_RESOLVE_THRESHOLD without a person.
    auto_resolve: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    etag: str | None = Field(default=None, sa_type=sa.String(500))
    last_modified: str | None = Field(default=None, sa_type=sa.String(100))
    # When the feed is next due; a worker polling it first moves this ahead (its claim).
    next_poll_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    last_polled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_result: str | None = Field(default=None, sa_type=sa.String(300))
    last_error: str | None = Field(default=None, sa_type=sa.String(300))
    failures: int = Field(default=0)  # in a row; reset by a success
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Article(SQLModel, table=True):
    """An article read once: its URL is unique, so no worker fetches it twice. What could not
    be read is kept too (status "failed", with the error), or it would be fetched again."""

    model_config = TABLE_CONFIG

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=sa.String(2000), unique=True)  # the link, or "feed-item:<key>"
    feed_id: int | None = Field(
        default=None, foreign_key="feed.id", ondelete="SET NULL", index=True
    )
    title: str | None = Field(default=None, sa_type=sa.String(500))
    author: str | None = Field(default=None, sa_type=sa.String(200))
    publisher: str | None = Field(default=None, sa_type=sa.String(200))
    published_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(sa_type=sa.String(16))  # read, failed
    error: str | None = Field(default=None, sa_type=sa.String(300))
    proposals: int = Field(default=0)  # forecasts found in it
    fetched_at: dt.datetime = Field(sa_type=UTCDateTime)


class Proposal(SQLModel, table=True):
    """A forecast found in an article, waiting for a person: accepting it stores a question
    (or, when it matches one, a source and forecast on that question); rejecting keeps why."""

    model_config = TABLE_CONFIG

    __tablename__ = "proposal"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "claim_hash", name="uq_proposal_claim"),
        # What each delivery pass asks for: the pending proposals not yet announced.
        sa.Index("ix_proposal_status_announced_at", "status", "announced_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int | None = Field(
        default=None, foreign_key="article.id", ondelete="SET NULL", index=True
    )
    status: str = Field(default="pending", sa_type=sa.String(16), index=True)
    claim: str = Field(sa_type=sa.Text)
    claim_hash: str = Field(sa_type=sa.String(64))  # of claim and deadline: one per article
    due_at: dt.datetime = Field(sa_type=UTCDateTime)
    forecaster: str | None = Field(default=None, sa_type=sa.String(200))
    probability: float | None = Field(default=None)
    # The found forecast as `tracker extract --json` prints it, with the feed's tags and source.
    record: str = Field(sa_type=sa.Text)
    match_prediction_id: int | None = Field(
        default=None, foreign_key="prediction.id", ondelete="SET NULL"
    )
    match_score: float | None = Field(default=None)
    prediction_id: int | None = Field(  # what accepting it stored or added to
        default=None, foreign_key="prediction.id", ondelete="SET NULL"
    )
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, sa_type=sa.String(200))
    reason: str | None = Field(default=None, sa_type=sa.Text)
    announced_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceRow(SQLModel, table=True):
    """A sentence of an article that reports how an open question ended, waiting for a person:
    accepting it resolves the question (outcome, occurred_on, the article as evidence URL, the
    quote as note); rejecting keeps why. One per (article, question)."""

    model_config = TABLE_CONFIG

    __tablename__ = "evidence"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "prediction_id", name="uq_evidence_article_question"),
        sa.Index("ix_evidence_status_announced_at", "status", "announced_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int | None = Field(
        default=None, foreign_key="article.id", ondelete="SET NULL", index=True
    )
    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE", index=True)
    status: str = Field(default="pending", sa_type=sa.String(16), index=True)
    outcome: str = Field(sa_type=sa.String(16))  # yes, no
    occurred_on: dt.date | None = Field(default=None)
    quote: str = Field(sa_type=sa.Text)
    score: float
    url: str | None = Field(default=None, sa_type=sa.String(2000))  # the article's address
    title: str | None = Field(default=None, sa_type=sa.String(500))
    published_on: dt.date
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, sa_type=sa.String(200))
    reason: str | None = Field(default=None, sa_type=sa.Text)
    announced_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
