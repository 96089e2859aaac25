"""Routes: the pure rules (examples and properties), the settings that make them, and
`tracker routes` / `tracker routes test`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Result, assert_one_line_error
from tracker.bootstrap import configured_routes
from tracker.config import load_settings
from tracker.domain.routing import (
    EVENT_KINDS,
    Event,
    Route,
    channels_for,
    check_routes,
    route_decisions,
)
from tracker.errors import ConfigError

ALL = ["a", "b", "c"]
SYRIA_DUE = Event(kind="due", key="pullout", tags=("syria",), forecasters=("ISW", "Desk"))


def test_no_routes_send_everything_everywhere() -> None:
    assert channels_for(SYRIA_DUE, [], ALL) == ALL


def test_the_first_matching_route_wins() -> None:
    routes = [
        Route(channels=("b",), match_tags=("ukraine",)),
        Route(channels=("c",), match_tags=("syria",)),
        Route(channels=("a",)),  # matches everything, but comes too late
    ]
    assert channels_for(SYRIA_DUE, routes, ALL) == ["c"]


def test_continue_reads_on_and_adds_channels_in_configured_order() -> None:
    routes = [
        Route(channels=("c",), match_kinds=("due",), continue_=True),
        Route(channels=("a",), match_forecasters=("ISW",)),
        Route(channels=("b",)),
    ]
    assert channels_for(SYRIA_DUE, routes, ALL) == ["a", "c"]


def test_every_given_field_must_match_and_any_value_of_one_does() -> None:
    both = Route(channels=("a",), match_tags=("Iran", "SYRIA"), match_kinds=("overdue",))
    assert channels_for(SYRIA_DUE, [both], ALL) == []  # the tag matches, the kind does not
    kinds = Route(channels=("a",), match_tags=("Iran", "SYRIA"), match_kinds=("due", "overdue"))
    assert channels_for(SYRIA_DUE, [kinds], ALL) == ["a"]  # tags case-insensitive
    keys = Route(channels=("b",), match_keys=("other", "pullout"), match_forecasters=("Desk",))
    assert channels_for(SYRIA_DUE, [keys], ALL) == ["b"]
    forecaster = Route(channels=("b",), match_forecasters=("isw",))  # names are exact
    assert channels_for(SYRIA_DUE, [forecaster], ALL) == []


def test_an_event_no_route_matches_goes_nowhere() -> None:
    routes = [Route(channels=("a",), match_tags=("ukraine",))]
    assert channels_for(SYRIA_DUE, routes, ALL) == []


def test_a_route_without_channels_drops_what_it_matches() -> None:
    routes = [Route(channels=(), match_kinds=("due",)), Route(channels=("a",))]
    assert channels_for(SYRIA_DUE, routes, ALL) == []


names = st.sampled_from(ALL)
values = st.lists(st.sampled_from(["syria", "iran", "x", "ISW", "Desk", "pullout"]), max_size=2)
routes_strategy = st.lists(
    st.builds(
        Route,
        channels=st.lists(names, min_size=1, max_size=3).map(tuple),
        match_tags=values.map(tuple),
        match_forecasters=values.map(tuple),
        match_keys=values.map(tuple),
        match_kinds=st.lists(st.sampled_from(EVENT_KINDS), max_size=2).map(tuple),
        continue_=st.booleans(),
    ),
    max_size=5,
)
events = st.builds(
    Event,
    kind=st.sampled_from(EVENT_KINDS),
    key=st.sampled_from(["pullout", "x"]),
    tags=values.map(tuple),
    forecasters=values.map(tuple),
)


@given(events)
def test_property_no_routes_is_every_channel(event: Event) -> None:
    assert channels_for(event, [], ALL) == ALL


@given(events, routes_strategy)
def test_property_routes_read_in_order_until_one_without_continue(
    event: Event, routes: list[Route]
) -> None:
    expected: set[str] = set()
    for route in routes:
        if route.matches(event):
            expected |= set(route.channels)
            if not route.continue_:
                break
    chosen = channels_for(event, routes, ALL)
    if routes:
        assert set(chosen) == expected
    assert chosen == [name for name in ALL if name in chosen]  # configured order, each once


@given(events, routes_strategy, routes_strategy)
def test_property_what_follows_a_final_match_changes_nothing(
    event: Event, routes: list[Route], more: list[Route]
) -> None:
    final = Route(channels=("b",))  # matches every event, no continue
    assert channels_for(event, [*routes, final], ALL) == channels_for(
        event, [*routes, final, *more], ALL
    )


@given(events, routes_strategy)
def test_property_a_digest_holds_only_where_no_route_sends_at_once(
    event: Event, routes: list[Route]
) -> None:
    import dataclasses

    # Every other route a digest one, all going on: a channel is held by the first digest
    # route that reaches it, unless a route without a digest reaches it too.
    mixed = [
        dataclasses.replace(r, continue_=True, digest="daily 08:00" if n % 2 else None)
        for n, r in enumerate(routes)
    ]
    decided = route_decisions(event, mixed, ALL)
    assert list(decided) == channels_for(event, mixed, ALL)
    for channel, number in decided.items():
        reaching = [n for n, r in enumerate(mixed, 1) if r.matches(event) and channel in r.channels]
        at_once = [n for n in reaching if mixed[n - 1].digest is None]
        assert number == (None if at_once or not mixed else reaching[0])


def test_a_digest_reads_in_its_routes_zone_or_the_services() -> None:
    berlin = Route(channels=("a",), digest="daily 08:00", timezone="Europe/Berlin")
    schedule = berlin.schedule(ZoneInfo("UTC"))
    assert schedule is not None
    assert schedule.describe() == "daily 08:00 (Europe/Berlin)"
    plain = Route(channels=("a",), digest="weekly mon 09:30")
    assert plain.schedule(ZoneInfo("Asia/Tokyo")).describe() == "weekly mon 09:30 (Asia/Tokyo)"  # type: ignore[union-attr]
    assert Route(channels=("a",)).schedule(ZoneInfo("UTC")) is None


@given(events, routes_strategy)
def test_property_continue_on_every_route_is_the_union_of_matches(
    event: Event, routes: list[Route]
) -> None:
    import dataclasses

    going_on = [dataclasses.replace(r, continue_=True) for r in routes]
    union = {c for r in routes if r.matches(event) for c in r.channels}
    if routes:
        assert set(channels_for(event, going_on, ALL)) == union


def test_check_routes_refuses_unknown_channels_kinds_and_digests() -> None:
    with pytest.raises(ConfigError, match="route 2 names channel 'nope'"):
        check_routes([Route(channels=("a",)), Route(channels=("nope",))], ALL)
    with pytest.raises(ConfigError, match="unknown kind 'later'"):
        check_routes([Route(channels=("a",), match_kinds=("later",))], ALL)
    with pytest.raises(ConfigError, match="digest"):
        check_routes([Route(channels=("a",), digest="hourly")], ALL)
    check_routes([Route(channels=())], ALL)  # drops what it matches, on purpose
    check_routes([Route(channels=("a",), digest="weekly mon 08:00")], ALL)


CONFIG = """
[[channels]]
name = "desk"
kind = "console"

[[channels]]
name = "wire"
kind = "console"

[[routes]]
match_tags = ["Syria"]
match_kinds = ["overdue", "due"]
channels = ["desk"]
continue = true
digest = "daily 08:00"

[[routes]]
channels = ["wire"]
"""


def write_config(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("tracker.toml").write_text(text)
    monkeypatch.setenv("TRACKER_CONFIG", "tracker.toml")


def test_routes_from_the_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(CONFIG, monkeypatch)
    routes = configured_routes(load_settings())
    assert routes[0] == Route(
        channels=("desk",),
        match_tags=("Syria",),
        match_kinds=("overdue", "due"),
        continue_=True,
        digest="daily 08:00",
    )
    assert routes[1] == Route(channels=("wire",))


def test_routes_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_CHANNELS", json.dumps([{"name": "desk", "kind": "console"}]))
    routes = [{"match_keys": ["k1"], "channels": ["desk"], "continue": True}]
    monkeypatch.setenv("TRACKER_ROUTES", json.dumps(routes))
    assert configured_routes(load_settings()) == [
        Route(channels=("desk",), match_keys=("k1",), continue_=True)
    ]


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ('channels = ["desk", "mail"]', "route 1 names channel 'mail', which is not configured"),
        ('channels = ["desk"]\nmatch_kinds = ["soon"]', "unknown kind 'soon'"),
        ('channels = ["desk"]\nmatch_colour = ["red"]', "routes.0.match_colour"),
        ('channels = ["desk"]\ndigest = "every day"', "write 'daily 08:00'"),
        ('channels = ["desk"]\ndigest = "daily 08:00"\ntimezone = "Mars/Base"', "'Mars/Base'"),
        ('match_tags = ["x"]', "routes.0.channels"),
    ],
)
def test_a_bad_route_is_one_line(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, route: str, message: str
) -> None:
    write_config(
        f'[[channels]]\nname = "desk"\nkind = "console"\n\n[[routes]]\n{route}\n', monkeypatch
    )
    assert_one_line_error(cli("routes"), contains=message)
    assert_one_line_error(cli("check"), contains=message)


def test_routes_lists_them(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    assert "No routes: every reminder goes to every channel (console)." in cli("routes").out
    write_config(CONFIG, monkeypatch)
    with freeze_time("2026-12-01T08:30:00Z"):
        shown = cli("routes")
        listed = cli("routes", "--json").json()
    assert shown.code == 0, shown.err
    assert shown.out.splitlines() == [
        "1. when kinds overdue, due; tags Syria -> desk (continue) (digest daily 08:00 (UTC); "
        "next 2026-12-02 08:00 UTC)",
        "2. always -> wire",
        "A reminder that no route matches goes nowhere.",
    ]
    assert listed["channels"] == ["desk", "wire"]
    assert listed["routes"][0]["continue"] is True
    assert listed["routes"][0]["schedule"] == "daily 08:00 (UTC)"
    assert listed["routes"][0]["next_digest_at"] == "2026-12-02T08:00:00Z"
    assert listed["routes"][1] == {
        "match_tags": [], "match_forecasters": [], "match_keys": [], "match_kinds": [],
        "channels": ["wire"], "continue": False, "digest": None, "timezone": None,
    }  # fmt: skip


def test_routes_test_shows_where_a_reminder_would_go_and_sends_nothing(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    resolved_to_wire = 'match_kinds = ["resolved"]\nchannels = ["wire"]'
    write_config(CONFIG.replace('channels = ["wire"]', resolved_to_wire), monkeypatch)
    added = cli("add", "Pullout", "--due", "2030-02", "--key", "pullout", "--tag", "syria",
                "--forecaster", "ISW", "--probability", "0.3")  # fmt: skip
    assert added.code == 0, added.err
    overdue = cli("routes", "test", "--question", "pullout", "--kind", "overdue")
    assert overdue.out.startswith(
        "An overdue reminder for pullout would go to: desk (in route 1's digest daily 08:00 (UTC), "
        "at "
    )
    upcoming = cli("routes", "test", "--question", "pullout", "--kind", "upcoming")
    assert (
        upcoming.out == "An upcoming reminder for pullout would go to: nowhere (no route matches)\n"
    )
    resolved = cli("routes", "test", "--question", "pullout", "--kind", "resolved", "--json")
    assert resolved.json() == {
        "question": "pullout", "kind": "resolved", "tags": ["syria"], "forecasters": ["ISW"],
        "channels": ["wire"], "digests": {}, "followers": [],
    }  # fmt: skip
    assert_one_line_error(
        cli("routes", "test", "--question", "pullout", "--kind", "late"), contains="--kind"
    )
    assert_one_line_error(
        cli("routes", "test", "--question", "nope", "--kind", "due"), contains="nope"
    )
    from tests.conftest import count_rows

    assert count_rows(database_url, "delivery") == 0
