"""POST /slack/actions: the Yes / No / Annulled / Snooze buttons on Slack reminders.

Slack wants an answer within 3 seconds. The click is recorded before we answer (one short
transaction), and the reminder message is updated through the action's response_url after
the answer has gone, so a slow Slack never makes us miss the deadline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from tracker import people, service
from tracker.channels import slack as slack_messages
from tracker.enums import Outcome, ResolvedVia
from tracker.errors import AlreadyResolved, InvalidInput, NotFound, Unauthorized
from tracker.io.records import prediction_json
from tracker.signatures import BadSignature, verify_slack
from tracker.web.deps import (
    WebContext,
    context,
    error_response,
    is_text,
    read_json,
    request_now,
)

log = logging.getLogger("tracker.web")
router = APIRouter()


@dataclass(frozen=True)
class SlackAction:
    action_id: str
    key: str  # the prediction's key, the button's value
    user: str  # the Slack user's name, as the payload gives it
    response_url: str | None
    slack_user_id: str | None = None  # links the click to a tracker user
    request_id: str = ""  # the same for a replay of this very request, and for no other


def parse_action(body: bytes) -> SlackAction | None:
    """The button click in a block_actions payload; None for anything else Slack may send."""
    try:
        form = parse_qs(body.decode(), strict_parsing=False)
        payload = read_json(form["payload"][0], "the form's `payload` field")
    except (UnicodeDecodeError, KeyError, IndexError):
        raise InvalidInput("expected a form with a JSON `payload` field, as Slack sends") from None
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return None
    actions = payload.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, dict) or not isinstance(action.get("value"), str):
        return None
    if "\x00" in action["value"] or len(action["value"]) > 200:
        return None  # no key looks like that (and PostgreSQL refuses NUL in text)
    if not is_text(action["value"]):
        raise InvalidInput("the button's value is not valid text (it holds a lone surrogate)")
    action_id = action.get("action_id")
    known = (*slack_messages.ACTION_OUTCOMES, slack_messages.ACTION_SNOOZE)
    if action_id not in known:
        return None
    user: dict[str, Any] = payload["user"] if isinstance(payload.get("user"), dict) else {}
    name = next(
        (str(user[k]) for k in ("username", "name", "id") if isinstance(user.get(k), str)),
        "someone in Slack",
    )
    response_url = payload.get("response_url")
    slack_id = user.get("id")
    return SlackAction(
        slack_user_id=slack_id if isinstance(slack_id, str) and slack_id.isalnum() else None,
        action_id=str(action_id),
        key=action["value"],
        user="".join(char for char in name if char.isprintable())[:200] or "someone in Slack",
        response_url=response_url
        if isinstance(response_url, str) and is_text(response_url)
        else None,
    )


@router.post("/slack/actions", include_in_schema=False)
async def slack_actions(
    request: Request,
    background: BackgroundTasks,
    ctx: Annotated[WebContext, Depends(context)],
    now: Annotated[dt.datetime, Depends(request_now)],
) -> Response:
    secret = ctx.settings.slack_signing_secret
    if secret is None:
        raise NotFound("Slack buttons are off: set TRACKER_SLACK_SIGNING_SECRET on the server")
    body = await request.body()
    try:
        verify_slack(
            body=body, headers=request.headers, signing_secret=secret.get_secret_value(), now=now
        )
    except BadSignature as exc:
        return error_response(401, f"signature refused: {exc}")
    action = parse_action(body)
    if action is None:
        return Response(status_code=200)  # not a button of ours: nothing to do
    # The signature covers the timestamp and the body, so it names this request: a replay
    # (within the five minutes) carries the same one, a second click another.
    signature = request.headers.get("x-slack-signature", "")
    action = replace(action, request_id="slack:" + hashlib.sha256(signature.encode()).hexdigest())
    reply = await run_in_threadpool(_apply, ctx, action, now)
    if reply is None:
        return Response(status_code=200)  # a replay: done already, said already
    if action.response_url:
        background.add_task(_send_reply, action.response_url, reply, now, ctx)
    return Response(status_code=200)


def _apply(ctx: WebContext, action: SlackAction, now: dt.datetime) -> dict[str, Any] | None:
    """Record the click; return the message to send back to Slack (None for a replay)."""
    tz = ctx.settings.tz
    try:
        actor = people.slack_actor(
            ctx.engine, slack_user_id=action.slack_user_id, slack_name=action.user
        )
    except Unauthorized:
        # A disabled user's click changes nothing; only they are told why.
        log.info("slack: refused a click on %s by a disabled user", action.key)
        return slack_messages.private_note(
            "Your tracker user is disabled, so your click changed nothing."
        )
    # The message names the tracker user when the click is theirs, else the Slack name.
    shown = actor.name if actor.user_id is not None else action.user
    try:
        if action.action_id == slack_messages.ACTION_SNOOZE:
            until = now + dt.timedelta(days=slack_messages.SNOOZE_DAYS)
            record = service.snooze_once(
                ctx.engine, request_id=action.request_id, ref=action.key, until=until, now=now,
                actor=actor,
            )  # fmt: skip
            if record is None:
                return None
            log.info("slack: %s snoozed %s until %s", actor.name, action.key, until.isoformat())
            return slack_messages.snoozed_by_click(
                prediction_json(record, tz=tz, now=now), shown, until, tz
            )
        outcome = Outcome(slack_messages.ACTION_OUTCOMES[action.action_id])
        record = service.resolve_once(
            ctx.engine,
            request_id=action.request_id,
            ref=action.key,
            outcome=outcome,
            via=ResolvedVia.SLACK,
            now=now,
            tz=tz,
            resolved_by=actor.name,
            actor=actor,
        )
        if record is None:
            return None
    except AlreadyResolved as exc:
        who = f" by {exc.resolved_by}" if exc.resolved_by else ""
        return slack_messages.private_note(
            f"{action.key} was already resolved {exc.outcome}{who}; nothing changed."
        )
    except NotFound:
        return slack_messages.private_note(f"No prediction has the key {action.key} any more.")
    log.info("slack: %s resolved %s %s", actor.name, action.key, outcome.value)
    return slack_messages.resolved_by_click(prediction_json(record, tz=tz, now=now), shown, tz)


async def _send_reply(
    response_url: str, reply: dict[str, Any], now: dt.datetime, ctx: WebContext
) -> None:
    error = await slack_messages.respond(
        response_url, reply, now=now, timeout=ctx.settings.request_timeout
    )
    if error is not None:
        log.warning("slack: could not update the message through its response_url: %s", error)
