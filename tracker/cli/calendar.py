"""`tracker calendar`: the calendar feed as a file, for a calendar that imports one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.app import Runtime, app
from tracker.cli.terminal import utf8


@app.command()
def calendar(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE.ics", help="Write to this file, not stdout."),
    ] = None,
    tag: Annotated[
        str | None, typer.Option(help="Only questions with this tag.", callback=utf8)
    ] = None,
    forecaster: Annotated[
        str | None, typer.Option(help="Only this forecaster's questions.", callback=utf8)
    ] = None,
) -> None:
    """Write the open questions as an iCalendar file (what GET /calendar.ics serves): one
    all-day event per question, with alarms at the reminder lead times."""
    from tracker.io.transfer import write_atomically
    from tracker.reporting.calendar_feed import calendar_feed

    rt = Runtime()
    body = calendar_feed(
        rt.engine,
        now=rt.now,
        lead_times=rt.settings.reminder_lead_times,
        public_url=rt.settings.public_url,
        tag=tag,
        forecaster=forecaster,
    )
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)  # as bytes: RFC 5545's CRLF line ends stay as they are
        sys.stdout.buffer.flush()
        return
    # Through a temporary file and a rename: a calendar that re-reads the file never sees
    # half of it. newline="" there keeps the CRLFs.
    write_atomically(output, body.decode("utf-8"))
    print(f"Wrote the calendar to {output}.", file=sys.stderr)
