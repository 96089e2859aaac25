"""Where a pass sends each thing: the routes over the worker's channels, plus the followers'
hook; shared by the reminder planner and the nudges. A digest route's channels get the thing
held for the period it fell due in, not sent at once (`held_for`: a reminder planned late, in
the pass at a period's end, still goes in that period's message)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.domain.digests import period_containing
from tracker.domain.forecasts import in_force
from tracker.domain.routing import Event, Route, route_decisions
from tracker.persistence.models import PredictionRecord

# Extra channels for an event beyond its routes: the hook the followers' email will use (a user
# who follows a tag or question gets its reminders at an implicit per-user channel). Called in
# the planning transaction; it returns channel names the worker can send to.
FollowHook = Callable[[Session, PredictionRecord, Event], Sequence[str]]
UTC_ZONE = ZoneInfo("UTC")


class Targets(list[str]):
    """The channels an event reaches, and on which of them a digest holds it."""

    def __init__(self, channels: Iterable[str], holds: dict[str, outbox.Hold]) -> None:
        super().__init__(channels)
        self.holds = holds


@dataclass(frozen=True)
class Routing:
    """Where a pass sends things: every channel the worker has, the routes over them, and the
    followers' hook. `tz`: a digest route's zone when it names none."""

    channels: Sequence[str]
    routes: Sequence[Route] = ()
    follow_hook: FollowHook | None = None
    tz: ZoneInfo = UTC_ZONE

    def targets(
        self, session: Session, record: PredictionRecord, event: Event, *, now: dt.datetime
    ) -> Targets:
        routed = self.routed(event, now=now)
        chosen = list(routed)
        if self.follow_hook is not None:
            chosen += [c for c in self.follow_hook(session, record, event) if c not in chosen]
        return Targets(chosen, routed.holds)

    def routed(self, event: Event, *, now: dt.datetime) -> Targets:
        """The channels the routes give `event` (no followers: a proposal has no question
        to follow yet), each digest route's hold in the period containing `now`."""
        decided = route_decisions(event, self.routes, self.channels)
        holds = {}
        for channel, number in decided.items():
            if number is not None:
                schedule = self.routes[number - 1].schedule(self.tz)
                assert schedule is not None  # only a digest route holds
                period = period_containing(now, schedule)
                holds[channel] = outbox.Hold(f"{number}/{period.key}", period.end)
        return Targets(decided, holds)

    def held_for(self, targets: Targets, moment: dt.datetime) -> Targets:
        """The same targets, each hold in the period containing `moment` (when a reminder
        fell due) rather than the planning pass's."""
        if not targets.holds:
            return targets
        holds = {}
        for channel, hold in targets.holds.items():
            number = int(hold.digest.split("/", 1)[0])
            schedule = self.routes[number - 1].schedule(self.tz)
            assert schedule is not None
            period = period_containing(moment, schedule)
            holds[channel] = outbox.Hold(f"{number}/{period.key}", period.end)
        return Targets(list(targets), holds)


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
    """Enqueue each item on its own channels, in one bulk insert per set of channels (and
    digests holding it)."""
    Key = tuple[tuple[str, ...], tuple[tuple[str, outbox.Hold], ...]]
    groups: dict[Key, list[outbox.Queued]] = defaultdict(list)
    for entry, targets in queued:
        if targets:
            held = targets.holds if isinstance(targets, Targets) else {}
            ordered = tuple(sorted(held.items(), key=lambda pair: pair[0]))
            groups[(tuple(targets), ordered)].append(entry)
    for (channels, holds), entries in groups.items():
        outbox.enqueue(session, queued=entries, channels=channels, now=now, holds=dict(holds))
