"""`tracker audit`, and the history `tracker show` prints: who changed what, when, and how.

The entries are stored as written (tracker.persistence.audit); here they are worded for a
terminal: a time in TRACKER_TIMEZONE and a one-line summary of what changed.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.paging import AfterOption, more
from tracker.cli.terminal import cell, utf8
from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from tracker.persistence.audit import AuditRow

DEFAULT_LIMIT = 100
MAX_LIMIT = 100_000
SUMMARY_WIDTH = 80


@app.command()
def audit(
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Only entries from this date or time on, read in TRACKER_TIMEZONE.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Only this actor's (any case).", callback=utf8),
    ] = None,
    question: Annotated[
        str | None,
        typer.Option(metavar="REF", help="Only this question's (its id or key).", callback=utf8),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            metavar="N",
            help=f"Show the newest N entries (default {DEFAULT_LIMIT}).",
            min=1,
            max=MAX_LIMIT,
        ),
    ] = DEFAULT_LIMIT,
    after: AfterOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Show the audit trail: who changed what, when, and through what.

    Entries come oldest first (the newest --limit of them), each with its actor, how the
    change came (cli, api, slack, webhook, import, seed) and what it changed."""
    from tracker.domain.deadlines import parse_instant
    from tracker.io.audit import audit_json
    from tracker.people import AuditQuery, audit_page

    rt = Runtime()
    try:
        start = parse_instant(since, rt.settings.tz) if since else None
    except InvalidInput as exc:
        raise InvalidInput(f"--since: {exc}") from None
    query = AuditQuery(since=start, actor=actor, question=question, limit=limit)
    page = audit_page(rt.engine, query=query, cursor=after)
    again = _again(since, actor, question, limit)
    if as_json:
        print_json([audit_json(row) for row in page.items])
        more(again, len(page.items), page.next, as_json=True, older=True)
        return
    if not page.items:
        say("No audit entries" + (" match." if since or actor or question or after else " yet."))
        return
    _print_entries(page.items, rt.settings.tz)
    more(again, len(page.items), page.next, older=True)


def _again(since: str | None, actor: str | None, question: str | None, limit: int) -> str:
    """`tracker audit` with the options given, for the line that says how to go on."""
    words = ["audit"]
    for option, value in (("--since", since), ("--actor", actor), ("--question", question)):
        if value is not None:
            words += [option, value]
    return shlex.join(words + (["--limit", str(limit)] if limit != DEFAULT_LIMIT else []))


def _print_entries(rows: Sequence[AuditRow], tz: ZoneInfo) -> None:
    from rich.table import Table

    from tracker.cli.people import local_time

    table = Table(box=None, header_style="bold", pad_edge=False)
    for title in ("Time", "Actor", "Via", "Action"):
        table.add_column(title, no_wrap=title != "Actor", max_width=24, overflow="fold")
    table.add_column("Question", max_width=24, overflow="fold")
    table.add_column("Change", ratio=1, overflow="fold")
    for row in rows:
        entry = row.entry
        what = row.question_key or entry.subject or ""
        table.add_row(
            *map(cell, [local_time(entry.at, tz), entry.actor, entry.via, entry.action, what,
                        summary(entry.action, _values(entry.before), _values(entry.after))])
        )  # fmt: skip
    console().print(table)


def history_rows(rows: Sequence[AuditRow], tz: ZoneInfo) -> list[tuple[str, str]]:
    """`show`'s "History" lines: when, who, via, what."""
    from tracker.cli.people import local_time

    lines: list[tuple[str, str]] = []
    for row in rows:
        entry = row.entry
        change = summary(entry.action, _values(entry.before), _values(entry.after))
        text = f"{local_time(entry.at, tz)} {entry.actor} via {entry.via}: {entry.action}"
        lines.append(("History" if not lines else "", f"{text} {change}".rstrip()))
    return lines


def _values(text: str | None) -> dict[str, Any] | None:
    import json

    return None if text is None else dict(json.loads(text))


def summary(action: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """What an entry changed, in one short line."""
    text = _described(action, before or {}, after or {})
    return text if len(text) <= SUMMARY_WIDTH else text[: SUMMARY_WIDTH - 1] + "…"


def _described(action: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    if action in {"import", "seed", "extract.add"}:
        counts = f"{after.get('created', 0)} created, {after.get('updated', 0)} updated"
        return f"{counts}, {after.get('unchanged', 0)} unchanged"
    if action == "question.add":
        return str(after.get("claim", ""))
    if action == "forecast.add":
        return f"{after.get('forecaster')} {_percent(after.get('probability'))}"
    if action == "question.resolve":
        was = f" (was {before['outcome']})" if before.get("outcome") else ""
        return f"{after.get('outcome')}{was}"
    if action == "question.reopen":
        return f"was {before.get('outcome')}" + (f"; {after['note']}" if after.get("note") else "")
    if action in {"token.create", "token.revoke"}:
        return f"{after.get('user')}, scope {after.get('scope')}"
    if action == "user.add":
        named = [
            f"{k} {after[k]}" for k in ("email", "slack_user_id", "forecaster") if after.get(k)
        ]
        return ", ".join(named)
    if action in {"user.disable", "user.enable"}:
        return ""  # the action says it all
    return _changed(before, after)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The fields whose values differ: "claim: old → new"."""
    parts = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        parts.append(f"{name}: {_short(old)} → {_short(new)}" if name in before else
                     f"{name}: {_short(new)}")  # fmt: skip
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _percent(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, int | float) else str(value)
