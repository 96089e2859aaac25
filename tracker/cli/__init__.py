"""The command line. Importing this registers every command on `app`."""

from tracker.cli import (  # noqa: F401
    audit,
    calendar,
    database,
    extract,
    files,
    people,
    predictions,
    questions,
    reminders,
    routes,
    summary,
)
from tracker.cli.app import app, main

__all__ = ["app", "main"]
