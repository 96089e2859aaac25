"""Use cases for follows: a user follows tags or questions and gets their reminders.

Delivery to followers goes through `follower_hook`: the planner asks it, per event, for extra
channel names, each follower's own email channel (`follower_channels`, built on the server and
from address of the first email channel configured). With no email channel, follows are
stored, listed, audited and shown by `tracker routes test`, and nothing is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.channels.base import Channel
from tracker.delivery import ledger as outbox
from tracker.delivery.routed import FollowHook
from tracker.domain.inputs import normalize_tags
from tracker.domain.people import Actor
from tracker.domain.routing import Event
from tracker.errors import ConfigError, Conflict, InvalidInput, NotFound
from tracker.persistence import audit, people, store
from tracker.persistence import follows as found
from tracker.persistence.db import transaction
from tracker.persistence.models import AppUser, PredictionRecord, UserFollow


def _targets(
    session: Session, *, tags: Sequence[str], questions: Sequence[str]
) -> list[tuple[str, str | None, int | None, str]]:
    """(target, tag, prediction id, what people call it) for each tag and question named."""
    if not tags and not questions:
        raise InvalidInput("name at least one --tag or --question")
    chosen: list[tuple[str, str | None, int | None, str]] = [
        (found.tag_target(t), t, None, f"tag {t}") for t in normalize_tags(list(tags))
    ]
    for ref in questions:
        prediction = store.get_prediction(session, ref=ref)
        assert prediction.id is not None
        target = found.question_target(prediction.id)
        chosen.append((target, None, prediction.id, f"question {prediction.key}"))
    return chosen


def follow(
    engine: Engine,
    *,
    name: str,
    tags: Sequence[str],
    questions: Sequence[str],
    actor: Actor,
    now: dt.datetime,
) -> list[str]:
    """Follow each tag and question (one already followed is left as it is); returns what
    was added. One audit entry per follow."""
    added = []
    with transaction(engine) as session:
        user = people.get_user(session, name=name)
        assert user.id is not None
        for target, tag, prediction_id, label in _targets(session, tags=tags, questions=questions):
            if found.find_follow(session, user_id=user.id, target=target) is not None:
                continue
            row = UserFollow(
                user_id=user.id, target=target, tag=tag, prediction_id=prediction_id, created_at=now
            )
            session.add(row)
            audit.record(
                session, actor=actor, action="user.follow", now=now, subject=user.name,
                prediction_id=prediction_id, after={"follows": label},
            )  # fmt: skip
            added.append(label)
        try:
            session.flush()
        except sa.exc.IntegrityError:  # the same follow, added a moment ago elsewhere
            raise Conflict(f"{user.name} was made to follow one of these already") from None
    return added


def unfollow(
    engine: Engine,
    *,
    name: str,
    tags: Sequence[str],
    questions: Sequence[str],
    actor: Actor,
    now: dt.datetime,
) -> list[str]:
    """Stop following each tag and question; one not followed is refused (nothing changes)."""
    removed = []
    with transaction(engine) as session:
        user = people.get_user(session, name=name)
        assert user.id is not None
        for target, _, prediction_id, label in _targets(session, tags=tags, questions=questions):
            row = found.find_follow(session, user_id=user.id, target=target)
            if row is None:
                raise NotFound(f"{user.name} does not follow {label}")
            session.delete(row)
            audit.record(
                session, actor=actor, action="user.unfollow", now=now, subject=user.name,
                prediction_id=prediction_id, before={"follows": label},
            )  # fmt: skip
            removed.append(label)
    return removed


def list_follows(engine: Engine, *, name: str) -> list[str]:
    """What a user follows: "tag syria", "question talks"."""
    with transaction(engine, commit=False) as session:
        user = people.get_user(session, name=name)
        assert user.id is not None
        rows = found.follows_of(session, user_id=user.id)
        ids = [r.prediction_id for r in rows if r.prediction_id is not None]
        keys = {p.id: p.key for p in store.predictions_by_id(session, ids=ids)}
        return [
            f"tag {r.tag}" if r.tag is not None else f"question {keys.get(r.prediction_id)}"
            for r in rows
        ]


def followers_of(engine: Engine, record: PredictionRecord) -> list[str]:
    """The names of the users who follow this question or one of its tags."""
    assert record.prediction.id is not None
    with transaction(engine, commit=False) as session:
        users = found.followers_for(session, prediction_id=record.prediction.id, tags=record.tags)
        return [user.name for user in users]


FOLLOWER_PREFIX = "follower:"
log = logging.getLogger("tracker.follows")


def follower_channel_name(user: AppUser) -> str | None:
    """The name of a follower's own email channel in the ledger; None without an address."""
    if user.email is None or user.disabled_at is not None:
        return None
    return f"{FOLLOWER_PREFIX}{user.id}:{user.name}"[:100]  # the id keeps a cut name unique


def follower_channels(
    engine: Engine, build: Callable[[str, str], Channel], *, now: dt.datetime
) -> dict[str, Channel]:
    """An email channel for each follower with an address (`build(name, address)`), read
    afresh for each pass: someone who starts following, or changes address, while the
    service runs is mailed from the next pass on."""
    with transaction(engine) as session:
        users = found.emailed_followers(session)
        channels = {}
        for user in users:
            name = follower_channel_name(user)
            if name is None or user.email is None:
                continue
            try:
                channels[name] = build(name, user.email)
            except ConfigError as exc:  # an address stored before addresses were checked so
                log.warning("not mailing follower %s: %s", user.name, exc)
        outbox.retire_channels(
            session, prefix=FOLLOWER_PREFIX, keep=list(channels), now=now,
            reason="its follower is disabled, has no address now or stopped following",
        )  # fmt: skip
    return channels


def follower_hook(channel_of: Callable[[AppUser], str | None]) -> FollowHook:
    """The planner's hook: each follower's channel (`channel_of` a user: e.g. their email
    channel's name, None when they have no email) for every event of a followed question.
    Stale-forecast nudges are the forecaster's own business, so followers do not get them."""

    def hook(session: Session, record: PredictionRecord, event: Event) -> list[str]:
        if event.kind == "stale-forecast" or record.prediction.id is None:
            return []
        users = found.followers_for(session, prediction_id=record.prediction.id, tags=record.tags)
        return [name for user in users if (name := channel_of(user)) is not None]

    return hook
