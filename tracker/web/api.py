"""The JSON API under /api/v1: the same objects as the command line's --json."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictStr

from tracker import service
from tracker.config import channel_settings
from tracker.delivery import admin as checks
from tracker.enums import DeliveryStatus, GroupBy, ListStatus, Outcome, ResolvedVia
from tracker.errors import AlreadyResolved, Conflict, InvalidInput, KeyTaken
from tracker.io.questions import question_json
from tracker.io.records import FieldError, delivery_json, prediction_from_mapping, prediction_json
from tracker.persistence.db import current_revision, display_url
from tracker.persistence.models import PredictionRecord
from tracker.web.deps import FilterText, Ref, WebContext, context, request_now

router = APIRouter()
bearer = HTTPBearer(auto_error=False, description="TRACKER_API_TOKEN")

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]
JSONObject = dict[str, Any]


def require_token(
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Every write needs the bearer token; without one configured the API is read-only."""
    token = ctx.settings.api_token
    if token is None:
        raise HTTPException(
            403, "the API is read-only: no TRACKER_API_TOKEN is configured on the server"
        )
    given = credentials.credentials if credentials is not None else ""
    # Constant time, on bytes: compare_digest refuses non-ASCII str.
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        raise HTTPException(
            401,
            "a valid bearer token is needed to write (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )


Writer = Depends(require_token)


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
    status: ListStatus = ListStatus.OPEN,
    forecaster: FilterText = None,
    tag: FilterText = None,
) -> list[JSONObject]:
    """Predictions, soonest deadline first (open ones unless `status` says otherwise)."""
    records = service.list_predictions(
        ctx.engine,
        status=status,
        now=now,
        due_soon=ctx.settings.due_soon,
        forecaster=forecaster,
        tag=tag,
    )
    return [question_json(r, tz=ctx.settings.tz, now=now) for r in records]


@router.get("/predictions/{ref}", tags=["predictions"])
def show_prediction(ctx: Context, now: Now, ref: Ref) -> JSONObject:
    """One prediction, by id or key, with its resolution history."""
    record = service.show_prediction(ctx.engine, ref=ref)
    return question_json(record, tz=ctx.settings.tz, now=now, full=True)


@router.post("/predictions", status_code=201, dependencies=[Writer], tags=["predictions"])
def add_prediction(ctx: Context, now: Now, body: NewPrediction) -> JSONObject:
    """Add a prediction; 409 when its key is taken."""
    record = add_from_fields(ctx, now, body.model_dump(exclude_none=True))
    return prediction_json(record, tz=ctx.settings.tz, now=now)


def add_from_fields(ctx: WebContext, now: dt.datetime, fields: JSONObject) -> PredictionRecord:
    """Add a question from a body's fields, read as a seeds record is; 409 for a taken key."""
    try:
        item = prediction_from_mapping(fields, tz=ctx.settings.tz, now=now)
    except FieldError as exc:
        raise InvalidInput(f"{exc.field}: {exc.reason}") from None
    try:
        return service.add_prediction(
            ctx.engine, data=item.prediction, now=now, policy=ctx.settings.reminder_policy
        )
    except KeyTaken as exc:
        raise Conflict(f'{exc}; send another "key" to add it anyway') from None


@router.post("/predictions/{ref}/resolve", dependencies=[Writer], tags=["predictions"])
def resolve_prediction(ctx: Context, now: Now, ref: Ref, body: ResolveBody) -> JSONObject:
    """Record how a prediction turned out; 409 when it is resolved already (unless `force`)."""
    record = resolve_ref(ctx, now, ref, body, collection="predictions")
    return prediction_json(record, tz=ctx.settings.tz, now=now)


@router.post("/predictions/{ref}/reopen", dependencies=[Writer], tags=["predictions"])
def reopen_prediction(
    ctx: Context, now: Now, ref: Ref, body: ReopenBody | None = None
) -> JSONObject:
    """Reopen a resolved prediction; 409 when it is open already."""
    record = reopen_ref(ctx, now, ref, body)
    return prediction_json(record, tz=ctx.settings.tz, now=now)


def resolve_ref(
    ctx: WebContext, now: dt.datetime, ref: str, body: ResolveBody, *, collection: str
) -> PredictionRecord:
    """Resolve a question for /predictions and /questions alike; a 409 names the reopen path
    under `collection`."""
    from tracker.domain.inputs import clean_text, parse_url

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
            resolved_by=clean_text(body.resolved_by, "resolved_by") or "api",
            via=ResolvedVia.API,
            force=body.force,
        )
    except AlreadyResolved as exc:
        raise Conflict(
            f'{exc}; send "force": true to replace that, or POST to '
            f"/api/v1/{collection}/{exc.key}/reopen"
        ) from None


def reopen_ref(
    ctx: WebContext, now: dt.datetime, ref: str, body: ReopenBody | None
) -> PredictionRecord:
    from tracker.domain.inputs import clean_text

    return service.reopen(
        ctx.engine,
        ref=ref,
        now=now,
        note=clean_text(body.note if body else None, "note", limit=5000, multiline=True),
        policy=ctx.settings.reminder_policy,
    )


@router.get("/deliveries", tags=["deliveries"])
def list_deliveries(
    ctx: Context,
    status: DeliveryStatus | None = None,
    prediction: FilterText = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[JSONObject]:
    """The delivery ledger, newest first."""
    rows = checks.list_deliveries(ctx.engine, status=status, prediction_ref=prediction, limit=limit)
    # The receiver's own text stays out of public view: it can quote credentials back.
    return [
        {**delivery_json(row, key), "last_error": checks.public_error(row)} for row, key in rows
    ]


@router.get("/status", tags=["service"])
def status(ctx: Context) -> JSONObject:
    """The database's kind, the channels, the next reminder, the ledger's counts, and whether
    this API takes writes (as `tracker status --json`, without the database's address)."""
    state = checks.status(
        ctx.engine,
        database=display_url(ctx.engine.url),
        revision=current_revision(ctx.engine),
    )
    obj = state.as_json(channels=channel_settings(ctx.settings))
    # Reads are open to whoever reaches the port: say which database, not where it lives.
    obj["database"] = ctx.engine.url.get_backend_name()
    obj["read_only"] = ctx.settings.api_token is None
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
