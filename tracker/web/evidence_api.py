"""The JSON API's evidence under /api/v1/evidence: sentences of articles that report how an
open question ended, waiting for a person. The same objects as `tracker evidence --json`.
Accepting resolves the question (as `tracker evidence accept`), so, like accepting a proposal,
it needs a `forecast` token; the resolution names the token's user and comes via "news"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from tracker.domain.people import Actor
from tracker.enums import Scope
from tracker.io.evidence import evidence_json
from tracker.news import evidence
from tracker.web.auth import current_actor, require
from tracker.web.deps import Cursor, FilterText, Limit, WebContext, context, page_json, request_now

router = APIRouter(tags=["evidence"], dependencies=[Depends(current_actor)])

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]
Curator = Annotated[Actor, Depends(require(Scope.FORECAST, "accept or reject evidence"))]
EvidenceId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The evidence's id.")]
JSONObject = dict[str, object]


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, description="Why, kept with the evidence.")


@router.get("/evidence")
def list_evidence(
    ctx: Context,
    request: Request,
    status: Literal["pending", "accepted", "rejected", "all"] = "pending",
    question: FilterText = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JSONObject:
    """A page of evidence, oldest first (pending unless `status` says otherwise; one
    question's with `question`, its key or id): `{"items": [...], "next": URL or null}`."""
    page = evidence.page_evidence(
        ctx.engine, status=None if status == "all" else status, question=question, limit=limit,
        cursor=cursor,
    )  # fmt: skip
    return page_json(request, [evidence_json(v.row, v.question) for v in page.items], page.next)


@router.post("/evidence/{evidence_id}/accept")
def accept_evidence(ctx: Context, now: Now, evidence_id: EvidenceId, actor: Curator) -> JSONObject:
    """Resolve the question as the evidence says. 404 for no such evidence, 409 when it was
    decided already or the question is resolved. Needs the `forecast` scope."""
    view = evidence.accept(ctx.engine, evidence_id=evidence_id, actor=actor, now=now)
    return evidence_json(view.row, view.question)


@router.post("/evidence/{evidence_id}/reject")
def reject_evidence(
    ctx: Context, now: Now, evidence_id: EvidenceId, actor: Curator, body: RejectBody | None = None
) -> JSONObject:
    """Reject evidence; the question stays open. 404 for no such evidence, 409 when it was
    decided already. Needs the `forecast` scope."""
    reason = body.reason if body is not None else None
    view = evidence.reject(ctx.engine, evidence_id=evidence_id, actor=actor, now=now, reason=reason)
    return evidence_json(view.row, view.question)
