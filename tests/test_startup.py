"""What a command loads before it does anything: only the command asked for, and no dialect
the database does not use."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import typer

from tests.conftest import Result
from tracker.cli import app, main
from tracker.cli.app import _app_for


def _names(lean: typer.Typer) -> list[str]:
    group = typer.main.get_command(lean)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


def test_each_command_is_built_alone_under_the_name_typer_gives_it() -> None:
    every = _names(app)
    groups = {"db", "channels", "users", "tokens", "routes", "feeds", "proposals", "evidence"}
    plain = [name for name in every if name not in groups]
    assert {"list", "show", "add", "resolve", "reopen", "status", "deliveries", "audit"} <= set(
        plain
    )
    for name in plain:
        assert _names(_app_for([name])) == [name], name


def test_help_and_unknown_words_get_the_whole_app_and_a_group_gets_itself() -> None:
    assert _app_for([]) is app
    assert _app_for(["--help"]) is app
    assert _names(_app_for(["db", "upgrade"])) == ["db"]
    assert _names(_app_for(["--as", "alice", "users", "add", "bob"])) == ["users"]
    assert _names(_app_for(["--as", "alice", "add", "x"])) == ["add"]
    assert _names(_app_for(["--as=alice", "audit"])) == ["audit"]
    assert _app_for(["lst"]) is app


def test_a_lean_app_still_reports_usage_errors_against_the_command(capsys: object) -> None:
    assert main(["list", "--no-such-option"]) == 2
    assert main(["users", "no-such-command"]) == 2
    assert main(["--version"]) == 0


def test_a_command_is_built_once_and_a_newly_registered_one_is_found(
    cli: Callable[..., Result],
) -> None:
    from tracker.cli.app import _click_command

    assert "probe-registered-late" not in cli("--help").out
    assert cli("list").code == 0
    built = _click_command.cache_info().misses
    assert cli("list").code == 0
    assert _click_command.cache_info().misses == built  # the second `list` built nothing
    assert cli("lst").code == 2
    assert cli("lsit").code == 2
    assert _click_command.cache_info().misses == built  # typos share the whole app's build

    @app.command("probe-registered-late")
    def probe_registered_late() -> None:
        typer.echo("found")

    try:
        assert "probe-registered-late" in cli("--help").out  # the whole app, built again
        assert cli("probe-registered-late").out == "found\n"
    finally:
        app.registered_commands.pop()


def test_importing_the_models_loads_no_database_dialect() -> None:
    # Naming postgresql_where on an index imported the PostgreSQL dialect (and its asyncpg
    # module) on every command, SQLite users' included.
    probe = (
        "import sys, tracker.persistence.models; "
        "loaded = [m for m in sys.modules if m.startswith('sqlalchemy.dialects.')]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
