"""Queries for users and tokens."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.errors import InvalidInput, NotFound
from tracker.persistence.models import ApiToken, AppUser


def name_key(name: str) -> str:
    """What makes two names one user's: the same letters in any case (Unicode case folding)."""
    return name.casefold()[:200]


def find_user(session: Session, *, name: str, for_update: bool = False) -> AppUser | None:
    """A user by name, in any case (two users may not differ only in case)."""
    query = select(AppUser).where(col(AppUser.name_key) == name_key(name))
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def get_user(session: Session, *, name: str, for_update: bool = False) -> AppUser:
    user = find_user(session, name=name, for_update=for_update)
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


def token_to_revoke(session: Session, *, prefix: str, token_hash: str | None) -> ApiToken:
    """The token with exactly this prefix (as `tracker tokens list` shows it; compared case
    and all, on both databases), or this hash when the whole token was given. Locked."""
    query = select(ApiToken).with_for_update()
    if token_hash is not None:
        query = query.where(col(ApiToken.token_hash) == token_hash)
    else:
        query = query.where(col(ApiToken.prefix) == prefix)
    found = list(session.exec(query.limit(2)))
    if not found:
        raise NotFound(f"no token has the prefix {prefix!r}", listing="tokens")
    if len(found) > 1:  # 48 random bits: two tokens of one prefix are a curiosity
        raise InvalidInput(f"the prefix {prefix!r} is two tokens'; give the whole token")
    return found[0]


def any_live_token(session: Session, *, now: dt.datetime, scopes: list[str]) -> bool:
    """Whether a token of one of these scopes works now."""
    query = (
        select(ApiToken.id)
        .join(AppUser, col(AppUser.id) == col(ApiToken.user_id))
        .where(
            col(ApiToken.scope).in_(scopes),
            col(ApiToken.revoked_at).is_(None),
            col(AppUser.disabled_at).is_(None),
            sa.or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
        )
    )
    return session.exec(query.limit(1)).first() is not None
