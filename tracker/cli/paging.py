"""The options every list command shares, and the line that says a list goes on."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker.cli.app import say
from tracker.cli.terminal import printable, utf8

LimitOption = Annotated[
    int,
    typer.Option(
        "--limit", min=1, max=1000, help="Show at most this many (1 to 1000; default 100)."
    ),
]
AfterOption = Annotated[
    str | None,
    typer.Option(
        "--after",
        metavar="CURSOR",
        help="Go on after the list shown before: the cursor its last line gave.",
        callback=utf8,
    ),
]
SearchOption = Annotated[
    str | None,
    typer.Option(
        "--search",
        help="Only those whose claim or criteria hold these words, each as the start of a "
        "word (any case; accents count).",
        callback=utf8,
    ),
]


def more(
    command: str, shown: int, cursor: str | None, *, as_json: bool = False, older: bool = False
) -> None:
    """Say, after a bounded list, how to see the rest: on stdout below a table, on stderr
    beside JSON (which stays one JSON array on stdout)."""
    if cursor is None:
        return
    what = "older ones" if older else "more"
    line = f"Showing {shown}; {what} with `tracker {command} --after {cursor}`."
    if as_json:
        print(printable(line), file=sys.stderr)
    else:
        say(line)
