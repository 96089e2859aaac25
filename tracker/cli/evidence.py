"""The evidence commands: what an article says about how open questions ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.extract import FileArgument, PublishedOption, _published_day, _read_source
from tracker.cli.paging import AfterOption, LimitOption, more
from tracker.cli.terminal import cell, utf8
from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from tracker.cli.extract import _Source
    from tracker.evidence import Evidence
    from tracker.news.evidence import EvidenceView

evidence_app = typer.Typer(
    help="Evidence from the news: sentences that report how an open question ended.",
    no_args_is_help=False,
)
app.add_typer(evidence_app, name="evidence")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
IdArgument = Annotated[int, typer.Argument(metavar="ID", help="The evidence's id.")]


@evidence_app.callback(invoke_without_command=True)
def evidence(
    ctx: typer.Context,
    question: Annotated[
        str | None, typer.Option(help="Only this question's (its key or id).")
    ] = None,
    status: Annotated[
        str, typer.Option(help="Which to list: pending, accepted, rejected, all.")
    ] = "pending",
    limit: LimitOption = 100,
    after: AfterOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the evidence feeds found that waits for a person (or, with --status, that was
    decided), oldest first, 100 at a time (--limit, --after)."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.news.evidence import STATUSES, page_evidence

    if status not in STATUSES:
        raise InvalidInput(f"--status must be one of {', '.join(STATUSES)}")
    rt = Runtime()
    page = page_evidence(
        rt.engine, status=None if status == "all" else status, question=question, limit=limit,
        cursor=after,
    )  # fmt: skip
    again = "evidence" + ("" if question is None else f" --question {question}")
    again += "" if status == "pending" else f" --status {status}"
    again += "" if limit == 100 else f" --limit {limit}"
    if as_json:
        print_json([stored_json(view) for view in page.items])
        more(again, len(page.items), page.next, as_json=True)
        return
    _print_stored(page.items, status)
    more(again, len(page.items), page.next)


@evidence_app.command("accept")
def evidence_accept(evidence_id: IdArgument, as_json: JsonOption = False) -> None:
    """Accept evidence: resolve its question with its outcome and day, the article as evidence
    URL and the quote as note, recorded as from the news and from you."""
    from tracker.news.evidence import accept

    rt = Runtime()
    view = accept(rt.engine, evidence_id=evidence_id, actor=rt.actor, now=rt.now)
    if as_json:
        print_json(stored_json(view))
        return
    key = view.question.key if view.question else view.row.prediction_id
    say(f"Evidence {view.row.id} accepted: {key} resolved {view.row.outcome}.")


@evidence_app.command("reject")
def evidence_reject(
    evidence_id: IdArgument,
    reason: Annotated[str | None, typer.Option(help="Why, kept with it.", callback=utf8)] = None,
) -> None:
    """Reject evidence: the question stays open; the decision and its reason are kept."""
    from tracker.news.evidence import reject

    rt = Runtime()
    view = reject(rt.engine, evidence_id=evidence_id, actor=rt.actor, now=rt.now, reason=reason)
    say(f"Evidence {view.row.id} rejected.")


def stored_json(view: EvidenceView) -> dict[str, Any]:
    from tracker.io.evidence import evidence_json

    return evidence_json(view.row, view.question)


def _print_stored(views: list[EvidenceView], status: str) -> None:
    from rich.table import Table

    if not views:
        say(f"No {'' if status == 'all' else status + ' '}evidence.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("ID", "Question", "Outcome", "Occurred", "Score", "Quote", "Source"):
        table.add_column(column, overflow="fold", ratio=4 if column == "Quote" else None)
    for view in views:
        row = view.row
        table.add_row(*map(cell, (
            str(row.id), view.question.key if view.question else "", row.outcome,
            row.occurred_on.isoformat() if row.occurred_on else "", f"{row.score:.2f}", row.quote,
            row.title or row.url or "",
        )))  # fmt: skip
    console().print(table)


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
