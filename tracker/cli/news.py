"""Commands for news coming in: feeds add/list/remove/poll, and the proposals found in
articles (list, accept, reject)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.paging import AfterOption, LimitOption, more
from tracker.cli.people import local_time
from tracker.cli.terminal import cell, utf8
from tracker.errors import EnvironmentFailure, InvalidInput

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from tracker.news.proposals import Decision, ProposalView

feeds_app = typer.Typer(
    help="RSS and Atom feeds that `tracker run` polls for articles: add, list, remove, poll.",
    no_args_is_help=True,
)
app.add_typer(feeds_app, name="feeds")
proposals_app = typer.Typer(
    help="Forecasts found in articles, waiting for a person: list (the default), accept, reject."
)
app.add_typer(proposals_app, name="proposals")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
STATUSES = ("pending", "accepted", "rejected", "all")


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(metavar="URL", help="The feed's http(s) URL.")],
    name: Annotated[
        str | None, typer.Option(help="A short name for it (default: its host).")
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="T", help="A tag for what it proposes; repeatable."),
    ] = None,
    forecaster_default: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Who made a forecast whose sentence names no one."),
    ] = None,
    every: Annotated[
        str, typer.Option(metavar="DURATION", help="How often to poll it (1m to 7d).")
    ] = "30m",
    auto_accept: Annotated[
        bool,
        typer.Option(
            "--auto-accept",
            help="Store its forecasts as questions at once (tagged 'auto'), not as proposals.",
        ),
    ] = False,
    auto_resolve: Annotated[
        bool,
        typer.Option(
            "--auto-resolve",
            help="Resolve questions from its articles' evidence scored above 0.9 at once, "
            "without a person (see tracker evidence).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Watch a feed: `tracker run` polls it from now on."""
    from tracker.domain.durations import parse_duration
    from tracker.io.proposals import feed_json
    from tracker.news import feeds

    try:
        interval = parse_duration(every)
    except InvalidInput as exc:
        raise InvalidInput(f"--every: {exc}") from None
    rt = Runtime(create=True)
    feed = feeds.add_feed(
        rt.engine, url=url, now=rt.now, actor=rt.actor, name=name, tags=tag or [],
        forecaster_default=forecaster_default, every=interval, auto_accept=auto_accept,
        auto_resolve=auto_resolve,
    )  # fmt: skip
    if as_json:
        print_json(feed_json(feed))
    else:
        from tracker.io.fetch import public_url

        say(
            f"Watching {public_url(feed.url)} as {feed.name}, every {every}; "
            "`tracker run` polls it."
        )


@feeds_app.command("list")
def feeds_list(as_json: JsonOption = False) -> None:
    """The feeds watched, with when each last succeeded and its last error."""
    from tracker.io.fetch import public_url
    from tracker.io.proposals import feed_json
    from tracker.news import feeds

    rt = Runtime()
    rows = feeds.list_feeds(rt.engine)
    if as_json:
        print_json([feed_json(feed) for feed in rows])
        return
    if not rows:
        say("No feeds yet (tracker feeds add URL).")
        return
    from rich.table import Table

    tz = rt.settings.tz
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("Name", "URL", "Last success", "Last result", "Last error", "Next poll"):
        table.add_column(column, overflow="fold")
    for feed in rows:
        error = f"{feed.last_error} ({feed.failures}x)" if feed.last_error else ""
        table.add_row(*map(cell, (
            feed.name, public_url(feed.url), local_time(feed.last_success_at, tz) or "never",
            feed.last_result or "", error, local_time(feed.next_poll_at, tz),
        )))  # fmt: skip
    console().print(table)


@feeds_app.command("remove")
def feeds_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The feed's name or URL.")],
) -> None:
    """Stop watching a feed (what it brought stays)."""
    from tracker.news import feeds

    rt = Runtime()
    feed = feeds.remove_feed(rt.engine, ref=name, now=rt.now, actor=rt.actor)
    from tracker.io.fetch import public_url

    say(f"No longer watching {feed.name} ({public_url(feed.url)}).")


@feeds_app.command("poll")
def feeds_poll(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME]...", help="The feeds to poll (default: every one)."),
    ] = None,
    due: Annotated[
        bool,
        typer.Option("--due", help="Only the feeds whose interval has passed (for cron)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Poll feeds now, due or not; exit 1 when one failed (its error is in `feeds list`)."""
    from tracker.news import feeds

    rt = Runtime()
    known = {feed.name for feed in feeds.list_feeds(rt.engine)}
    chosen = list(names) if names else sorted(known)
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise InvalidInput(f"no feed named {unknown[0]!r} (tracker feeds list)")
    from tracker.news.polling import FeedPoller

    if due and names:
        raise InvalidInput("--due polls the feeds that are due; name feeds or give --due")
    poller = FeedPoller(engine=rt.engine, settings=rt.settings)
    report = poller.poll(rt.now, names=None if due else chosen)
    if as_json:
        print_json(report.as_json())
    else:
        for _level, line in report.lines:
            say(line)
        say(report.summary().capitalize() + ".")
    if report.failed:
        raise EnvironmentFailure(f"{report.failed} of {report.feeds} feeds failed")


@proposals_app.callback(invoke_without_command=True)
def proposals(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help=f"Which to list: {', '.join(STATUSES)}.")] = "pending",
    limit: LimitOption = 100,
    after: AfterOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the proposals waiting for a person (or, with --status, those decided), oldest
    first, 100 at a time (--limit, --after)."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.news.proposals import page_proposals

    if status not in STATUSES:
        raise InvalidInput(f"--status must be one of {', '.join(STATUSES)}")
    rt = Runtime()
    page = page_proposals(
        rt.engine, status=None if status == "all" else status, limit=limit, cursor=after
    )
    again = "proposals" + ("" if status == "pending" else f" --status {status}")
    again += "" if limit == 100 else f" --limit {limit}"
    if as_json:
        print_json([_view_json(view, rt.settings.tz) for view in page.items])
        more(again, len(page.items), page.next, as_json=True)
        return
    _print_proposals(page.items, rt, status)
    more(again, len(page.items), page.next)


def _view_json(view: ProposalView, tz: ZoneInfo) -> dict[str, Any]:
    from tracker.io.proposals import proposal_json

    return proposal_json(view.proposal, article=view.article, match=view.match, tz=tz)


def _print_proposals(views: list[ProposalView], rt: Runtime, status: str) -> None:
    from rich.table import Table

    if not views:
        say(f"No {'' if status == 'all' else status + ' '}proposals.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("ID", "Due", "P", "Forecaster", "Claim", "Source", "Matches"):
        table.add_column(column, overflow="fold", ratio=3 if column == "Claim" else None)
    for view in views:
        shown = _view_json(view, rt.settings.tz)
        match, cited = shown["match"], shown["source"] or {}
        chance = view.proposal.probability
        source = cited.get("title") or cited.get("url") or ""
        table.add_row(*map(cell, (
            str(view.proposal.id), shown["due"], "" if chance is None else f"{chance:.0%}",
            view.proposal.forecaster or "", view.proposal.claim, source,
            f"{match['key']} ({match['score']:.2f})" if match else "",
        )))  # fmt: skip
    console().print(table)


@proposals_app.command("accept")
def proposals_accept(
    proposal_id: Annotated[int, typer.Argument(metavar="ID", help="The proposal's id.")],
    claim: Annotated[
        str | None, typer.Option(help="The claim as it should read.", callback=utf8)
    ] = None,
    due: Annotated[
        str | None, typer.Option(help="The deadline, as `tracker add --due` takes it.")
    ] = None,
    forecaster: Annotated[str | None, typer.Option(help="Who made the forecast.")] = None,
    probability: Annotated[
        str | None, typer.Option(help="The probability: 0.7, 70% or odds 7:3.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", metavar="T", help="Another tag; repeatable.")
    ] = None,
    new: Annotated[
        bool,
        typer.Option("--new", help="Store it as a new question even when it matches one."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Accept a proposal, corrected first if need be: it becomes a question, or a source (and
    forecast) on the question it matches."""
    from tracker.domain.probability import parse_probability
    from tracker.news.proposals import Corrections, accept

    try:
        chance = parse_probability(probability)
    except InvalidInput as exc:
        raise InvalidInput(f"--probability: {exc}") from None
    rt = Runtime()
    corrections = Corrections(
        claim=claim, due=due, forecaster=forecaster, probability=chance, tags=tuple(tag or ())
    )
    decision = accept(
        rt.engine, proposal_id=proposal_id, actor=rt.actor, now=rt.now, tz=rt.settings.tz,
        policy=rt.policy, corrections=corrections, as_new=new,
    )  # fmt: skip
    _say_accepted(decision, as_json=as_json)


def _say_accepted(decision: Decision, *, as_json: bool) -> None:
    prediction = decision.prediction
    assert prediction is not None
    if as_json:
        print_json({
            "proposal": decision.proposal.id, "question": prediction.key, "id": prediction.id,
            "attached": decision.attached, "score": decision.score,
            "forecast_added": decision.forecast_added, "notes": decision.notes,
        })  # fmt: skip
        return
    if decision.attached:
        added = " and a forecast" if decision.forecast_added else ""
        say(
            f"Proposal {decision.proposal.id} matches {prediction.key} (similarity "
            f"{decision.score:.2f}): added its source{added} there."
        )
    else:
        say(f"Proposal {decision.proposal.id} stored as {prediction.key} (id {prediction.id}).")
    for note in decision.notes:
        say(f"Note: {note}.")


@proposals_app.command("reject")
def proposals_reject(
    proposal_id: Annotated[int, typer.Argument(metavar="ID", help="The proposal's id.")],
    reason: Annotated[str | None, typer.Option(help="Why, kept with it.", callback=utf8)] = None,
) -> None:
    """Reject a proposal: nothing is stored but the decision and its reason."""
    from tracker.news.proposals import reject

    rt = Runtime()
    proposal = reject(rt.engine, proposal_id=proposal_id, actor=rt.actor, now=rt.now, reason=reason)
    say(f"Proposal {proposal.id} rejected.")
