"""Where a pass sends each thing: the routes over the worker's channels, plus the followers'
hook; shared by the reminder planner and the nudges."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.domain.forecasts import in_force
from tracker.domain.routing import Event, Route, channels_for
from tracker.persistence.models import PredictionRecord

# Extra channels for an event beyond its routes: the hook the followers' email will use (a user
# who follows a tag or question gets its reminders at an implicit per-user channel). Called in
# the planning transaction; it returns channel names the worker can send to.
FollowHook = Callable[[Session, PredictionRecord, Event], Sequence[str]]


@dataclass(frozen=True)
class Routing:
    """Where a pass sends things: every channel the worker has, the routes over them, and the
    followers' hook."""

    channels: Sequence[str]
    routes: Sequence[Route] = ()
    follow_hook: FollowHook | None = None

    def targets(self, session: Session, record: PredictionRecord, event: Event) -> list[str]:
        chosen = channels_for(event, self.routes, self.channels)
        if self.follow_hook is not None:
            chosen += [c for c in self.follow_hook(session, record, event) if c not in chosen]
        return chosen


def event_for(record: PredictionRecord, kind: str, now: dt.datetime) -> Event:
    """What a route matches a question's event on: its tags, key, and forecasters in force."""
    return Event(
        kind=kind,
        key=record.prediction.key,
        tags=tuple(record.tags),
        forecasters=tuple(in_force(record.forecasts, now)),
    )


def enqueue_routed(
    session: Session, *, queued: Sequence[tuple[outbox.Queued, Sequence[str]]], now: dt.datetime
) -> None:
    """Enqueue each item on its own channels, in one bulk insert per set of channels."""
    groups: dict[tuple[str, ...], list[outbox.Queued]] = defaultdict(list)
    for entry, targets in queued:
        if targets:
            groups[tuple(targets)].append(entry)
    for targets, entries in groups.items():
        outbox.enqueue(session, queued=entries, channels=targets, now=now)
