"""Modules stay a few screens long and functions fit on one: a module over 400 lines or a
function over 60 fails here, each offender named, so the limit in DESIGN.md holds by itself."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "tracker"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def long_modules(paths: list[Path], limit: int = MAX_MODULE_LINES) -> list[str]:
    found = []
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{_name(path)}: {lines} lines (limit {limit})")
    return found


def long_functions(paths: list[Path], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions and methods, nested ones too, measured from the `def` line to their last line:
    `lineno` of a function node is the `def` line, so decorators do not count."""
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > limit:
                found.append(
                    f"{_name(path)}:{node.lineno} {node.name}: {lines} lines (limit {limit})"
                )
    return found


def test_the_walk_finds_the_package() -> None:
    names = {_name(path) for path in _modules()}
    assert "tracker/cli/app.py" in names
    assert "tracker/domain/deadlines.py" in names


def test_no_module_is_over_the_limit() -> None:
    offenders = long_modules(_modules())
    assert not offenders, "modules to split:\n" + "\n".join(offenders)


def test_no_function_is_over_the_limit() -> None:
    offenders = long_functions(_modules())
    assert not offenders, "functions to split:\n" + "\n".join(offenders)


def test_the_checks_can_fail(tmp_path: Path) -> None:
    body = "".join(f"    x = {n}\n" for n in range(MAX_FUNCTION_LINES))
    source = tmp_path / "long.py"
    source.write_text("@decorated\ndef too_long():\n" + body + "\n" * MAX_MODULE_LINES)
    assert long_modules([source]) != []
    [offender] = long_functions([source])
    assert f"too_long: {MAX_FUNCTION_LINES + 1} lines" in offender
