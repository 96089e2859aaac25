"""Who is calling the API, and what their bearer token lets them do.

Reads are open: a GET without a token answers as it always has. A token, when one is sent, is
checked on every API route (a bad one is a 401 even on a read, so a client learns at once that
its token is wrong rather than at its first write). A write needs a token whose scope allows it:

- forecast: add a question or a prediction, add a forecast, accept or reject a proposal;
- resolve: resolve, reopen, edit;
- admin: the audit trail (and forecasting or resolving in someone else's name).

TRACKER_API_TOKEN is an admin with no user, named "api", as before users had tokens. The
Actor a token stands for is worked out once per request and kept on request.state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tracker import people
from tracker.domain.people import Actor
from tracker.enums import Scope
from tracker.errors import Forbidden, Unauthorized
from tracker.web.deps import WebContext, context, request_now

bearer = HTTPBearer(
    auto_error=False,
    description="A user's token (`tracker tokens create`) or TRACKER_API_TOKEN.",
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]

# What each scope lets a token do, as the refusals and /whoami word it.
DOES = {
    Scope.READ: "read",
    Scope.FORECAST: "forecast",
    Scope.RESOLVE: "resolve",
    Scope.ADMIN: "administer",
}


def _legacy_token(ctx: WebContext) -> str | None:
    token = ctx.settings.api_token
    return None if token is None else token.get_secret_value()


def any_token_can_write(ctx: WebContext, now: dt.datetime) -> bool:
    """False when the API is read-only: no TRACKER_API_TOKEN and no user's live token."""
    return people.any_token_can_write(ctx.engine, legacy_admin_token=_legacy_token(ctx), now=now)


def _read_only_note(ctx: WebContext, now: dt.datetime) -> str:
    """Said with a 401 when no token at all could write, so the caller knows why."""
    if any_token_can_write(ctx, now):
        return ""
    return (
        "; this server is read-only: no TRACKER_API_TOKEN is configured and no user holds a "
        "live token (`tracker tokens create`)"
    )


def current_actor(
    request: Request, ctx: Context, now: Now, credentials: Credentials
) -> Actor | None:
    """The Actor of the request's bearer token; None when it sends none. A token that is
    unknown, revoked, expired or a disabled user's is a 401, on any route."""
    if hasattr(request.state, "actor"):
        cached: Actor | None = request.state.actor
        return cached
    actor = None
    if credentials is not None:
        try:
            actor = people.authenticate(
                ctx.engine,
                token=credentials.credentials,
                legacy_admin_token=_legacy_token(ctx),
                now=now,
            )
        except Unauthorized as exc:
            raise Unauthorized(f"{exc}{_read_only_note(ctx, now)}") from None
    request.state.actor = actor
    return actor


Caller = Annotated[Actor | None, Depends(current_actor)]


def require(needed: Scope, doing: str) -> Callable[..., Actor]:
    """A dependency that answers with the caller's Actor when its token allows `needed`:
    401 without a token, 403 with one whose scope falls short. `doing` words the action."""

    def check(ctx: Context, now: Now, actor: Caller) -> Actor:
        if actor is None:
            raise Unauthorized(
                f"a bearer token with the `{needed.value}` scope is needed to {doing} "
                f"(Authorization: Bearer <token>){_read_only_note(ctx, now)}"
            )
        if not actor.scope.allows(needed):
            raise Forbidden(
                f"this token has the `{actor.scope.value}` scope; to {doing} it needs "
                f"`{needed.value}`"
            )
        return actor

    return check


Forecaster = Annotated[Actor, Depends(require(Scope.FORECAST, "add questions and forecasts"))]
Resolver = Annotated[Actor, Depends(require(Scope.RESOLVE, "resolve, reopen or edit questions"))]
Admin = Annotated[Actor, Depends(require(Scope.ADMIN, "read the audit trail"))]


def acting_as(actor: Actor, named: str | None, *, what: str) -> str | None:
    """The name a write records (a forecaster, who resolved): the user's own when the body
    names nobody; anyone else's only with an admin token. None when the body names nobody
    and the token has no user (TRACKER_API_TOKEN): the route decides."""
    own = actor.forecasts_as if what == "forecaster" else actor.name
    if named is None or not named.strip():
        return own if actor.user_id is not None else None
    if actor.scope.allows(Scope.ADMIN):
        return named.strip()
    if named.strip() == own:  # exactly: forecaster names are told apart by case in the scores
        return own
    raise Forbidden(
        f"this token is {actor.name}'s, so {what} may only be {own!r}; "
        f"giving {named.strip()[:200]!r} needs a token with the `admin` scope"
    )


def may(scope: Scope) -> list[str]:
    """The scopes a token of this scope includes, lowest first."""
    return [s.value for s in Scope if scope.allows(s)]


def describe(actor: Actor) -> str:
    """'alice · resolve: may read, forecast and resolve', as the page shows it."""
    verbs = [DOES[Scope(s)] for s in may(actor.scope)]
    listed = verbs[0] if len(verbs) == 1 else f"{', '.join(verbs[:-1])} and {verbs[-1]}"
    who = actor.name if actor.user_id is not None else "TRACKER_API_TOKEN"
    return f"{who} \N{MIDDLE DOT} {actor.scope.value}: may {listed}"
