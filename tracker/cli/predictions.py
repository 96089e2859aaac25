"""Commands for predictions: add, list, show, resolve, reopen."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.add_input import AddOptions, validated_prediction
from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.paging import AfterOption, LimitOption, SearchOption, more
from tracker.cli.terminal import cell, utf8
from tracker.enums import ListStatus, Outcome
from tracker.errors import AlreadyResolved, Conflict, InvalidInput, KeyTaken

if TYPE_CHECKING:
    from tracker.domain.inputs import PredictionInput
    from tracker.persistence.models import PredictionRecord

REF_HELP = "The prediction's id or key."


def records_json(
    records: Sequence[PredictionRecord], rt: Runtime, *, full: bool = False
) -> list[dict[str, Any]]:
    """Each question as JSON with its latest forecast per forecaster (full: every forecast,
    source and version)."""
    from tracker.io.questions import question_json

    return [question_json(r, tz=rt.settings.tz, now=rt.now, full=full) for r in records]


ClaimArgument = Annotated[
    str, typer.Argument(metavar="CLAIM", help="What will happen, as a checkable statement.")
]
DueOption = Annotated[
    str,
    typer.Option(
        "--due",
        help="When it must have happened by: 2025-02-20, 2025-02, 'February 2025', "
        "'Feb 20, 2025', 2025-Q1, 2025-H1, 2025, 'in March 2025' or 2025-03-01..2025-03-31.",
    ),
]
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="The time zone the deadline is stated in, e.g. Asia/Tokyo (default: "
        "TRACKER_TIMEZONE). The deadline keeps it.",
    ),
]


@app.command()
def add(
    claim: ClaimArgument,
    due: DueOption,
    window_start: Annotated[
        str | None, typer.Option(help="Start of the window, if it may not happen earlier.")
    ] = None,
    tz: ZoneOption = None,
    forecaster: Annotated[str | None, typer.Option(help="Who made the forecast.")] = None,
    probability: Annotated[
        str | None,
        typer.Option(help="The forecaster's probability: 0.7, 70% or 7:3; the first forecast."),
    ] = None,
    made_at: Annotated[
        str | None,
        typer.Option(
            help="When that forecast was made: an ISO date or time, UTC unless it has "
            "an offset (default: now)."
        ),
    ] = None,
    criteria: Annotated[str | None, typer.Option(help="How the question will be judged.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Where the forecast was made.")] = None,
    source_title: Annotated[str | None, typer.Option(help="Title of the source.")] = None,
    source_publisher: Annotated[str | None, typer.Option(help="Publisher of the source.")] = None,
    source_published: Annotated[
        str | None, typer.Option(help="When the source was published.")
    ] = None,
    quote: Annotated[str | None, typer.Option(help="The forecast, verbatim.")] = None,
    due_text: Annotated[
        str | None, typer.Option(help="The deadline as the source words it ('by February 2025').")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag; repeat for more.")] = None,
    key: Annotated[
        str | None, typer.Option(help="A stable key (default: made from the claim and due date).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the new prediction as JSON.")
    ] = False,
) -> None:
    """Add a question (a prediction), with its first forecast when --forecaster and
    --probability are given."""

    rt = Runtime(create=True)
    source = {"url": source_url, "title": source_title, "publisher": source_publisher,
              "published_at": source_published}  # fmt: skip
    options = AddOptions(
        claim=claim, due=due, window_start=window_start, tz=tz, forecaster=forecaster,
        probability=probability, quote=quote, due_text=due_text, tags=tuple(tag or ()),
        key=key, source=source, criteria=criteria, made_at=made_at,
    )  # fmt: skip
    record = _added(rt, validated_prediction(options, default_tz=rt.settings.tz))
    if as_json:
        print_json(records_json([record], rt)[0])
        return
    p = record.prediction
    say(f"Added #{p.id} {p.key}, due {due_label(record, rt)} ({timing(record, rt)}).")


def _added(rt: Runtime, data: PredictionInput) -> PredictionRecord:
    from tracker import service

    try:
        return service.add_prediction(
            rt.engine, data=data, now=rt.now, policy=rt.policy, actor=rt.actor
        )
    except KeyTaken as exc:
        raise Conflict(f"{exc}; pass another --key to add it anyway") from None


@app.command("list")
def list_(
    status: Annotated[
        ListStatus,
        typer.Option(
            help="Which predictions: open (default), due-soon, overdue, resolved, annulled or all."
        ),
    ] = ListStatus.OPEN,
    forecaster: Annotated[
        str | None, typer.Option(help="Only this forecaster's.", callback=utf8)
    ] = None,
    tag: Annotated[
        str | None, typer.Option(help="Only those with this tag.", callback=utf8)
    ] = None,
    search: SearchOption = None,
    limit: LimitOption = 100,
    after: AfterOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List predictions, soonest deadline first, 100 at a time (--limit, --after)."""
    from tracker import service

    rt = Runtime()
    page = service.list_predictions(
        rt.engine, status=status, now=rt.now, due_soon=rt.settings.due_soon,
        forecaster=forecaster, tag=tag, search=search, limit=limit, cursor=after,
    )  # fmt: skip
    again = shlex.join(_options(status, forecaster, tag, search, limit))
    if as_json:
        print_json(records_json(page.items, rt))
        more(again, len(page.items), page.next, as_json=True)
        return
    if not page.items:
        hint = "" if status is ListStatus.ALL else " (`tracker list --status all` shows every one)"
        say(f"No {status.value} predictions{' matching' if search else ''}.{hint}")
        return
    _print_table(page.items, rt)
    more(again, len(page.items), page.next)


def _options(
    status: ListStatus, forecaster: str | None, tag: str | None, search: str | None, limit: int
) -> list[str]:
    """`tracker list` with the options given, for the line that says how to go on."""
    words = ["list"]
    if status is not ListStatus.OPEN:
        words += ["--status", status.value]
    for option, value in (("--forecaster", forecaster), ("--tag", tag), ("--search", search)):
        if value is not None:
            words += [option, value]
    return words + (["--limit", str(limit)] if limit != 100 else [])


def _print_table(records: Sequence[PredictionRecord], rt: Runtime) -> None:
    from rich.table import Table

    from tracker.cli.questions import forecasters_cell

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("Due", max_width=17, overflow="fold")
    table.add_column("Status", max_width=20, overflow="fold")
    table.add_column("Forecasts", max_width=24, overflow="fold")
    # The claim takes the rest of the width and wraps; rich never has to crop it.
    table.add_column("Claim", ratio=1, overflow="fold")
    for record in records:
        p = record.prediction
        cells = [str(p.id), due_label(record, rt), timing(record, rt)]
        cells += [forecasters_cell(record), p.claim]
        table.add_row(*map(cell, cells))
    console().print(table)


@app.command()
def show(
    ref: Annotated[str, typer.Argument(metavar="REF", help=REF_HELP, callback=utf8)],
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """Show one question: its forecasts, sources, earlier versions, resolutions and history
    (the audit trail's entries for it)."""
    from tracker import service
    from tracker.io.audit import audit_json
    from tracker.people import AuditQuery, audit_trail

    rt = Runtime()
    record = service.show_prediction(rt.engine, ref=ref)
    # By id: the question just found, even if a key that looks like a number names another.
    history = audit_trail(rt.engine, query=AuditQuery(question=str(record.prediction.id)))
    obj = records_json([record], rt, full=True)[0]
    if as_json:
        print_json({**obj, "audit": [audit_json(row) for row in history]})
        return
    from tracker.cli.audit import history_rows

    _print_record(record, obj, rt, history=history_rows(history, rt.settings.tz))


def percent(probability: float | None) -> str:
    return "" if probability is None else f"{probability:.0%}"


def due_label(record: PredictionRecord, rt: Runtime) -> str:
    from tracker.domain.deadline_labels import describe_due
    from tracker.domain.deadlines import Precision, stored_zone

    p = record.prediction
    return describe_due(p.due_at, p.window_start, Precision(p.precision), stored_zone(p.timezone))


def _print_record(
    record: PredictionRecord,
    obj: dict[str, Any],
    rt: Runtime,
    *,
    history: Sequence[tuple[str, str]] = (),
) -> None:
    from rich.table import Table

    p = record.prediction
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    source = obj["source"] or {}
    from tracker.cli.questions import forecast_rows, version_rows

    rows = [
        ("Question", f"#{p.id} {p.key}"),
        ("Claim", p.claim),
        ("Criteria", p.criteria),
        ("Quote", p.quote and f"“{p.quote}”"),
        *forecast_rows(record, obj),
        ("Due", f"{obj['due_label']} ({p.due_text}); {obj['due_at']}"),
        ("Time zone", p.timezone),
        ("Status", timing(record, rt)),
        ("Tags", ", ".join(record.tags)),
        ("Source", " · ".join(str(source[k]) for k in ("title", "publisher") if source.get(k))),
        ("Source URL", source.get("url")),
        ("Published", source.get("published_at")),
    ]
    rows += version_rows(obj)
    for res in obj.get("resolutions") or []:
        rows.append(("Resolution", _describe_resolution(res)))
    rows += history
    for label, value in rows:
        if value:
            table.add_row(label, cell(value))
    console().print(table)


def _describe_resolution(res: dict[str, Any]) -> str:
    parts = [res["outcome"], f"on {res['resolved_at']}"]
    if res["resolved_by"]:
        parts.append(f"by {res['resolved_by']} via {res['via']}")
    if res["occurred_on"]:
        parts.append(f"happened {res['occurred_on']}")
    if res["note"]:
        parts.append(f"“{res['note']}”")
    if res["evidence_url"]:
        parts.append(res["evidence_url"])
    if res["superseded_at"]:
        parts.append(f"(superseded {res['superseded_at']}: {res['superseded_note']})")
    return " ".join(parts)


def timing(record: PredictionRecord, rt: Runtime) -> str:
    from tracker.domain.durations import format_duration

    p = record.prediction
    if p.status != "open":
        outcome = record.resolution.outcome if record.resolution else p.status
        return "annulled" if outcome == "annulled" else f"resolved {outcome}"
    if p.window_start is not None and rt.now < p.window_start:
        return f"window opens in {format_duration(p.window_start - rt.now)}"
    if p.due_at < rt.now:
        return f"overdue by {format_duration(rt.now - p.due_at)}"
    return f"due in {format_duration(p.due_at - rt.now)}"


@app.command()
def resolve(
    ref: Annotated[str, typer.Argument(metavar="REF", help=REF_HELP, callback=utf8)],
    outcome: Annotated[
        Outcome,
        typer.Argument(metavar="OUTCOME", help="yes, no or annulled.", case_sensitive=False),
    ],
    note: Annotated[str | None, typer.Option(help="Why, in a sentence.")] = None,
    evidence: Annotated[str | None, typer.Option(help="A URL that shows the outcome.")] = None,
    occurred_on: Annotated[
        str | None, typer.Option(help="The day it actually happened (YYYY-MM-DD).")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Who resolves it (default: your user name).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing resolution.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the prediction as JSON.")] = False,
) -> None:
    """Record how a prediction turned out; its waiting reminders are cancelled."""
    from tracker import service
    from tracker.domain.deadlines import parse_day
    from tracker.domain.inputs import clean_text, parse_url

    rt = Runtime()
    try:
        occurred = parse_day(occurred_on) if occurred_on else None
    except InvalidInput as exc:
        raise InvalidInput(f"--occurred-on: {exc}") from None
    try:
        record = service.resolve(
            rt.engine,
            ref=ref,
            outcome=outcome,
            now=rt.now,
            tz=rt.settings.tz,
            note=clean_text(note, "--note", limit=5000, multiline=True),
            evidence_url=parse_url(evidence, "--evidence"),
            occurred_on=occurred,
            resolved_by=clean_text(by, "--by") or rt.actor.name,
            force=force,
            actor=rt.actor,
        )
    except AlreadyResolved as exc:
        raise Conflict(f"{exc}; pass --force to replace that, or use `tracker reopen`") from None
    if as_json:
        print_json(records_json([record], rt)[0])
        return
    p = record.prediction
    say(f"Resolved #{p.id} {p.key}: {outcome.value}.")
    if outcome is Outcome.YES and record.resolution and not record.resolution.came_true:
        say(
            f"Note: it happened on {occurred}, outside its window ({due_label(record, rt)}), "
            "so it counts as not coming true in the scores."
        )


@app.command()
def reopen(
    ref: Annotated[str, typer.Argument(metavar="REF", help=REF_HELP, callback=utf8)],
    note: Annotated[str | None, typer.Option(help="Why it is reopened.")] = None,
) -> None:
    """Reopen a resolved prediction; the old resolution is kept as history."""
    from tracker import service
    from tracker.domain.inputs import clean_text

    rt = Runtime()
    record = service.reopen(
        rt.engine,
        ref=ref,
        now=rt.now,
        note=clean_text(note, "--note", limit=5000, multiline=True),
        policy=rt.policy,
        actor=rt.actor,
    )
    p = record.prediction
    say(f"Reopened #{p.id} {p.key}; {timing(record, rt)}.")
