"""What every channel shares: the message going out, the result of one attempt, the protocol."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only a type here: commands that never send need not import httpx
    import httpx


class AttemptOutcome(enum.StrEnum):
    DELIVERED = "delivered"  # 2xx, or the console wrote it
    RETRY = "retry"  # 408, 425, 429, 5xx, timeouts, connection errors
    PERMANENT = "permanent"  # 3xx (not followed), other 4xx, Slack's permanent errors


@dataclass(frozen=True)
class OutgoingMessage:
    """One delivery's frozen content. The same webhook_id and body on every retry."""

    webhook_id: str  # "msg_..." - receivers deduplicate on it
    event_type: str  # "prediction.reminder", "prediction.resolved" or "tracker.test"
    occurred_at: dt.datetime  # aware UTC: when the event happened (the reminder's time)
    data: dict[str, Any]  # {"reminder": {...}, "prediction": {...}} as JSON-ready values


@dataclass(frozen=True)
class Attempt:
    """What one attempt to deliver produced; the outbox turns it into the ledger's next state."""

    outcome: AttemptOutcome
    status_code: int | None = None
    duration_ms: int = 0
    error: str | None = None  # short (<= 300 chars) and free of secrets
    retry_after: dt.timedelta | None = None  # from a Retry-After header, when there was one


class Channel(Protocol):
    name: str
    kind: str  # "webhook", "slack", "console", "discord", "teams", "ntfy" or "email"

    @property
    def rate_key(self) -> str | None:
        """Deliveries sharing a key are paced together (Slack: one a second per URL)."""

    def describe(self) -> str:
        """A one-line description with every secret masked, for `tracker channels`."""

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        """Make one attempt. Never raises for HTTP or network failures: they are Attempts."""
