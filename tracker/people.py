"""Use cases for people: users, tokens, who a bearer token is, and the audit trail.

Each write is one transaction and appends its audit entry in it. A token is shown once, when it
is made; afterwards only its prefix is ever shown, and nothing here logs, returns or audits the
token or its hash.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.domain import people as rules
from tracker.domain.inputs import clean_text
from tracker.domain.people import Actor
from tracker.enums import AuditVia, Scope
from tracker.errors import Conflict, InvalidInput, Unauthorized
from tracker.persistence import audit, paging, store
from tracker.persistence import people as found
from tracker.persistence.db import transaction
from tracker.persistence.models import ApiToken, AppUser


@dataclass(frozen=True)
class NewUser:
    name: str
    email: str | None = None
    slack_user_id: str | None = None
    forecaster: str | None = None


def add_user(engine: Engine, *, user: NewUser, actor: Actor, now: dt.datetime) -> AppUser:
    name = rules.new_user_name(user.name)
    email = rules.email(user.email)
    slack_id = rules.slack_user_id(user.slack_user_id)
    forecaster = rules.user_name(user.forecaster, "forecaster") if user.forecaster else None
    with transaction(engine) as session:
        existing = found.find_user(session, name=name)
        if existing is not None:
            raise Conflict(f"a user named {existing.name!r} exists already")
        if slack_id is not None and found.user_by_slack_id(session, slack_user_id=slack_id):
            raise Conflict(f"another user has the Slack user id {slack_id!r}")
        row = AppUser(
            name=name, name_key=found.name_key(name), email=email, slack_user_id=slack_id,
            forecaster=forecaster, created_at=now,
        )  # fmt: skip
        session.add(row)
        try:
            session.flush()
        except sa.exc.IntegrityError:  # someone added that name (or Slack id) a moment ago
            raise Conflict(
                f"a user named {name!r} (or with that Slack id) exists already"
            ) from None
        audit.record(
            session, actor=actor, action="user.add", now=now, subject=name, after=user_view(row)
        )
        return row


def list_users(engine: Engine) -> list[AppUser]:
    with transaction(engine, commit=False) as session:
        return found.users(session)


def set_disabled(
    engine: Engine, *, name: str, disabled: bool, actor: Actor, now: dt.datetime
) -> AppUser:
    """Disable a user (their tokens stop working at once) or enable them again."""
    with transaction(engine) as session:
        user = found.get_user(session, name=rules.user_name(name), for_update=True)
        if (user.disabled_at is not None) == disabled:
            state = "disabled" if disabled else "enabled"
            raise Conflict(f"user {user.name!r} is {state} already")
        before = user_view(user)
        user.disabled_at = now if disabled else None
        action = "user.disable" if disabled else "user.enable"
        audit.record(
            session, actor=actor, action=action, now=now, subject=user.name,
            before=before, after=user_view(user),
        )  # fmt: skip
        return user


def user_view(user: AppUser) -> dict[str, Any]:
    return {
        "name": user.name,
        "email": user.email,
        "slack_user_id": user.slack_user_id,
        "forecaster": user.forecaster,
        "disabled": user.disabled_at is not None,
        "disabled_at": user.disabled_at,
        "created_at": user.created_at,
    }


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    row: ApiToken
    user: AppUser


def create_token(
    engine: Engine,
    *,
    user_name: str,
    scope: str,
    expires_at: dt.datetime | None,
    note: str | None,
    actor: Actor,
    now: dt.datetime,
) -> NewToken:
    chosen = rules.scope(scope)
    note = clean_text(note, "note", limit=200)
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("a token's expiry must be in the future")
    with transaction(engine) as session:
        user = found.get_user(session, name=rules.user_name(user_name))
        if user.disabled_at is not None:
            raise InvalidInput(f"user {user.name!r} is disabled; enable them first")
        assert user.id is not None
        token = rules.new_token()
        row = ApiToken(
            user_id=user.id,
            token_hash=rules.token_hash(token),
            prefix=rules.token_prefix(token),
            scope=chosen.value,
            note=note,
            expires_at=expires_at,
            created_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(
            session, actor=actor, action="token.create", now=now, subject=row.prefix,
            after=token_view(row, user, now=now),
        )  # fmt: skip
        return NewToken(token=token, row=row, user=user)


def list_tokens(engine: Engine, *, now: dt.datetime) -> list[dict[str, Any]]:
    with transaction(engine, commit=False) as session:
        return [token_view(token, user, now=now) for token, user in found.tokens(session)]


def revoke_token(engine: Engine, *, prefix: str, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """Revoke the token with this prefix (or this whole token, never echoed)."""
    text = clean_text(prefix, "prefix", required=True, limit=1000) or ""
    whole = len(text) > rules.PREFIX_LENGTH
    shown = rules.token_prefix(text)
    if len(text) < rules.PREFIX_LENGTH:
        raise InvalidInput(
            f"give the token's whole prefix ({rules.PREFIX_LENGTH} characters, as `tracker "
            f"tokens list` shows it); {shown!r} is shorter"
        )
    with transaction(engine) as session:
        token = found.token_to_revoke(
            session, prefix=shown, token_hash=rules.token_hash(text) if whole else None
        )
        if token.revoked_at is not None:
            raise Conflict(f"token {token.prefix} was revoked already")
        users = found.users_by_id(session, ids={token.user_id})
        before = token_view(token, users[token.user_id], now=now)
        token.revoked_at = now
        after = token_view(token, users[token.user_id], now=now)
        audit.record(
            session, actor=actor, action="token.revoke", now=now, subject=token.prefix,
            before=before, after=after,
        )  # fmt: skip
        return after


def token_view(token: ApiToken, user: AppUser, *, now: dt.datetime) -> dict[str, Any]:
    """What may be shown of a token: never the token, never its hash."""
    return {
        "prefix": token.prefix,
        "user": user.name,
        "scope": token.scope,
        "note": token.note,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "state": _state(token, user, now=now),
    }


def _state(token: ApiToken, user: AppUser, *, now: dt.datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    if user.disabled_at is not None:
        return "user disabled"
    return "active"


def authenticate(
    engine: Engine, *, token: str, legacy_admin_token: str | None, now: dt.datetime
) -> Actor:
    """Who a bearer token speaks for, or Unauthorized. TRACKER_API_TOKEN is an admin with no
    user. The same message for every refusal but the state, which the holder may know."""
    digest = rules.token_hash(token)
    if legacy_admin_token is not None and hmac.compare_digest(
        digest, rules.token_hash(legacy_admin_token)
    ):
        return Actor(name="api", via=AuditVia.API, scope=Scope.ADMIN)
    with transaction(engine, commit=False) as session:
        match = found.token_by_hash(session, token_hash=digest)
    if match is None:
        raise Unauthorized("the bearer token is not one this server knows")
    row, user = match
    state = _state(row, user, now=now)
    if state != "active":
        raise Unauthorized(f"the bearer token is {state}" if state != "user disabled" else
                           f"the bearer token's user {user.name!r} is disabled")  # fmt: skip
    return Actor(
        name=user.name,
        via=AuditVia.API,
        user_id=user.id,
        scope=Scope(row.scope),
        forecaster=user.forecaster,
        expires_at=row.expires_at,
    )


def any_token_can_write(
    engine: Engine, *, legacy_admin_token: str | None, now: dt.datetime
) -> bool:
    """Whether a write can be made at all (the page offers its forms when so)."""
    if legacy_admin_token is not None:
        return True
    writers = [scope.value for scope in Scope if scope is not Scope.READ]
    with transaction(engine, commit=False) as session:
        return found.any_live_token(session, now=now, scopes=writers)


def cli_actor(engine: Engine, *, name: str) -> Actor:
    """The command line's actor: a user of that name when there is one (refused when they are
    disabled), else the name as given, with no user."""
    text = rules.user_name(name, "--as")
    with transaction(engine, commit=False) as session:
        user = found.find_user(session, name=text)
    if user is None:
        return Actor(name=text, via=AuditVia.CLI)
    if user.disabled_at is not None:
        raise InvalidInput(f"user {user.name!r} is disabled; they cannot make changes")
    return Actor(name=user.name, via=AuditVia.CLI, user_id=user.id, forecaster=user.forecaster)


def slack_actor(engine: Engine, *, slack_user_id: str | None, slack_name: str) -> Actor:
    """A Slack click's actor: the user linked to that Slack id (refused when disabled), else
    "slack:<name>" with no user."""
    user = None
    if slack_user_id:
        with transaction(engine, commit=False) as session:
            user = found.user_by_slack_id(session, slack_user_id=slack_user_id)
    if user is None:
        return Actor(name=f"slack:{slack_name}"[:200], via=AuditVia.SLACK, scope=Scope.RESOLVE)
    if user.disabled_at is not None:
        raise Unauthorized(f"user {user.name!r} is disabled")
    return Actor(
        name=user.name, via=AuditVia.SLACK, user_id=user.id, scope=Scope.RESOLVE,
        forecaster=user.forecaster,
    )  # fmt: skip


@dataclass(frozen=True)
class AuditQuery:
    since: dt.datetime | None = None
    actor: str | None = None
    question: str | None = None  # a question's id or key
    limit: int | None = None


def audit_trail(engine: Engine, *, query: AuditQuery) -> list[audit.AuditRow]:
    return audit_page(engine, query=query).items


def audit_page(
    engine: Engine, *, query: AuditQuery, cursor: str | None = None
) -> paging.Page[audit.AuditRow]:
    """The newest `limit` entries that match and are older than the ones before `cursor`,
    oldest first; `next` names the page of entries older still."""
    before = paging.decode_cursor(cursor, "a", (int,))[0] if cursor else None
    with transaction(engine, commit=False) as session:
        prediction_id = None
        if query.question is not None:
            prediction_id = store.get_prediction(session, ref=query.question).id
        more = query.limit + 1 if query.limit is not None else None
        where = audit.AuditFilter(
            since=query.since, actor=query.actor, prediction_id=prediction_id, limit=more,
            before=before,
        )  # fmt: skip
        rows = audit.entries(session, where=where)
    if query.limit is None or len(rows) <= query.limit:
        return paging.Page(rows, None)
    shown = rows[1:]  # oldest first: the extra one, the oldest, only says there are more
    return paging.Page(shown, paging.encode_cursor("a", (shown[0].entry.id,)))
