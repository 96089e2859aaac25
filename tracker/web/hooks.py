"""POST /hooks/resolve: a resolution sent by another system, signed like our own webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker import service
from tracker.config import Settings
from tracker.domain.people import Actor
from tracker.enums import AuditVia, Outcome, ResolvedVia
from tracker.errors import AlreadyResolved, Conflict, NotFound
from tracker.signatures import BadSignature, verify_standard_webhook
from tracker.web.deps import (
    NO_NUL,
    WebContext,
    context,
    error_response,
    read_json,
    request_now,
)

router = APIRouter()


class ResolveHook(BaseModel):
    """The body of POST /hooks/resolve."""

    model_config = ConfigDict(extra="forbid")

    prediction: str = Field(
        min_length=1, max_length=200, pattern=NO_NUL, description="The prediction's id or key."
    )
    outcome: Outcome
    note: str | None = None
    evidence_url: str | None = None
    occurred_on: dt.date | None = None
    resolved_by: str | None = None


def inbound_secret(settings: Settings) -> str | None:
    secret = settings.inbound_webhook_secret or settings.webhook_secret
    return None if secret is None else secret.get_secret_value()


def check_settings(settings: Settings) -> None:
    """Refuse a malformed inbound secret when the app starts, not at the first request."""
    from tracker.channels.webhook import validate_webhook_secret

    secret = inbound_secret(settings)
    if secret is not None:
        validate_webhook_secret(secret)


@router.post(
    "/hooks/resolve",
    tags=["hooks"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ResolveHook.model_json_schema()}},
        }
    },
    responses={401: {"description": "Bad or stale signature"}},
)
async def resolve_hook(
    request: Request,
    ctx: Annotated[WebContext, Depends(context)],
    now: Annotated[dt.datetime, Depends(request_now)],
) -> Any:
    """Resolve a prediction. Signed per Standard Webhooks (webhook-id, webhook-timestamp,
    webhook-signature) with TRACKER_INBOUND_WEBHOOK_SECRET, else TRACKER_WEBHOOK_SECRET; a
    webhook-id seen before changes nothing and answers 200 with `"duplicate": true`."""
    from starlette.concurrency import run_in_threadpool

    secret = inbound_secret(ctx.settings)
    if secret is None:
        raise NotFound(
            "inbound webhooks are off: set TRACKER_INBOUND_WEBHOOK_SECRET (or "
            "TRACKER_WEBHOOK_SECRET) on the server"
        )
    body = await request.body()
    try:
        webhook_id = verify_standard_webhook(
            body=body, headers=request.headers, secret=secret, now=now
        )
    except BadSignature as exc:
        return error_response(401, f"signature refused: {exc}")
    hook = _parse(body)
    try:
        record = await run_in_threadpool(
            lambda: service.resolve_once(
                ctx.engine,
                request_id=f"hook:{webhook_id}",
                ref=hook.prediction,
                outcome=hook.outcome,
                via=ResolvedVia.WEBHOOK,
                now=now,
                tz=ctx.settings.tz,
                note=hook.note,
                evidence_url=hook.evidence_url,
                occurred_on=hook.occurred_on,
                resolved_by=hook.resolved_by or "webhook",
                actor=Actor(name=hook.resolved_by or "webhook", via=AuditVia.WEBHOOK),
            )
        )
    except AlreadyResolved as exc:
        # A hook cannot force: the one way on is to reopen the prediction first.
        raise Conflict(f"{exc}; reopen it to record another outcome") from None
    if record is None:
        return {"duplicate": True, "detail": f"webhook-id {webhook_id} was handled already"}
    from tracker.io.records import prediction_json

    return {"duplicate": False, "prediction": prediction_json(record, tz=ctx.settings.tz, now=now)}


def _parse(body: bytes) -> ResolveHook:
    from tracker.domain.inputs import clean_text, parse_url

    data = read_json(body, "the body")
    try:
        hook = ResolveHook.model_validate(data)
    except ValidationError as exc:  # worded by the app's handler, like any body's errors
        raise RequestValidationError(exc.errors()) from None
    return hook.model_copy(
        update={
            "note": clean_text(hook.note, "note", limit=5000, multiline=True),
            "evidence_url": parse_url(hook.evidence_url, "evidence_url"),
            "resolved_by": clean_text(hook.resolved_by, "resolved_by"),
        }
    )
