"""The JSON API under /api/v1: the same objects as the command line's --json."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictStr

from tracker import service
from tracker.config import channel_settings
from tracker.delivery import admin as checks
from tracker.domain.people import Actor
from tracker.enums import DeliveryStatus, GroupBy, ListStatus, Outcome, ResolvedVia
from tracker.errors import AlreadyResolved, Conflict, InvalidInput, KeyTaken
from tracker.io.questions import question_json
from tracker.io.records import FieldError, delivery_json, prediction_from_mapping, prediction_json
from tracker.persistence.db import current_revision, display_url
from tracker.persistence.models import PredictionRecord
from tracker.web.auth import (
    Caller,
    Forecaster,
    Resolver,
    acting_as,
    any_token_can_write,
    current_actor,
)
from tracker.web.deps import (
    Cursor,
    FilterText,
    Limit,
    Ref,
    Search,
    WebContext,
    context,
    page_json,
    request_now,
)
from tracker.web.people_api import with_audit

# A token, when one is sent, is checked on every route (see tracker.web.auth).
router = APIRouter(dependencies=[Depends(current_actor)])

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]
JSONObject = dict[str, Any]


class SourceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published_at: str | None = Field(default=None, description="A date or an ISO time.")


class NewPrediction(BaseModel):
    """A prediction, as `tracker add` takes it (and as a seeds file holds it)."""

    model_config = ConfigDict(extra="forbid")

    claim: str = Field(description="What will happen, as a checkable statement.")
    due: str = Field(
        description="When it must have happened by: 2025-02-20, 'February 2025', 2025-Q1, "
        "2025-03-01..2025-03-31 and so on."
    )
    window_start: str | None = None
    tz: str | None = Field(
        default=None,
        description="The IANA time zone the deadline is stated in (default: the server's "
        "TRACKER_TIMEZONE); the deadline keeps it.",
    )
    forecaster: str | None = None
    # Strict, as the CLI and imports are: pydantic's lax mode would store `true` as 1.0.
    probability: StrictFloat | StrictStr | None = Field(
        default=None, description="0.7, '70%' or odds '7:3'."
    )
    quote: str | None = None
    due_text: str | None = None
    tags: list[str] = Field(default_factory=list)
    key: str | None = None
    source: SourceBody | None = None


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    note: str | None = None
    evidence_url: str | None = None
    occurred_on: dt.date | None = Field(default=None, description="The day it happened.")
    resolved_by: str | None = None
    # Strict: lax mode reads "yes", "on" and 1 as true, and replacing a resolution is no guess.
    force: StrictBool = Field(default=False, description="Replace an existing resolution.")


class ReopenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = None


@router.get("/predictions", tags=["predictions"])
def list_predictions(
    ctx: Context,
    now: Now,
    request: Request,
    status: ListStatus = ListStatus.OPEN,
    forecaster: FilterText = None,
    tag: FilterText = None,
    q: Search = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JSONObject:
    """A page of predictions, soonest deadline first (open ones unless `status` says
    otherwise): `{"items": [...], "next": URL or null}`."""
    page = service.list_predictions(
        ctx.engine, status=status, now=now, due_soon=ctx.settings.due_soon,
        forecaster=forecaster, tag=tag, search=q, limit=limit, cursor=cursor,
    )  # fmt: skip
    items = [question_json(r, tz=ctx.settings.tz, now=now) for r in page.items]
    return page_json(request, items, page.next)


@router.get("/predictions/{ref}", tags=["predictions"])
def show_prediction(ctx: Context, now: Now, ref: Ref, actor: Caller) -> JSONObject:
    """One prediction, by id or key, with its resolution history (and, for an admin token,
    its audit entries)."""
    record = service.show_prediction(ctx.engine, ref=ref)
    obj = question_json(record, tz=ctx.settings.tz, now=now, full=True)
    return with_audit(ctx, obj, record, actor)


@router.post("/predictions", status_code=201, tags=["predictions"])
def add_prediction(ctx: Context, now: Now, body: NewPrediction, actor: Forecaster) -> JSONObject:
    """Add a prediction; 409 when its key is taken. Needs the `forecast` scope; its
    forecaster is the token's user's unless an admin token names another."""
    record = add_from_fields(ctx, now, body.model_dump(exclude_none=True), actor)
    return prediction_json(record, tz=ctx.settings.tz, now=now)


def add_from_fields(
    ctx: WebContext, now: dt.datetime, fields: JSONObject, actor: Actor
) -> PredictionRecord:
    """Add a question from a body's fields, read as a seeds record is; 409 for a taken key.
    A forecaster named (or, with a probability, left out) is checked against the token."""
    if "forecaster" in fields or "probability" in fields:
        forecaster = acting_as(actor, fields.get("forecaster"), what="forecaster")
        if forecaster is not None:
            fields = {**fields, "forecaster": forecaster}
    try:
        item = prediction_from_mapping(fields, tz=ctx.settings.tz, now=now)
    except FieldError as exc:
        raise InvalidInput(f"{exc.field}: {exc.reason}") from None
    try:
        return service.add_prediction(
            ctx.engine, data=item.prediction, now=now, policy=ctx.settings.reminder_policy,
            actor=actor,
        )  # fmt: skip
    except KeyTaken as exc:
        raise Conflict(f'{exc}; send another "key" to add it anyway') from None


@router.post("/predictions/{ref}/resolve", tags=["predictions"])
def resolve_prediction(
    ctx: Context, now: Now, ref: Ref, body: ResolveBody, actor: Resolver
) -> JSONObject:
    """Record how a prediction turned out; 409 when it is resolved already (unless `force`).
    Needs the `resolve` scope; resolved_by is the token's user unless an admin names another."""
    record = resolve_ref(ctx, now, ref, body, actor, collection="predictions")
    return prediction_json(record, tz=ctx.settings.tz, now=now)


@router.post("/predictions/{ref}/reopen", tags=["predictions"])
def reopen_prediction(
    ctx: Context, now: Now, ref: Ref, actor: Resolver, body: ReopenBody | None = None
) -> JSONObject:
    """Reopen a resolved prediction; 409 when it is open already. Needs the `resolve` scope."""
    record = reopen_ref(ctx, now, ref, body, actor)
    return prediction_json(record, tz=ctx.settings.tz, now=now)


def resolve_ref(
    ctx: WebContext,
    now: dt.datetime,
    ref: str,
    body: ResolveBody,
    actor: Actor,
    *,
    collection: str,
) -> PredictionRecord:
    """Resolve a question for /predictions and /questions alike; a 409 names the reopen path
    under `collection`."""
    from tracker.domain.inputs import clean_text, parse_url

    named = clean_text(body.resolved_by, "resolved_by")
    resolved_by = acting_as(actor, named, what="resolved_by") or "api"
    try:
        return service.resolve(
            ctx.engine,
            ref=ref,
            outcome=body.outcome,
            now=now,
            tz=ctx.settings.tz,
            note=clean_text(body.note, "note", limit=5000, multiline=True),
            evidence_url=parse_url(body.evidence_url, "evidence_url"),
            occurred_on=body.occurred_on,
            resolved_by=resolved_by,
            via=ResolvedVia.API,
            force=body.force,
            actor=actor,
        )
    except AlreadyResolved as exc:
        raise Conflict(
            f'{exc}; send "force": true to replace that, or POST to '
            f"/api/v1/{collection}/{exc.key}/reopen"
        ) from None


def reopen_ref(
    ctx: WebContext, now: dt.datetime, ref: str, body: ReopenBody | None, actor: Actor
) -> PredictionRecord:
    from tracker.domain.inputs import clean_text

    return service.reopen(
        ctx.engine,
        ref=ref,
        now=now,
        note=clean_text(body.note if body else None, "note", limit=5000, multiline=True),
        policy=ctx.settings.reminder_policy,
        actor=actor,
    )


@router.get("/deliveries", tags=["deliveries"])
def list_deliveries(
    ctx: Context,
    request: Request,
    status: DeliveryStatus | None = None,
    prediction: FilterText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The delivery ledger, newest first, a page at a time: `{"items": [...], "next": URL or
    null}`; `next` leads to older deliveries."""
    page = checks.list_deliveries(
        ctx.engine, status=status, prediction_ref=prediction, limit=limit, cursor=cursor
    )
    # The receiver's own text stays out of public view: it can quote credentials back.
    items = [
        {**delivery_json(row, key), "last_error": checks.public_error(row)}
        for row, key in page.items
    ]
    return page_json(request, items, page.next)


@router.get("/status", tags=["service"])
def status(ctx: Context, now: Now) -> JSONObject:
    """The database's kind, the channels, the next reminder, the ledger's counts, and whether
    any token could write (as `tracker status --json`, without the database's address)."""
    state = checks.status(
        ctx.engine,
        database=display_url(ctx.engine.url),
        revision=current_revision(ctx.engine),
    )
    obj = state.as_json(channels=channel_settings(ctx.settings))
    # Reads are open to whoever reaches the port: say which database, not where it lives.
    obj["database"] = ctx.engine.url.get_backend_name()
    obj["read_only"] = not any_token_can_write(ctx, now)
    return obj


@router.get("/summary", tags=["summary"])
def summary(
    ctx: Context,
    now: Now,
    by: GroupBy | None = None,
    since: FilterText = None,
    forecaster: FilterText = None,
    exclude_early: bool = False,
    bins: Annotated[int, Query(ge=1, le=100)] = 10,
) -> JSONObject:
    """Hit rate, Brier score, log loss, calibration and timeliness, as `tracker summary`."""
    from tracker.domain.deadlines import parse_instant
    from tracker.reporting.summary import summarize

    try:
        since_at = parse_instant(since, ctx.settings.tz) if since else None
    except InvalidInput as exc:
        raise InvalidInput(f"since: {exc}") from None
    result = summarize(
        ctx.engine,
        now=now,
        due_soon=ctx.settings.due_soon,
        since=since_at,
        forecaster=forecaster,
        by=by,
        exclude_early=exclude_early,
        bins=bins,
    )
    return result.as_json()
