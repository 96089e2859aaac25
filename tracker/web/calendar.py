"""GET /calendar.ics: the open questions as a calendar to subscribe to.

Calendar clients (Google, Apple, Outlook, Thunderbird) fetch a URL and cannot send an
Authorization header, so the token travels as `?token=...`. It is checked as a bearer token
is: reads are open, so a feed without a token answers as GET /api/v1/questions does, and a
token that is sent must be live (unknown, revoked, expired or a disabled user's: 401), so a
subscriber learns at once that the URL they pasted is wrong. Any scope may read. The token in
the URL never reaches a log line: tracker.web.server masks it in uvicorn's access log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from tracker import people
from tracker.errors import Unauthorized
from tracker.reporting.calendar import MEDIA_TYPE
from tracker.reporting.calendar_feed import calendar_feed
from tracker.web.auth import current_actor
from tracker.web.deps import NO_NUL, FilterText, WebContext, context, request_now

# A bearer token, when one is sent as a header, is checked here too (tracker.web.auth).
router = APIRouter(dependencies=[Depends(current_actor)])

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]
TokenParam = Annotated[
    str | None,
    Query(
        max_length=500,
        pattern=NO_NUL,
        description="A user's token (any scope) or TRACKER_API_TOKEN, for calendar clients "
        "that cannot send headers. Optional while reads are open; refused (401) when not live.",
    ),
]


def check_token(ctx: WebContext, now: dt.datetime, token: str | None) -> None:
    if token is None:
        return
    legacy = ctx.settings.api_token
    try:
        people.authenticate(
            ctx.engine,
            token=token,
            legacy_admin_token=None if legacy is None else legacy.get_secret_value(),
            now=now,
        )
    except Unauthorized as exc:  # worded for the URL, where a subscriber put the token
        text = str(exc).replace("the bearer token's user", "the user of the ?token=")
        raise Unauthorized(text.replace("the bearer token", "the ?token=")) from None


@router.get(
    "/calendar.ics",
    tags=["calendar"],
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An iCalendar feed."}},
)
def calendar_ics(
    ctx: Context,
    now: Now,
    token: TokenParam = None,
    tag: FilterText = None,
    forecaster: FilterText = None,
) -> Response:
    """The open questions as all-day events (RFC 5545), with alarms at the reminder lead
    times; filters as GET /api/v1/questions has them."""
    check_token(ctx, now, token)
    body = calendar_feed(
        ctx.engine,
        now=now,
        lead_times=ctx.settings.reminder_lead_times,
        public_url=ctx.settings.public_url,
        tag=tag,
        forecaster=forecaster,
    )
    return Response(
        content=body,
        media_type=MEDIA_TYPE,
        headers={
            "Content-Disposition": 'inline; filename="tracker.ics"',
            # The URL may carry a token: no shared cache should keep what it answered.
            "Cache-Control": "private, no-store",
        },
    )
