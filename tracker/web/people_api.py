"""GET /api/v1/whoami (whose token this is, and what it may do) and GET /api/v1/audit (the
audit trail, for admin tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from tracker import people
from tracker.domain.people import Actor
from tracker.enums import Scope
from tracker.errors import InvalidInput, Unauthorized
from tracker.io.audit import audit_json
from tracker.persistence.models import PredictionRecord
from tracker.web.auth import Admin, Caller, Credentials, current_actor, describe, may
from tracker.web.deps import (
    Cursor,
    FilterText,
    Limit,
    WebContext,
    context,
    page_json,
    request_now,
)

router = APIRouter(tags=["people"], dependencies=[Depends(current_actor)])

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]


@router.get("/whoami")
def whoami(actor: Caller, credentials: Credentials) -> dict[str, Any]:
    """Whose bearer token this is and what it may do; 401 without one (or a bad one). `user`
    is null for TRACKER_API_TOKEN, an admin with no user."""
    if actor is None or credentials is None:
        raise Unauthorized(
            "send a bearer token to learn whose it is (Authorization: Bearer <token>)"
        )
    expires_at = actor.expires_at
    return {
        "user": actor.name if actor.user_id is not None else None,
        "scope": actor.scope.value,
        "may": may(actor.scope),
        "forecaster": actor.forecasts_as if actor.user_id is not None else None,
        "expires_at": expires_at.isoformat() if expires_at is not None else None,
        "description": describe(actor),
    }


@router.get("/audit")
def audit(
    ctx: Context,
    request: Request,
    _admin: Admin,
    since: FilterText = None,
    actor: FilterText = None,
    question: FilterText = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The audit trail, a page at a time: the newest `limit` entries that match, oldest
    first, as `{"items": [...], "next": URL or null}`; `next` leads to older entries.
    `since`: a date or an ISO time (in the server's zone unless it has an offset); `actor`:
    a name (any case); `question`: an id or key. Needs the `admin` scope."""
    from tracker.domain.deadlines import parse_instant

    try:
        since_at = parse_instant(since, ctx.settings.tz) if since else None
    except InvalidInput as exc:
        raise InvalidInput(f"since: {exc}") from None
    query = people.AuditQuery(since=since_at, actor=actor, question=question, limit=limit)
    page = people.audit_page(ctx.engine, query=query, cursor=cursor)
    return page_json(request, [audit_json(row) for row in page.items], page.next)


def with_audit(
    ctx: WebContext, obj: dict[str, Any], record: PredictionRecord, actor: Actor | None
) -> dict[str, Any]:
    """A question's JSON with its audit entries under "audit", for an admin token only: the
    trail names who did what, which the open reads do not show."""
    if actor is None or not actor.scope.allows(Scope.ADMIN):
        return obj
    query = people.AuditQuery(question=str(record.prediction.id))
    return {
        **obj,
        "audit": [audit_json(row) for row in people.audit_trail(ctx.engine, query=query)],
    }
