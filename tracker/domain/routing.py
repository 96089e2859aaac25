"""Which channels an event reaches: the [[routes]] rules. Pure.

A route matches an event when every match field it gives matches (a field matches when any of
its values does); an empty or missing field matches everything. Routes are read in order: the
first that matches decides, unless it says `continue`, in which case its channels are taken and
the next routes are read too; a route with `channels = []` drops what it matches. With no
routes at all every event reaches every channel (what
tracker did before routes existed); with routes, an event that no route matches reaches none.

A route with a `digest` schedule keeps what it sends for one message per period (in its own
`timezone`, else the service's); a channel that some route without a digest also reaches gets
the event at once, since that route asked for it now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import parse_zone
from tracker.domain.digests import DigestSchedule, parse_digest
from tracker.errors import ConfigError, InvalidInput

EVENT_KINDS = (
    "upcoming", "due", "overdue", "resolved", "stale-forecast", "proposal", "evidence"
)  # fmt: skip
STALE_FORECAST = "stale-forecast"
EVIDENCE = "evidence"  # an article reports how an open question ended: a person may accept it
# New proposals found in an article: tags are the proposals', forecasters theirs, and the key
# that of the question a proposal matches ("" when none does).
PROPOSAL = "proposal"


@dataclass(frozen=True)
class Event:
    """What a route looks at: the kind of message, the question's tags and key, and the
    forecasters whose forecasts are in force (for a stale-forecast nudge: the one nudged; for
    a proposal: its own tags and forecaster, and the key of the question it matches)."""

    kind: str
    key: str
    tags: tuple[str, ...] = ()
    forecasters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    channels: tuple[str, ...]
    match_tags: tuple[str, ...] = ()
    match_forecasters: tuple[str, ...] = ()
    match_keys: tuple[str, ...] = ()
    match_kinds: tuple[str, ...] = ()
    continue_: bool = False
    digest: str | None = None  # "daily 08:00", "weekly mon 08:00"
    timezone: str | None = None  # the digest's zone; None: the service's (TRACKER_TIMEZONE)

    def matches(self, event: Event) -> bool:
        tags = {tag.casefold() for tag in event.tags}
        return (
            _any(self.match_kinds, {event.kind})
            and _any(self.match_keys, {event.key})
            and _any(tuple(t.casefold() for t in self.match_tags), tags)
            and _any(self.match_forecasters, set(event.forecasters))
        )

    def describe(self) -> dict[str, object]:
        return {
            "match_tags": list(self.match_tags),
            "match_forecasters": list(self.match_forecasters),
            "match_keys": list(self.match_keys),
            "match_kinds": list(self.match_kinds),
            "channels": list(self.channels),
            "continue": self.continue_,
            "digest": self.digest,
            "timezone": self.timezone,
        }

    def schedule(self, default_tz: ZoneInfo) -> DigestSchedule | None:
        """The digest's schedule in the route's zone; None for a route that sends at once."""
        zone = default_tz if self.timezone is None else parse_zone(self.timezone)
        return None if self.digest is None else parse_digest(self.digest, zone)


def _any(wanted: Sequence[str], present: set[str]) -> bool:
    return not wanted or any(value in present for value in wanted)


def channels_for(event: Event, routes: Sequence[Route], all_channels: Sequence[str]) -> list[str]:
    """The channels `event` reaches, in the order they are configured (each once)."""
    return list(route_decisions(event, routes, all_channels))


def route_decisions(
    event: Event, routes: Sequence[Route], all_channels: Sequence[str]
) -> dict[str, int | None]:
    """Each channel `event` reaches, in configured order, with the number (from 1) of the
    digest route that keeps it for its next digest, or None when it goes at once."""
    if not routes:
        return dict.fromkeys(all_channels)
    chosen: dict[str, int | None] = {}
    for number, route in enumerate(routes, start=1):
        if route.matches(event):
            for name in route.channels:
                if route.digest is None:
                    chosen[name] = None
                else:
                    chosen.setdefault(name, number)
            if not route.continue_:
                break
    return {name: chosen[name] for name in all_channels if name in chosen}


def check_routes(routes: Iterable[Route], channel_names: Sequence[str]) -> None:
    """Refuse a route naming a channel that is not configured, or an unknown kind, in one line."""
    known = set(channel_names)
    for number, route in enumerate(routes, start=1):
        where = f"route {number}"
        unknown = next((name for name in route.channels if name not in known), None)
        if unknown is not None:
            raise ConfigError(
                f"{where} names channel {unknown!r}, which is not configured "
                f"(channels: {', '.join(channel_names)})"
            )
        kind = next((k for k in route.match_kinds if k not in EVENT_KINDS), None)
        if kind is not None:
            raise ConfigError(
                f"{where}: unknown kind {kind!r} in match_kinds (one of {', '.join(EVENT_KINDS)})"
            )
        if route.timezone is not None or route.digest is not None:
            try:
                route.schedule(ZoneInfo("UTC"))  # the zone does not change what is valid
            except InvalidInput as exc:
                raise ConfigError(f"{where}: {exc}") from None
