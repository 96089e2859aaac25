"""The evidence commands: what an article says about how open questions ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.extract import FileArgument, PublishedOption, _published_day, _read_source
from tracker.cli.terminal import cell

if TYPE_CHECKING:
    from tracker.cli.extract import _Source
    from tracker.evidence import Evidence

evidence_app = typer.Typer(
    help="Evidence from the news: sentences that report how an open question ended.",
    no_args_is_help=False,
)
app.add_typer(evidence_app, name="evidence")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@evidence_app.command("scan")
def evidence_scan(
    file: FileArgument,
    published: PublishedOption = None,
    as_json: JsonOption = False,
) -> None:
    """List what an article reports about the open and overdue questions: the outcome, the day
    it happened, the sentence that says so and how sure the reading is (0-1)."""
    from tracker.news.evidence import scan_text

    given_day = _published_day(published) if published is not None else None
    rt = Runtime()
    source = _read_source(file, rt, day=given_day, url=None, title=None)
    found = scan_text(rt.engine, text=source.text, published=source.day)
    if as_json:
        print_json([evidence_json(item, source) for item in found])
        return
    _print_found(found, source)


def evidence_json(item: Evidence, source: _Source) -> dict[str, Any]:
    return {
        "question": item.question.key,
        "outcome": item.outcome,
        "occurred_on": item.occurred_on.isoformat() if item.occurred_on else None,
        "quote": item.quote,
        "score": item.score,
        "source": {
            "url": source.url,
            "title": source.title,
            "published": source.day.isoformat(),
        },
    }


def _print_found(found: list[Evidence], source: _Source) -> None:
    from rich.table import Table

    if not found:
        say(f"No evidence in {source.where} for an open question.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("Question", "Outcome", "Occurred", "Score", "Quote"):
        table.add_column(column, overflow="fold", ratio=4 if column == "Quote" else None)
    for item in found:
        occurred = item.occurred_on.isoformat() if item.occurred_on else ""
        table.add_row(*map(cell, (
            item.question.key, item.outcome, occurred, f"{item.score:.2f}", item.quote,
        )))  # fmt: skip
    console().print(table)
