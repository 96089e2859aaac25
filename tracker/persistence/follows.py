"""Queries for follows: which users follow a tag or a question."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.persistence.models import AppUser, UserFollow


def tag_target(tag: str) -> str:
    return f"tag:{tag}"


def question_target(prediction_id: int) -> str:
    return f"question:{prediction_id}"


def follows_of(session: Session, *, user_id: int) -> list[UserFollow]:
    query = select(UserFollow).where(col(UserFollow.user_id) == user_id)
    return list(session.exec(query.order_by(col(UserFollow.target))))


def find_follow(session: Session, *, user_id: int, target: str) -> UserFollow | None:
    query = select(UserFollow).where(
        col(UserFollow.user_id) == user_id, col(UserFollow.target) == target
    )
    return session.exec(query).first()


def emailed_followers(session: Session) -> list[AppUser]:
    """The enabled users with an email address who follow anything."""
    followers = sa.select(col(UserFollow.user_id))
    query = select(AppUser).where(
        col(AppUser.id).in_(followers),
        col(AppUser.disabled_at).is_(None),
        col(AppUser.email).is_not(None),
    )
    return list(session.exec(query.order_by(col(AppUser.id))))


def followers_for(session: Session, *, prediction_id: int, tags: Sequence[str]) -> list[AppUser]:
    """The enabled users who follow this question or any of its tags, by name, each once."""
    follows = col(UserFollow.prediction_id) == prediction_id
    if tags:
        follows = sa.or_(follows, col(UserFollow.tag).in_(sorted(set(tags))))
    followers = sa.select(col(UserFollow.user_id)).where(follows)
    query = select(AppUser).where(
        col(AppUser.id).in_(followers), col(AppUser.disabled_at).is_(None)
    )
    return list(session.exec(query.order_by(col(AppUser.name_key))))
