"""Every command has help and is named in the README; the entry points work as installed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.models import CommandInfo

from tests.conftest import REPO, Result
from tracker.cli import app


def _command_name(command: CommandInfo) -> str:
    """The name typer shows: the one given, else the function's."""
    if command.name:
        return command.name
    assert command.callback is not None  # every command tracker registers has a function
    return command.callback.__name__


def _commands(group: typer.Typer = app, prefix: str = "") -> list[str]:
    names = [f"{prefix}{_command_name(c)}".strip() for c in group.registered_commands]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        names += _commands(sub.typer_instance, f"{prefix}{sub.name} ")
    return names


COMMANDS = _commands()


def test_the_commands_are_the_ones_we_document() -> None:
    assert sorted(COMMANDS) == sorted(
        ["add", "forecast", "edit", "list", "show", "resolve", "reopen", "seed", "export", "import",
         "check", "run", "serve", "deliveries", "retry", "status", "channels test", "summary",
         "extract", "db upgrade", "db current", "users add", "users list", "users disable",
         "users enable", "tokens create", "tokens list", "tokens revoke", "audit", "calendar",
         "routes test", "users follow", "users unfollow", "feeds add", "feeds list",
         "feeds remove", "feeds poll", "proposals accept", "proposals reject", "evidence scan",
         "evidence accept", "evidence reject"]
    )  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(
    cli: Callable[..., Result], command: str
) -> None:
    result = cli(*command.split(), "--help")
    assert result.code == 0
    assert "Usage" in result.out
    summary = result.out.split("Usage", 1)[1]
    assert len(summary.strip()) > 40
    assert f"`tracker {command}" in (REPO / "README.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text().splitlines()
    block = readme[readme.index("```sh") + 1 : readme.index("```")]
    assert [line.split("#")[0].strip() for line in block] == ["make run", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def test_python_dash_m_and_the_console_script(tmp_path: Path) -> None:
    module = _run(sys.executable, "-m", "tracker", "--help")
    assert module.returncode == 0
    assert "resolve" in module.stdout
    script = Path(sys.executable).parent / "tracker"
    assert script.exists(), "the `tracker` console script is not installed"
    bad = _run(str(script), "resolve", "1", "maybe")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr


def test_tracker_debug_shows_the_traceback(tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    # show only reads, so it creates no database: make one first.
    assert _run(sys.executable, "-m", "tracker", "db", "upgrade", env=env).returncode == 0
    quiet = _run(sys.executable, "-m", "tracker", "show", "42", env=env)
    assert quiet.returncode == 2
    assert "Traceback" not in quiet.stderr
    loud = _run(sys.executable, "-m", "tracker", "show", "42", env={**env, "TRACKER_DEBUG": "1"})
    assert loud.returncode != 0
    assert "Traceback" in loud.stderr
    assert "NotFound" in loud.stderr


def test_bare_tracker_prints_help_and_succeeds(cli: Callable[..., Result]) -> None:
    result = cli()
    assert result.code == 0
    assert "resolve" in result.out
    assert result.err == ""
    assert cli("db").code == 0
