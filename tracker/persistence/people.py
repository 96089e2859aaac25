"""Queries for users and tokens."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.errors import InvalidInput, NotFound
from tracker.persistence.models import ApiToken, AppUser


def find_user(session: Session, *, name: str) -> AppUser | None:
    """A user by name, case-insensitively (two users may not differ only in case)."""
    query = select(AppUser).where(sa.func.lower(col(AppUser.name)) == name.lower())
    return session.exec(query).first()


def get_user(session: Session, *, name: str) -> AppUser:
    user = find_user(session, name=name)
    if user is None:
        raise NotFound(f"no user is named {name!r}", listing="users")
    return user


def user_by_slack_id(session: Session, *, slack_user_id: str) -> AppUser | None:
    query = select(AppUser).where(col(AppUser.slack_user_id) == slack_user_id)
    return session.exec(query).first()


def users(session: Session) -> list[AppUser]:
    return list(session.exec(select(AppUser).order_by(sa.func.lower(col(AppUser.name)))))


def users_by_id(session: Session, *, ids: set[int]) -> dict[int, AppUser]:
    if not ids:
        return {}
    query = select(AppUser).where(col(AppUser.id).in_(sorted(ids)))
    return {user.id: user for user in session.exec(query) if user.id is not None}


def token_by_hash(session: Session, *, token_hash: str) -> tuple[ApiToken, AppUser] | None:
    query = (
        select(ApiToken, AppUser)
        .join(AppUser, col(AppUser.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == token_hash)
    )
    found = session.exec(query).first()
    return (found[0], found[1]) if found is not None else None


def tokens(session: Session) -> list[tuple[ApiToken, AppUser]]:
    query = (
        select(ApiToken, AppUser)
        .join(AppUser, col(AppUser.id) == col(ApiToken.user_id))
        .order_by(col(ApiToken.id))
    )
    return [(token, user) for token, user in session.exec(query)]


def live_token_by_prefix(session: Session, *, prefix: str, now: dt.datetime) -> ApiToken:
    """The one token not yet revoked whose prefix is this (or starts with it)."""
    query = select(ApiToken).where(
        col(ApiToken.prefix).startswith(prefix, autoescape=True),
        col(ApiToken.revoked_at).is_(None),
    )
    found = list(session.exec(query.limit(2)))
    if not found:
        raise NotFound(f"no token that is not revoked has the prefix {prefix!r}", listing="tokens")
    if len(found) > 1:
        raise InvalidInput(f"the prefix {prefix!r} matches several tokens; give more of it")
    return found[0]


def any_live_token(session: Session, *, now: dt.datetime) -> bool:
    query = (
        select(ApiToken.id)
        .join(AppUser, col(AppUser.id) == col(ApiToken.user_id))
        .where(
            col(ApiToken.revoked_at).is_(None),
            col(AppUser.disabled_at).is_(None),
            sa.or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
        )
    )
    return session.exec(query.limit(1)).first() is not None
