"""The command line. Importing this registers every command on `app`."""

from tracker.cli import database, extract, files, predictions, reminders, summary  # noqa: F401
from tracker.cli.app import app, main

__all__ = ["app", "main"]
