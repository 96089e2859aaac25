"""`tracker routes`: the [[routes]] rules, and `routes test`: where a reminder would go."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, print_json, say
from tracker.cli.terminal import utf8

if TYPE_CHECKING:
    from tracker.domain.routing import Route

KINDS = ("upcoming", "due", "overdue", "resolved", "stale-forecast", "proposal")

routes_app = typer.Typer(
    help="Which reminders go to which channels ([[routes]] in the config file); "
    "`routes test` shows where one would go.",
    invoke_without_command=True,
)
app.add_typer(routes_app, name="routes")


def _kind(value: str | None) -> str | None:
    if value is not None and value not in KINDS:
        raise typer.BadParameter(f"must be one of {', '.join(KINDS)}")
    return value


@routes_app.callback()
def routes_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
) -> None:
    """List the routes in the order they are read (the first match wins unless it says
    continue)."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.bootstrap import configured_routes
    from tracker.config import channel_settings

    rt = Runtime()
    names = [c.name for c in channel_settings(rt.settings)]
    routes = configured_routes(rt.settings, names)
    if as_json:
        described = [{**r.describe(), **_next_digest(r, rt)} for r in routes]
        print_json({"channels": names, "routes": described})
        return
    if not routes:
        say(f"No routes: every reminder goes to every channel ({', '.join(names)}).")
        return
    for number, route in enumerate(routes, start=1):
        say(f"{number}. {_describe(route.describe())}{_digest(route, rt)}")
    say("A reminder that no route matches goes nowhere.")


def _describe(route: dict[str, Any]) -> str:
    parts = [
        f"{field.removeprefix('match_')} {', '.join(route[field])}"
        for field in ("match_kinds", "match_tags", "match_forecasters", "match_keys")
        if route[field]
    ]
    text = (
        ("when " + "; ".join(parts) if parts else "always") + " -> " + ", ".join(route["channels"])
    )
    if route["continue"]:
        text += " (continue)"
    return text


def _next_digest(route: Route, rt: Runtime) -> dict[str, Any]:
    """A digest route's schedule and next send time."""
    from tracker.domain.digests import next_send_after
    from tracker.io.records import iso

    schedule = route.schedule(rt.settings.tz)
    if schedule is None:
        return {}
    return {
        "schedule": schedule.describe(),
        "next_digest_at": iso(next_send_after(rt.now, schedule)),
    }


def _held_by(
    decided: dict[str, int | None], routes: list[Route], rt: Runtime
) -> dict[str, dict[str, Any]]:
    """For each channel a digest route would hold the reminder on: that route, its schedule,
    and when the digest holding it would go."""
    from tracker.domain.digests import period_containing
    from tracker.io.records import iso

    held: dict[str, dict[str, Any]] = {}
    for channel, number in decided.items():
        schedule = None if number is None else routes[number - 1].schedule(rt.settings.tz)
        if number is not None and schedule is not None:
            send_at = period_containing(rt.now, schedule).end
            held[channel] = {"route": number, "schedule": schedule.describe(),
                             "send_at": iso(send_at)}  # fmt: skip
    return held


def _digest(route: Route, rt: Runtime) -> str:
    from tracker.domain.digests import next_send_after

    schedule = route.schedule(rt.settings.tz)
    if schedule is None:
        return ""
    local = next_send_after(rt.now, schedule).astimezone(schedule.tz)
    return f" (digest {schedule.describe()}; next {local:%Y-%m-%d %H:%M %Z})"


@routes_app.command("test")
def routes_test(
    question: Annotated[
        str | None,
        typer.Option("--question", metavar="REF", help="The question's id or key.", callback=utf8),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help=f"The reminder's kind: {', '.join(KINDS)} (with --proposal: proposal).",
            callback=_kind,
        ),
    ] = None,
    proposal: Annotated[
        int | None,
        typer.Option(metavar="ID", help="A proposal instead: where its announcement would go."),
    ] = None,
    forecaster: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="For stale-forecast: the forecaster nudged (default: every one in force).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """Which channels a reminder of KIND for the question (or the announcement of a new
    proposal) would reach now; sends nothing."""
    import dataclasses

    from tracker.bootstrap import configured_routes
    from tracker.config import channel_settings
    from tracker.domain.routing import channels_for, route_decisions

    kind = _check_subject(question, proposal, kind)
    rt = Runtime()
    names = [c.name for c in channel_settings(rt.settings)]
    routes = configured_routes(rt.settings, names)
    subject, event, followers = (
        _question_event(rt, question, kind) if question is not None
        else _proposal_event(rt, proposal or 0)
    )  # fmt: skip
    if forecaster is not None:
        event = dataclasses.replace(event, forecasters=(forecaster,))
    channels = channels_for(event, routes, names)
    digests = _held_by(route_decisions(event, routes, names), routes, rt)
    if as_json:
        print_json(
            {
                ("question" if question is not None else "proposal"): subject,
                "kind": kind,
                "tags": list(event.tags),
                "forecasters": list(event.forecasters),
                "channels": channels,
                "digests": digests,
                "followers": followers,
            }
        )
        return
    _say_destinations(subject, kind, channels, digests, followers)


def _check_subject(question: str | None, proposal: int | None, kind: str | None) -> str:
    """The kind asked about: a question's reminder needs --kind, a proposal is "proposal"."""
    from tracker.errors import InvalidInput

    if (question is None) == (proposal is None):
        raise InvalidInput("name one --question REF or one --proposal ID")
    if proposal is not None:
        if kind not in (None, "proposal"):
            raise InvalidInput("a proposal's only event is its announcement: --kind proposal")
        return "proposal"
    if kind is None or kind == "proposal":
        raise InvalidInput(f"--question needs --kind, one of {', '.join(KINDS[:-1])}")
    return kind


def _question_event(rt: Runtime, question: str, kind: str) -> tuple[str, Any, list[str]]:
    from tracker import service
    from tracker.delivery.routed import event_for
    from tracker.follows import followers_of

    record = service.show_prediction(rt.engine, ref=question)
    return record.prediction.key, event_for(record, kind, rt.now), followers_of(rt.engine, record)


def _proposal_event(rt: Runtime, proposal_id: int) -> tuple[str, Any, list[str]]:
    from tracker.delivery.announce import proposal_event
    from tracker.news.proposals import show_proposal

    view = show_proposal(rt.engine, proposal_id=proposal_id)
    return f"proposal {proposal_id}", proposal_event(view.proposal, view.match), []


def _say_destinations(
    key: str,
    kind: str,
    channels: list[str],
    digests: dict[str, dict[str, Any]],
    followers: list[str],
) -> None:
    where = ", ".join(
        f"{c} (in route {digests[c]['route']}'s digest {digests[c]['schedule']}, "
        f"at {digests[c]['send_at']})" if c in digests else c
        for c in channels
    )  # fmt: skip
    where = where or "nowhere (no route matches)"
    if kind == "proposal":
        say(f"The announcement of {key} would go to: {where}")
    else:
        article = "An" if kind[0] in "aeiou" else "A"
        say(f"{article} {kind} reminder for {key} would go to: {where}")
    if followers:
        say(
            f"Followers: {', '.join(followers)} (each with an address is mailed through the "
            "first email channel)"
        )
