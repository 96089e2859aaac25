"""The command line: parses, prints, and turns errors into one line and an exit code.

Heavy modules (SQLAlchemy, Alembic, the service) are imported inside the commands, so that
`tracker --help` starts quickly.
"""

from __future__ import annotations

import enum
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.errors import InvalidInput, TrackerError

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console
    from sqlalchemy.engine import Engine

    from tracker.config import Settings
    from tracker.records import PredictionRecord

app = typer.Typer(
    name="tracker",
    help="Forecasts with deadlines: reminders as they fall due, resolutions, and scores.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="Inspect and upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class Outcome(enum.StrEnum):  # mirrors tracker.models.Outcome without importing SQLAlchemy
    yes = "yes"
    no = "no"
    annulled = "annulled"


class StatusFilter(enum.StrEnum):
    open = "open"
    due_soon = "due-soon"
    overdue = "overdue"
    resolved = "resolved"
    annulled = "annulled"
    all = "all"


class ExportFormat(enum.StrEnum):
    json = "json"
    csv = "csv"


@dataclass
class Runtime:
    """What every command needs: settings, an up-to-date database, and the one reading of now."""

    settings: Settings
    engine: Engine
    now: dt.datetime


def _runtime(*, migrate: bool = True) -> Runtime:
    from tracker.clock import utcnow
    from tracker.config import load_settings
    from tracker.db import make_engine, upgrade_to_head

    settings = load_settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade_to_head(engine)
    return Runtime(settings=settings, engine=engine, now=utcnow())


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def _say(message: str) -> None:
    """One line of rich markup, never wrapped (people grep and copy these)."""
    _console().print(message, soft_wrap=True)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _records_json(records: Sequence[PredictionRecord], rt: Runtime) -> list[dict[str, Any]]:
    from tracker.records import prediction_json

    return [prediction_json(r, tz=rt.settings.tz, now=rt.now) for r in records]


# Predictions -------------------------------------------------------------------------------


@app.command()
def add(
    claim: Annotated[
        str, typer.Argument(metavar="CLAIM", help="What will happen, as a checkable statement.")
    ],
    due: Annotated[
        str,
        typer.Option(
            "--due",
            help="When it must have happened by: 2025-02-20, 2025-02, 'February 2025', "
            "'Feb 20, 2025', 2025-Q1, 2025-H1, 2025, 'in March 2025' or 2025-03-01..2025-03-31.",
        ),
    ],
    window_start: Annotated[
        str | None, typer.Option(help="Start of the window, if it may not happen earlier.")
    ] = None,
    forecaster: Annotated[str | None, typer.Option(help="Who made the forecast.")] = None,
    probability: Annotated[
        str | None, typer.Option(help="The forecaster's probability: 0.7 or 70%.")
    ] = None,
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
    """Add a prediction."""
    from tracker import service
    from tracker.records import FieldError, prediction_from_mapping

    rt = _runtime()
    source = {
        "url": source_url,
        "title": source_title,
        "publisher": source_publisher,
        "published_at": source_published,
    }
    fields = {
        "claim": claim,
        "due": due,
        "window_start": window_start,
        "forecaster": forecaster,
        "probability": probability,
        "quote": quote,
        "due_text": due_text,
        "tags": list(tag or []),
        "key": key,
        "source": source if any(source.values()) else None,
    }
    try:
        item = prediction_from_mapping(fields, tz=rt.settings.tz, now=rt.now)
    except FieldError as exc:
        option = {"due": "--due"}.get(exc.field, "--" + exc.field.replace("_", "-"))
        raise InvalidInput(f"{option}: {exc.reason}") from None
    record = service.add_prediction(rt.engine, data=item.prediction, now=rt.now)
    if as_json:
        _print_json(_records_json([record], rt)[0])
        return
    p = record.prediction
    label = _records_json([record], rt)[0]["due_label"]
    _say(f"Added #{p.id} [bold]{p.key}[/], due {label} ({_timing(record, rt)}).")


@app.command("list")
def list_(
    status: Annotated[
        StatusFilter,
        typer.Option(
            help="Which predictions: open (default), due-soon, overdue, resolved, annulled or all."
        ),
    ] = StatusFilter.open,
    forecaster: Annotated[str | None, typer.Option(help="Only this forecaster's.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only those with this tag.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List predictions, soonest deadline first."""
    from tracker import service

    rt = _runtime()
    records = service.list_predictions(
        rt.engine,
        status=service.ListStatus(status.value),
        now=rt.now,
        due_soon=rt.settings.due_soon,
        forecaster=forecaster,
        tag=tag,
    )
    if as_json:
        _print_json(_records_json(records, rt))
        return
    console = _console()
    if not records:
        hint = (
            "" if status is StatusFilter.all else " (`tracker list --status all` shows every one)"
        )
        _say(f"No {status.value} predictions.{hint}")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    with_probability = any(r.prediction.probability is not None for r in records)
    columns = ["ID", "Due", "Status", *(["P"] if with_probability else []), "Forecaster"]
    for column in columns:
        table.add_column(column, no_wrap=column in ("ID", "P"), max_width=20)
    table.add_column("Claim", overflow="fold", ratio=1, min_width=20)
    for record, obj in zip(records, _records_json(records, rt), strict=True):
        p = record.prediction
        probability = [] if not with_probability else [_percent(p.probability)]
        table.add_row(
            str(p.id),
            obj["due_label"],
            _timing(record, rt),
            *probability,
            escape(p.forecaster or ""),
            escape(p.claim),
        )
    console.print(table)


@app.command()
def show(
    ref: Annotated[str, typer.Argument(metavar="REF", help="The prediction's id or key.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """Show one prediction with its source and resolution history."""
    from tracker import service

    rt = _runtime()
    record = service.show_prediction(rt.engine, ref=ref)
    obj = _records_json([record], rt)[0]
    if as_json:
        _print_json(obj)
        return
    _print_record(record, obj, rt)


def _percent(probability: float | None) -> str:
    return "" if probability is None else f"{probability:.0%}"


def _print_record(record: PredictionRecord, obj: dict[str, Any], rt: Runtime) -> None:
    from rich.markup import escape
    from rich.table import Table

    p = record.prediction
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    source = obj["source"] or {}
    rows = [
        ("Prediction", f"#{p.id} {p.key}"),
        ("Claim", p.claim),
        ("Quote", p.quote and f"“{p.quote}”"),
        ("Forecaster", p.forecaster),
        ("Probability", _percent(p.probability)),
        ("Due", f"{obj['due_label']} ({p.due_text}); {obj['due_at']}"),
        ("Status", _timing(record, rt)),
        ("Tags", ", ".join(record.tags)),
        ("Source", " · ".join(str(source[k]) for k in ("title", "publisher") if source.get(k))),
        ("Source URL", source.get("url")),
        ("Published", source.get("published_at")),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, escape(str(value)))
    for res in obj.get("resolutions") or []:
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
        table.add_row("Resolution", escape(" ".join(parts)))
    _console().print(table)


def _timing(record: PredictionRecord, rt: Runtime) -> str:
    from tracker.deadlines import format_duration

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
    ref: Annotated[str, typer.Argument(metavar="REF", help="The prediction's id or key.")],
    outcome: Annotated[Outcome, typer.Argument(metavar="OUTCOME", help="yes, no or annulled.")],
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
    """Record how a prediction turned out."""
    from tracker import service
    from tracker.deadlines import parse_day
    from tracker.inputs import clean_text, parse_url
    from tracker.models import Outcome as StoredOutcome

    rt = _runtime()
    try:
        occurred = parse_day(occurred_on) if occurred_on else None
    except InvalidInput as exc:
        raise InvalidInput(f"--occurred-on: {exc}") from None
    record = service.resolve(
        rt.engine,
        ref=ref,
        outcome=StoredOutcome(outcome.value),
        now=rt.now,
        tz=rt.settings.tz,
        note=clean_text(note, "--note", limit=5000),
        evidence_url=parse_url(evidence, "--evidence"),
        occurred_on=occurred,
        resolved_by=clean_text(by, "--by") or _user_name(),
        force=force,
    )
    if as_json:
        _print_json(_records_json([record], rt)[0])
        return
    p = record.prediction
    _say(f"Resolved #{p.id} [bold]{p.key}[/]: {outcome.value}.")


def _user_name() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


@app.command()
def reopen(
    ref: Annotated[str, typer.Argument(metavar="REF", help="The prediction's id or key.")],
    note: Annotated[str | None, typer.Option(help="Why it is reopened.")] = None,
) -> None:
    """Reopen a resolved prediction; the old resolution is kept as history."""
    from tracker import service
    from tracker.inputs import clean_text

    rt = _runtime()
    record = service.reopen(
        rt.engine, ref=ref, now=rt.now, note=clean_text(note, "--note", limit=5000)
    )
    p = record.prediction
    _say(f"Reopened #{p.id} [bold]{p.key}[/]; {_timing(record, rt)}.")


# Files -------------------------------------------------------------------------------------


@app.command()
def seed(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of seeds files (*.toml).")
    ] = Path("seeds"),
) -> None:
    """Load the predictions in a seeds folder; a second run changes nothing."""
    from tracker import service

    rt = _runtime()
    report = service.seed(rt.engine, directory=directory, tz=rt.settings.tz, now=rt.now)
    _print_report(f"Seeded from {directory}", report)


@app.command("export")
def export_(
    file_format: Annotated[
        ExportFormat | None, typer.Option("--format", help="json (default) or csv.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Export every prediction with its source and resolution history."""
    from tracker import service, transfer

    rt = _runtime()
    chosen = file_format.value if file_format else None
    if chosen is None and output is not None and output.suffix.lower() == ".csv":
        chosen = "csv"
    text = transfer.export_text(
        service.export_records(rt.engine),
        file_format=chosen or "json",
        tz=rt.settings.tz,
        now=rt.now,
    )
    if output is None:
        sys.stdout.write(text)
        return
    transfer.write_atomically(output, text)
    print(f"Exported to {output}.", file=sys.stderr)


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A JSON or CSV file written by `tracker export`.")
    ],
    file_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="json or csv (default: from the file name)."),
    ] = None,
) -> None:
    """Import predictions; known keys are updated, their resolutions left as they are."""
    from tracker import service

    rt = _runtime()
    report = service.import_file(
        rt.engine,
        path=file,
        tz=rt.settings.tz,
        now=rt.now,
        file_format=file_format.value if file_format else None,
    )
    _print_report(f"Imported {file}", report)


def _print_report(title: str, report: Any) -> None:
    _say(
        f"{title}: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged."
    )


# Database ----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply any pending migrations."""
    from tracker.db import current_revision, display_url, upgrade_to_head

    rt = _runtime(migrate=False)
    before = current_revision(rt.engine)
    ran = upgrade_to_head(rt.engine)
    after = current_revision(rt.engine)
    where = display_url(rt.engine.url)
    if ran:
        print(f"Upgraded {where} from {before or 'an empty database'} to {after}.")
    else:
        print(f"{where} is at the latest migration ({after}).")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration and whether it is the latest."""
    from tracker.db import current_revision, display_url, head_revision

    rt = _runtime(migrate=False)
    current = current_revision(rt.engine)
    head = head_revision()
    where = display_url(rt.engine.url)
    if current == head:
        print(f"{where}: {current} (latest)")
    else:
        print(f"{where}: {current or 'empty'} (latest is {head}; run `tracker db upgrade`)")


# Entry point -------------------------------------------------------------------------------


def _debug() -> bool:
    return os.environ.get("TRACKER_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 environment)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="tracker",
            standalone_mode=False,
        )
    except TrackerError as exc:
        if _debug():
            raise
        print(f"tracker: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if _is_usage_error(exc):
            if not str(exc.format_message()).strip():  # type: ignore[attr-defined]
                return 0  # a bare `tracker` or `tracker db`: the help was printed
            print(f"tracker: error: {_usage_message(exc)}", file=sys.stderr)
            return 2
        if type(exc).__name__ == "Abort":
            print("tracker: interrupted", file=sys.stderr)
            return 130
        if _debug():
            raise
        print(
            f"tracker: unexpected {type(exc).__name__}: {exc} "
            "(set TRACKER_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1
    return result if isinstance(result, int) else 0


def _is_usage_error(exc: Exception) -> bool:
    # Typer's parser (click, or the copy newer Typers vendor) raises ClickException
    # subclasses; recognise them by shape so that either works.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _usage_message(exc: Any) -> str:
    message = " ".join(str(exc.format_message()).split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message
