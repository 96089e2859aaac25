"""The command line. Importing this registers every command on `app`."""

from tracker.cli import (  # noqa: F401
    audit,
    calendar,
    database,
    evidence,
    extract,
    files,
    news,
    people,
    predictions,
    questions,
    reminders,
    routes,
    summary,
)
from tracker.cli.app import app, main

__all__ = ["app", "main"]
