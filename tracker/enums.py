"""Enums shared by the tables and the command line; no SQLAlchemy here, so the CLI can
import them without slowing `tracker --help`."""

from __future__ import annotations

import enum


class PredictionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ANNULLED = "annulled"


class Outcome(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ANNULLED = "annulled"


class ResolvedVia(enum.StrEnum):
    CLI = "cli"
    API = "api"
    SLACK = "slack"
    WEBHOOK = "webhook"
    IMPORT = "import"
    NEWS = "news"  # evidence from an article, accepted by a person (or a feed's auto-resolve)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # queued, waiting for its first attempt
    SENDING = "sending"  # claimed by a worker until lease_expires_at
    DELIVERED = "delivered"
    RETRYING = "retrying"  # failed, next attempt at next_attempt_at
    DEAD = "dead"  # permanent failure, or out of attempts
    SKIPPED = "skipped"  # superseded by a later reminder before it was sent
    CANCELLED = "cancelled"  # the prediction was resolved first
    HELD = "held"  # kept for a digest route's next message (column digest); never claimed


class ListStatus(enum.StrEnum):
    OPEN = "open"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    ANNULLED = "annulled"
    ALL = "all"


class ExportFormat(enum.StrEnum):
    JSON = "json"
    CSV = "csv"


class ReminderKind(enum.StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"


REMINDER_KINDS = tuple(kind.value for kind in ReminderKind)
# "Update your forecast?": not a deadline reminder (it never supersedes one, nor is superseded),
# but like them sent only while its question is open.
STALE_FORECAST = "stale-forecast"
OPEN_ONLY_KINDS = (*REMINDER_KINDS, STALE_FORECAST)


class GroupBy(enum.StrEnum):
    """What `tracker summary --by` breaks the scores down by."""

    forecaster = "forecaster"
    source = "source"
    tag = "tag"
    horizon = "horizon"  # how long before the deadline each forecast was made


class Scope(enum.StrEnum):
    """What a token may do. Each scope allows everything the ones before it allow."""

    READ = "read"  # the API's GET routes
    FORECAST = "forecast"  # add questions and forecasts
    RESOLVE = "resolve"  # resolve, reopen, edit, snooze
    ADMIN = "admin"  # users, tokens, the audit trail, channels; act for anyone

    @property
    def rank(self) -> int:
        return list(Scope).index(self)

    def allows(self, needed: Scope) -> bool:
        return self.rank >= needed.rank


class AuditVia(enum.StrEnum):
    """Where a change came from, as the audit trail records it."""

    CLI = "cli"
    API = "api"
    SLACK = "slack"
    WEBHOOK = "webhook"
    IMPORT = "import"
    SEED = "seed"
    FEED = "feed"  # a feed polled by `tracker run` (auto-accepted proposals)
