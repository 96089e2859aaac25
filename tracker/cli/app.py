"""The Typer app, what every command shares, and the entry point that turns errors into one
line on stderr and an exit status (0 ok, 2 bad input, 1 environment).

Heavy modules (SQLAlchemy, Alembic, httpx) are imported inside the commands, so that
`tracker --help` starts quickly.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.terminal import printable
from tracker.errors import NotFound, TrackerError

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console
    from sqlalchemy.engine import Engine

    from tracker.config import Settings
    from tracker.domain.people import Actor
    from tracker.domain.reminders import ReminderPolicy

_APP_SETTINGS: dict[str, Any] = {
    "name": "tracker",
    "help": "Forecasts with deadlines: reminders before and after they fall due, resolutions, "
    "and scores.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_APP_SETTINGS)


def _print_version(value: bool) -> None:
    if value:
        from tracker.about import version

        print(f"tracker {version()}")
        raise typer.Exit()


# Who this run acts as (--as), kept for Runtime.actor; None: TRACKER_USER, else the OS user.
_acting_as: list[str] = []


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
    acting_as: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="NAME",
            help="Act as this person (a user's name, or any name): the audit trail and "
            "resolutions record it. Default: TRACKER_USER, else the operating-system user.",
        ),
    ] = None,
) -> None:
    _acting_as.clear()
    if acting_as is not None:
        _acting_as.append(acting_as)


class Runtime:
    """Settings, the one reading of now, and the database, opened (and brought to the latest
    migration) only when a command first needs it, so that bad input never creates a file.

    Only commands that store what they are given (`create=True`) may create a SQLite file; the
    others say that it is missing rather than show an empty database made on the spot."""

    def __init__(self, *, migrate: bool = True, create: bool = False) -> None:
        from tracker.clock import utcnow
        from tracker.config import load_settings

        self.settings: Settings = load_settings()
        self.now: dt.datetime = utcnow()
        self._migrate = migrate
        self._create = create

    @cached_property
    def engine(self) -> Engine:
        from tracker.bootstrap import open_database

        return open_database(self.settings, migrate=self._migrate, create=self._create)

    @property
    def policy(self) -> ReminderPolicy:
        return self.settings.reminder_policy

    @cached_property
    def actor(self) -> Actor:
        """Who makes this run's changes: --as, else TRACKER_USER, else the OS user."""
        from tracker.people import cli_actor

        name = _acting_as[0] if _acting_as else self.settings.user or _os_user()
        return cli_actor(self.engine, name=name)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container's), no USER set
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def say(message: str) -> None:
    """One line of plain text (never read as markup, never wrapped: people copy these), its
    control characters escaped. Written plainly, not through rich: rich would turn ":fire:" in
    a claim into an emoji, and loading it costs a command that prints one line 30 ms."""
    sys.stdout.write(printable(message) + "\n")


# json.dumps escapes C0 controls but leaves these as they are; JSON read in a terminal gets
# them escaped too (the same JSON value: they can only occur inside strings).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def print_json(value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    text = _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    sys.stdout.write(text + "\n")


def error(message: str) -> None:
    """The one line on stderr for a failed command; it may quote what was typed."""
    print(f"tracker: error: {printable(message)}", file=sys.stderr)


def setup_logging(log_format: str = "text") -> None:
    """Log lines to stderr, as text or (TRACKER_LOG_FORMAT=json) one JSON object each."""
    import logging

    from tracker.cli.logs import formatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def debug_enabled() -> bool:
    return os.environ.get("TRACKER_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = list(argv) if argv is not None else sys.argv[1:]
    command = _click_command(
        _known(_first_word(args)), len(app.registered_commands), len(app.registered_groups)
    )
    try:
        result = command.main(
            args=args,
            prog_name="tracker",
            standalone_mode=False,
        )
    except TrackerError as exc:
        if debug_enabled():
            raise
        error(str(exc) + _where_to_look(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if _is_usage_error(exc):
            message = _usage_message(exc)
            if not message:
                return 0  # a bare `tracker` or `tracker db`: the help was printed
            error(message)
            return 2
        if type(exc).__name__ == "Abort":
            print("tracker: interrupted", file=sys.stderr)
            return 130
        if debug_enabled():
            raise
        detail = printable(" ".join(str(exc).split())[:300])
        print(
            f"tracker: unexpected {type(exc).__name__}: {detail} "
            "(set TRACKER_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1
    return result if isinstance(result, int) else 0


@functools.cache
def _click_command(name: str | None, commands: int, groups: int) -> typer._click.Command:
    """Built once per process and command asked for. Typer reads the signature of every
    command each time it builds them (100 ms for the whole app); anything that calls `main`
    more than once (the tests call it thousands of times) pays that once. The counts are in
    the key because importing a module of commands registers more."""
    return typer.main.get_command(_app_named(name))


def _app_for(args: Sequence[str]) -> typer.Typer:
    return _app_named(_first_word(args))


def _known(name: str | None) -> str | None:
    """The name when it is a command's or a group's; None (the whole app) for a typo, so
    that a process fed many typos keeps one whole app, not one per typo."""
    names = {_command_name(info) for info in app.registered_commands}
    names |= {info.name for info in app.registered_groups}
    return name if name in names else None


def _first_word(args: Sequence[str]) -> str | None:
    return next((arg for arg in _without_global_options(args) if not arg.startswith("-")), None)


def _app_named(name: str | None) -> typer.Typer:
    """The app, holding only the command or group asked for when the first word names one.

    Typer reads the signature of every command on every run (40 ms for twenty commands); a
    user running `tracker list` or `tracker users list` pays for that one alone. Anything else
    (help, a typo) gets the whole app, and with it the whole help or the list of choices."""
    chosen = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if len(chosen) + len(groups) != 1:
        return app
    lean = typer.Typer(**_APP_SETTINGS)
    lean.registered_callback = app.registered_callback
    lean.registered_commands = chosen
    lean.registered_groups = groups
    return lean


def _without_global_options(args: Sequence[str]) -> list[str]:
    """The words after the global options (`--as NAME` takes a value)."""
    words = list(args)
    while words and words[0].startswith("--as"):
        words = words[2:] if words[0] == "--as" else words[1:]
    return words


def _command_name(info: typer.models.CommandInfo) -> str | None:
    if info.name:
        return info.name
    callback = info.callback
    return callback.__name__.lower().replace("_", "-") if callback else None


_LISTING_COMMANDS = {
    "predictions": "tracker list --status all",
    "deliveries": "tracker deliveries",
    "users": "tracker users list",
    "tokens": "tracker tokens list",
}


def _where_to_look(exc: TrackerError) -> str:
    """The command line's hint for a reference that names nothing."""
    listing = exc.listing if isinstance(exc, NotFound) else None
    command = _LISTING_COMMANDS.get(listing or "")
    return f" (see `{command}`)" if command else ""


def _is_usage_error(exc: Exception) -> bool:
    # Typer's parser (click, or the copy newer Typers vendor) raises ClickException
    # subclasses; recognise them by name so that either works.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _usage_message(exc: Any) -> str:
    message = " ".join(str(exc.format_message()).split())
    ctx = getattr(exc, "ctx", None)
    if message and ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message
