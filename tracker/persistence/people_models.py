"""Tables for people: users, their tokens, and the audit trail of every change.

The audit trail is append-only: no code path updates or deletes its rows
(tests/test_audit.py reads the package to make sure), and the database refuses it too
(migration 0011's triggers).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.clock import utcnow
from tracker.persistence.columns import TABLE_CONFIG, UTCDateTime


class AppUser(SQLModel, table=True):
    """A person (or a bot) who forecasts, resolves or administers. Never deleted: disabled,
    so that what they did keeps a name."""

    model_config = TABLE_CONFIG

    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200))
    # The name case-folded in Python (SQLite's lower() folds ASCII alone): what makes two
    # names the same user, unique, so two people racing to add "Alice" and "alice" cannot both win.
    name_key: str = Field(sa_type=sa.String(200), unique=True)
    email: str | None = Field(default=None, sa_type=sa.String(320))
    slack_user_id: str | None = Field(default=None, sa_type=sa.String(64), unique=True)
    # The forecaster name this user's forecasts carry; NULL: their own name.
    forecaster: str | None = Field(default=None, sa_type=sa.String(200))
    disabled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token: only its SHA-256 is kept, and its first characters to recognise it by."""

    model_config = TABLE_CONFIG

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    prefix: str = Field(sa_type=sa.String(16), index=True)
    scope: str = Field(sa_type=sa.String(16))
    note: str | None = Field(default=None, sa_type=sa.String(200))
    expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """One change: when, who, through what, what, and the values before and after (JSON).

    prediction_id is a plain column, not a foreign key: a key would have the database change
    or delete these rows when a question went."""

    model_config = TABLE_CONFIG

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_prediction_id_id", "prediction_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(sa_type=sa.String(200), index=True)
    user_id: int | None = Field(default=None)
    via: str = Field(sa_type=sa.String(16))
    action: str = Field(sa_type=sa.String(40))
    prediction_id: int | None = Field(default=None)
    subject: str | None = Field(default=None, sa_type=sa.String(200))  # a key, a user, a token
    before: str | None = Field(default=None, sa_type=sa.Text)
    after: str | None = Field(default=None, sa_type=sa.Text)


class UserFollow(SQLModel, table=True):
    """A user follows a tag or a question: its reminders reach them too (by email, once the
    email channel is wired). `target` is "tag:<tag>" or "question:<id>", unique per user."""

    model_config = TABLE_CONFIG

    __tablename__ = "user_follow"
    __table_args__ = (sa.UniqueConstraint("user_id", "target", name="uq_user_follow_target"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    target: str = Field(sa_type=sa.String(120))
    tag: str | None = Field(default=None, sa_type=sa.String(100), index=True)
    prediction_id: int | None = Field(default=None, foreign_key="prediction.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
