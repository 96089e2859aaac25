"""The memory of signed requests (webhooks, Slack clicks) already applied, so that a request
sent again changes nothing. Written in the transaction that applies the request."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.persistence.models import InboundWebhook


def forget_requests(session: Session, *, before: dt.datetime) -> None:
    """Forget signed requests received before `before` (too old to be accepted again)."""
    session.execute(sa.delete(InboundWebhook).where(col(InboundWebhook.received_at) < before))


def was_seen(session: Session, *, request_id: str) -> bool:
    return session.get(InboundWebhook, request_id) is not None


def remember(
    session: Session,
    *,
    request_id: str,
    prediction_id: int | None,
    what: str,
    now: dt.datetime,
) -> None:
    """Record that this request was applied (`what`: the outcome it set, or "snooze")."""
    session.add(
        InboundWebhook(
            webhook_id=request_id, received_at=now, prediction_id=prediction_id, outcome=what
        )
    )
