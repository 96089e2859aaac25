"""The JSON API's proposals under /api/v1/proposals: forecasts found in articles, waiting for a
person to accept or reject them. The same objects as `tracker proposals --json` and
`tracker proposals accept --json`.

Whose forecast an accepted proposal records, and who may say so. The proposal's forecaster is
whoever the article quotes (an institute, a minister), not the person accepting it, who
curates rather than forecasts: so a `forecast` token may accept a proposal as it was found,
recording the article's forecaster and number (the article is kept as its source, and the
audit trail names who accepted it). Anything more is forecasting in someone's name, which
POST .../forecasts guards (tracker.web.auth.acting_as): a `forecaster` other than the one the
article quotes, or a `probability` for a forecast that stays someone else's, must be the
token's user's own forecaster, else it needs an `admin` token (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictStr

from tracker.domain.people import Actor
from tracker.domain.probability import parse_probability
from tracker.enums import Scope
from tracker.errors import Forbidden, InvalidInput
from tracker.io.proposals import proposal_json
from tracker.news import proposals
from tracker.web.auth import acting_as, current_actor, require
from tracker.web.deps import Cursor, Limit, WebContext, context, page_json, request_now

router = APIRouter(tags=["proposals"], dependencies=[Depends(current_actor)])

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]
Curator = Annotated[Actor, Depends(require(Scope.FORECAST, "accept or reject proposals"))]
# An id the database's integer column can hold: a larger one would be PostgreSQL's error (500).
ProposalId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The proposal's id.")]
JSONObject = dict[str, object]


class AcceptBody(BaseModel):
    """What to change in the proposal before it is stored; a field left out stays as found."""

    model_config = ConfigDict(extra="forbid")

    claim: str | None = Field(default=None, description="The claim as it should read.")
    due: str | None = Field(
        default=None, description="The deadline, as POST /questions takes it: 'February 2025'…"
    )
    forecaster: str | None = Field(
        default=None,
        description="Who made the forecast (default: whom the article quotes). Anyone but "
        "that name or the token's user's own forecaster needs an admin token.",
    )
    # Strict, as elsewhere: pydantic's lax mode would read `true` as 1.0.
    probability: StrictFloat | StrictStr | None = Field(
        default=None,
        description="0.7, '70%' or odds such as '7:3'. For a forecast that stays in the name "
        "of whom the article quotes, this needs an admin token.",
    )
    tags: list[str] = Field(default_factory=list, description="More tags for the question.")
    new: StrictBool = Field(
        default=False, description="Store it as a new question even when it matches one."
    )


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, description="Why, kept with the proposal.")


@router.get("/proposals")
def list_proposals(
    ctx: Context,
    request: Request,
    status: Literal["pending", "accepted", "rejected", "all"] = "pending",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JSONObject:
    """A page of proposals, oldest first (pending ones unless `status` says otherwise), each
    with its article and the question it matches, if any: `{"items": [...], "next": URL or
    null}`."""
    page = proposals.page_proposals(
        ctx.engine, status=None if status == "all" else status, limit=limit, cursor=cursor
    )
    items = [
        proposal_json(v.proposal, article=v.article, match=v.match, tz=ctx.settings.tz)
        for v in page.items
    ]
    return page_json(request, items, page.next)


@router.post("/proposals/{proposal_id}/accept")
def accept_proposal(
    ctx: Context, now: Now, proposal_id: ProposalId, actor: Curator, body: AcceptBody | None = None
) -> JSONObject:
    """Accept a proposal, corrected first if need be: it becomes a question, or a source (and
    a forecast) on the question it matches unless `new`. 404 for no such proposal, 409 when
    it was decided already. Needs the `forecast` scope."""
    body = body or AcceptBody()
    try:
        chance = parse_probability(body.probability)
    except InvalidInput as exc:
        raise InvalidInput(f"probability: {exc}") from None
    corrections = proposals.Corrections(
        claim=body.claim, due=body.due, probability=chance, tags=tuple(body.tags),
        forecaster=_forecaster(ctx, actor, proposal_id, body.forecaster, chance),
    )  # fmt: skip
    decision = proposals.accept(
        ctx.engine, proposal_id=proposal_id, actor=actor, now=now, tz=ctx.settings.tz,
        policy=ctx.settings.reminder_policy, corrections=corrections, as_new=body.new,
    )  # fmt: skip
    return decision_json(decision)


@router.post("/proposals/{proposal_id}/reject")
def reject_proposal(
    ctx: Context, now: Now, proposal_id: ProposalId, actor: Curator, body: RejectBody | None = None
) -> JSONObject:
    """Reject a proposal: nothing is stored but the decision and its `reason`. 404 for no
    such proposal, 409 when it was decided already. Needs the `forecast` scope."""
    reason = body.reason if body is not None else None
    proposal = proposals.reject(
        ctx.engine, proposal_id=proposal_id, actor=actor, now=now, reason=reason
    )
    return {
        "proposal": proposal.id,
        "status": proposal.status,
        "reason": proposal.reason,
        "decided_by": proposal.decided_by,
    }


def _forecaster(
    ctx: WebContext, actor: Actor, proposal_id: int, named: str | None, chance: float | None
) -> str | None:
    """The forecaster correction to make (None: the one the article quotes), once it is
    checked that this token may record the forecast, with this number, in that name."""
    named = named.strip() if named and named.strip() else None
    if named is None and chance is None:
        return None  # as found: the curator's to accept
    found = proposals.get_proposal(ctx.engine, proposal_id=proposal_id).forecaster
    if named is not None and named != found:  # exactly, as acting_as compares
        return acting_as(actor, named, what="forecaster")
    if chance is None or found is None or found == actor.forecasts_as:
        return None
    if actor.scope.allows(Scope.ADMIN):
        return None
    # A number of the token's user's own, in the mouth of whom the article quotes.
    raise Forbidden(
        f"probability: this is a forecast by {found[:200]!r}, which this token may accept "
        f'only with the article\'s number; send "forecaster": "{actor.forecasts_as}" to make '
        "it your own, or use a token with the `admin` scope"
    )


def decision_json(decision: proposals.Decision) -> JSONObject:
    """What accepting did, as `tracker proposals accept --json` prints it."""
    prediction = decision.prediction
    assert prediction is not None
    return {
        "proposal": decision.proposal.id,
        "question": prediction.key,
        "id": prediction.id,
        "attached": decision.attached,
        "score": decision.score,
        "forecast_added": decision.forecast_added,
        "notes": decision.notes,
    }
