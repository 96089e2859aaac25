"""The JSON API's questions under /api/v1/questions: a question, its forecasts (every revision
kept), its edits and its resolution. The same objects as `tracker show --json`, `list --json`
and `forecast --json`; /api/v1/predictions answers as it always has.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictStr

from tracker import questions, service
from tracker.domain.deadlines import UTC_ZONE
from tracker.domain.forecasts import forecast_input
from tracker.domain.inputs import clean_text, parse_aware
from tracker.domain.questions import QuestionChanges
from tracker.enums import ListStatus
from tracker.errors import AlreadyResolved, Conflict, InvalidInput
from tracker.io.questions import forecast_json, question_json
from tracker.web.api import (
    JSONObject,
    NewPrediction,
    ReopenBody,
    ResolveBody,
    add_from_fields,
    reopen_ref,
    resolve_ref,
)
from tracker.web.auth import Caller, Forecaster, Resolver, acting_as, current_actor
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

router = APIRouter(tags=["questions"], dependencies=[Depends(current_actor)])

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]

PROBABILITY_HELP = "0.7, '70%' or odds such as '7:3'."
MADE_AT_HELP = "When it was made: an ISO date or time, UTC unless it has an offset (default: now)."


class NewQuestion(NewPrediction):
    """A question, as `tracker add` takes it: with `forecaster` and `probability`, its first
    forecast, made now or at `made_at`."""

    probability: StrictFloat | StrictStr | None = Field(default=None, description=PROBABILITY_HELP)
    criteria: str | None = Field(default=None, description="How it will be judged.")
    made_at: str | None = Field(default=None, description=MADE_AT_HELP)
    basis: str | None = Field(
        default=None, description="What the first forecast's probability rests on."
    )


class QuestionEdit(BaseModel):
    """What `tracker edit` takes; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(description="Why it changes (kept with the earlier version).")
    claim: str | None = None
    criteria: str | None = Field(default=None, description="How it will be judged ('' clears it).")
    due: str | None = Field(
        default=None, description="The new deadline, read in the question's time zone."
    )
    window_start: str | None = None
    due_text: str | None = None
    add_tags: list[str] = Field(default_factory=list)
    remove_tags: list[str] = Field(default_factory=list)
    force: StrictBool = Field(default=False, description="Move a resolved question's deadline.")


class NewForecast(BaseModel):
    """A forecast, as `tracker forecast` takes it. A revision is a new forecast."""

    model_config = ConfigDict(extra="forbid")

    forecaster: str | None = Field(
        default=None,
        description="Who makes the forecast: the token's user's forecaster when left out; "
        "another needs an admin token (and TRACKER_API_TOKEN, which has no user, must name one).",
    )
    probability: StrictFloat | StrictStr = Field(description=PROBABILITY_HELP)
    made_at: str | None = Field(default=None, description=MADE_AT_HELP)
    quote: str | None = None
    source_url: str | None = None
    note: str | None = None
    basis: str | None = None


@router.get("/questions")
def list_questions(
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
    """A page of questions, soonest deadline first (open ones unless `status` says
    otherwise), each with the latest forecast of each forecaster: `{"items": [...], "next":
    URL or null}`."""
    page = service.list_predictions(
        ctx.engine, status=status, now=now, due_soon=ctx.settings.due_soon,
        forecaster=forecaster, tag=tag, search=q, limit=limit, cursor=cursor,
    )  # fmt: skip
    items = [question_json(r, tz=ctx.settings.tz, now=now) for r in page.items]
    return page_json(request, items, page.next)


@router.post("/questions", status_code=201)
def add_question(ctx: Context, now: Now, body: NewQuestion, actor: Forecaster) -> JSONObject:
    """Add a question, with its first forecast when it has a probability (made by the token's
    user, or by `forecaster` with an admin token); 409 when its key is taken. Needs the
    `forecast` scope."""
    fields = body.model_dump(exclude_none=True)
    if "made_at" in fields:  # UTC unless it has an offset, as `tracker add --made-at`
        fields["made_at"] = parse_aware(fields["made_at"], "made_at", UTC_ZONE)
    record = add_from_fields(ctx, now, fields, actor)
    return question_json(service.show_prediction(ctx.engine, ref=str(record.prediction.id)),
                         tz=ctx.settings.tz, now=now, full=True)  # fmt: skip


@router.get("/questions/{ref}")
def show_question(ctx: Context, now: Now, ref: Ref, actor: Caller) -> JSONObject:
    """One question, by id or key: criteria, sources, every forecast, earlier versions and
    resolutions (and, for an admin token, its audit entries)."""
    record = service.show_prediction(ctx.engine, ref=ref)
    obj = question_json(record, tz=ctx.settings.tz, now=now, full=True)
    return with_audit(ctx, obj, record, actor)


@router.patch("/questions/{ref}")
def edit_question(
    ctx: Context, now: Now, ref: Ref, body: QuestionEdit, actor: Resolver
) -> JSONObject:
    """Change a question, keeping how it was as a version; reminders follow a moved
    deadline. 409 when a resolved question's deadline would move (unless `force`); 422 when
    nothing changes. Needs the `resolve` scope."""
    note = clean_text(body.note, "note", required=True, limit=5000, multiline=True)
    assert note is not None
    changes = QuestionChanges(
        claim=body.claim, criteria=body.criteria, due=body.due, window_start=body.window_start,
        due_text=body.due_text, add_tags=tuple(body.add_tags),
        remove_tags=tuple(body.remove_tags),
    )  # fmt: skip
    try:
        record = questions.edit_question(
            ctx.engine, ref=ref, changes=changes, note=note, now=now,
            policy=ctx.settings.reminder_policy, force=body.force, actor=actor,
        )  # fmt: skip
    except AlreadyResolved as exc:
        raise Conflict(f'{exc}; send "force": true to move it anyway') from None
    return question_json(record, tz=ctx.settings.tz, now=now, full=True)


@router.get("/questions/{ref}/forecasts")
def list_forecasts(ctx: Context, ref: Ref, forecaster: FilterText = None) -> list[JSONObject]:
    """A question's forecasts, oldest first (by made_at); `forecaster`: only theirs."""
    record = service.show_prediction(ctx.engine, ref=ref)
    wanted = forecaster.casefold() if forecaster else None
    return [
        forecast_json(f, record)
        for f in record.forecasts
        if wanted is None or f.forecaster.casefold() == wanted
    ]


@router.post("/questions/{ref}/forecasts", status_code=201)
def add_forecast(
    ctx: Context, now: Now, ref: Ref, body: NewForecast, actor: Forecaster
) -> JSONObject:
    """Record a forecast; 422 when it is made at or after the question's close, or ahead of
    the clock. Needs the `forecast` scope."""
    fields = body.model_dump(exclude_none=True)
    fields["forecaster"] = acting_as(actor, body.forecaster, what="forecaster")
    if fields["forecaster"] is None:
        raise InvalidInput("forecaster: name who makes the forecast (this token has no user)")
    data = forecast_input(fields, tz=UTC_ZONE)
    added = questions.add_forecast(ctx.engine, ref=ref, forecast=data, now=now, actor=actor)
    return forecast_json(added.forecast, added.record)


@router.post("/questions/{ref}/resolve")
def resolve_question(
    ctx: Context, now: Now, ref: Ref, body: ResolveBody, actor: Resolver
) -> JSONObject:
    """Record how a question turned out; 409 when it is resolved already (unless `force`).
    Needs the `resolve` scope; resolved_by is the token's user unless an admin names another."""
    record = resolve_ref(ctx, now, ref, body, actor, collection="questions")
    return question_json(record, tz=ctx.settings.tz, now=now, full=True)


@router.post("/questions/{ref}/reopen")
def reopen_question(
    ctx: Context, now: Now, ref: Ref, actor: Resolver, body: ReopenBody | None = None
) -> JSONObject:
    """Reopen a resolved question; 409 when it is open already. Needs the `resolve` scope."""
    record = reopen_ref(ctx, now, ref, body, actor)
    return question_json(record, tz=ctx.settings.tz, now=now, full=True)
