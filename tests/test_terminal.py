"""Control characters: refused in stored text (CLI, import, API), escaped in what the command
line prints, and rich markup in a claim printed as it is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import Result, Web, assert_one_line_error, count_rows

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"  # retitles the terminal, then clears it


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("add", f"Claim {ESCAPES}", "--due", "2030"), "CLAIM"),
        (("add", "Claim \u202eevil", "--due", "2030"), "CLAIM"),  # bidi override
        (("add", "Claim \x9b2J", "--due", "2030"), "CLAIM"),  # C1 CSI
        (("add", "Claim \x7f", "--due", "2030"), "CLAIM"),  # DEL
        (("add", "Claim\rhidden", "--due", "2030"), "CLAIM"),  # a lone CR overwrites the line
        (("add", "Claim", "--due", "2030", "--forecaster", f"Desk{ESCAPES}"), "--forecaster"),
        (("add", "Claim", "--due", "2030", "--forecaster", "Desk\tA"), "--forecaster"),
        (("add", "Claim", "--due", "2030", "--quote", f"It will{ESCAPES}"), "--quote"),
        (("add", "Claim", "--due", "2030", "--source-title", "A\u2066title"), "--source-title"),
        (("add", "Claim", "--due", "2030", "--due-text", "by\x1b[31m 2030"), "--due-text"),
        (("add", "Claim", "--due", "2030", "--source-url", "https://x.org/\x1b"), "--source-url"),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    cli: Callable[..., Result], database_url: str, args: tuple[str, ...], field: str
) -> None:
    assert cli("db", "upgrade").code == 0
    result = cli(*args)
    assert_one_line_error(result, contains=field)
    assert "control characters" in result.err
    assert "\x1b" not in result.err
    assert count_rows(database_url, "prediction") == 0


def test_resolve_refuses_them_in_a_note_but_keeps_its_lines(
    cli: Callable[..., Result], database_url: str
) -> None:
    assert cli("add", "Claim", "--due", "2030").code == 0
    refused = cli("resolve", "1", "yes", "--note", f"Done{ESCAPES}")
    assert_one_line_error(refused, contains="--note must not contain control characters")
    assert count_rows(database_url, "resolution") == 0
    assert cli("resolve", "1", "yes", "--note", "Done.\r\nSee\tbelow.").code == 0
    [resolution] = cli("show", "1", "--json").json()["resolutions"]
    assert resolution["note"] == "Done.\r\nSee\tbelow."


def test_multi_line_text_keeps_its_tabs_and_line_breaks(cli: Callable[..., Result]) -> None:
    result = cli("add", "Line one\nline\ttwo", "--due", "2030", "--quote", "A\nB", "--json")
    assert result.code == 0, result.err
    assert result.json()["claim"] == "Line one\nline\ttwo"
    assert result.json()["quote"] == "A\nB"


def test_import_refuses_them_naming_the_field(
    cli: Callable[..., Result], database_url: str, tmp_path: Path
) -> None:
    assert cli("db", "upgrade").code == 0
    sheet = tmp_path / "in.json"
    sheet.write_text(json.dumps([{"claim": "Fine", "due": "2030", "forecaster": f"A{ESCAPES}"}]))
    result = cli("import", sheet)
    assert_one_line_error(result, contains="forecaster")
    assert "control characters" in result.err
    assert count_rows(database_url, "prediction") == 0


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/predictions", {"claim": f"x{ESCAPES}", "due": "2030"}, "claim"),
        ("/api/v1/predictions", {"claim": "x", "due": "2030", "quote": "\u202ey"}, "quote"),
        ("/api/v1/predictions/1/resolve", {"outcome": "yes", "note": "a\x1bb"}, "note"),
    ],
)
def test_the_api_answers_422_naming_the_field(
    web: Web, database_url: str, path: str, payload: dict[str, str], field: str
) -> None:
    web.client.post(
        "/api/v1/predictions", json={"claim": "Kept", "due": "2030"}, headers=web.write_headers()
    )
    response = web.client.post(path, json=payload, headers=web.write_headers())
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert field in detail
    assert "control characters" in detail
    assert count_rows(database_url, "prediction") == 1
    assert count_rows(database_url, "resolution") == 0


# What the command line prints --------------------------------------------------------------------


def _store_unchecked(database_url: str, **values: str) -> None:
    """Write text that today's checks refuse, as a row stored before them would hold it."""
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            connection.execute(sa.text(f"UPDATE prediction SET {assignments}"), values)
    finally:
        engine.dispose()


def test_list_and_show_escape_control_characters_in_stored_text(
    cli: Callable[..., Result], database_url: str
) -> None:
    assert cli("add", "Placeholder", "--due", "2030", "--quote", "Q").code == 0
    _store_unchecked(
        database_url,
        claim=f"Bad {ESCAPES} claim",
        forecaster="Desk \u202eA\x9b",
        quote="Q\x1b[31m",
    )
    for args in (("list",), ("show", "1")):
        result = cli(*args)
        assert result.code == 0, result.err
        for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert raw not in result.out, (args, result.out)
        assert "\\x1b]0;PWNED\\x07\\x1b[2J" in result.out, result.out
        assert "\\u202e" in result.out
    shown = cli("show", "1", "--json")
    assert shown.json()["claim"] == f"Bad {ESCAPES} claim"  # JSON keeps the value
    for raw in ("\x1b", "\u202e", "\x9b"):
        assert raw not in shown.out


def test_rich_markup_in_stored_text_is_printed_as_written(cli: Callable[..., Result]) -> None:
    assert (
        cli("add", "[bold]Claim[/bold] [red]", "--due", "2030", "--forecaster", "[b]D[/b]").code
        == 0
    )
    assert cli("resolve", "1", "yes").code == 0
    for args in (("list", "--status", "all"), ("show", "1"), ("summary", "--by", "forecaster")):
        result = cli(*args)
        assert result.code == 0, result.err
        assert "[b]D[/b]" in result.out, (args, result.out)
        if args[0] != "summary":
            assert "[bold]Claim[/bold] [red]" in result.out, (args, result.out)


def test_an_error_that_quotes_what_was_typed_escapes_it(
    cli: Callable[..., Result], database_url: str
) -> None:
    result = cli("extract", f"missing{ESCAPES}.txt", "--published", "2025-01-01")
    assert_one_line_error(result, contains="no such file")
    assert "\x1b" not in result.err
    assert "missing\\x1b]0;PWNED\\x07\\x1b[2J.txt" in result.err
    undecodable = cli("extract", "missing\udcff.txt", "--published", "2025-01-01")
    assert_one_line_error(undecodable, contains="missing\\xff.txt: no such file")


def test_the_service_log_escapes_a_stored_claim(
    cli: Callable[..., Result], database_url: str
) -> None:
    """The console channel writes reminders to the log: an older row's escape sequence in a
    claim must reach the terminal of `tracker run` or `check` as text."""
    import subprocess
    import sys

    from tests.conftest import process_env

    assert cli("add", "Plain claim", "--due", "2025-02", "--key", "k").code == 0
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE prediction SET claim = :c"), {"c": f"A{ESCAPES}B"})
    engine.dispose()
    env = process_env(database_url, TRACKER_CHANNELS='[{"name": "log", "kind": "console"}]')
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr
    assert "\x07" not in done.stderr
    assert "A\\x1b]0;PWNED\\x07\\x1b[2JB" in done.stderr


@pytest.mark.empty_database
def test_an_older_databases_control_characters_are_cleaned_on_upgrade(
    database_url: str, cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Earlier releases stored them; without the clean-up, an export of such a database could
    not be imported again (a tab in a forecaster's name is refused now)."""
    import datetime as dt

    from alembic import command

    from tracker.persistence.db import alembic_config, make_engine, upgrade_to_head

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0006")
    now = dt.datetime(2025, 1, 1)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO source (id, url, title, created_at) VALUES (1, :url, :title, :now)"
            ),
            {"url": "https://e.org/a\tb", "title": f"Line1\nLine2{ESCAPES}", "now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO prediction (id, key, claim, quote, forecaster, due_at, precision,"
                " due_text, status, source_id, created_at, updated_at) VALUES (1, 'k', :claim,"
                " :quote, :forecaster, :due, 'month', 'by March 2025', 'resolved', 1, :now, :now)"
            ),
            {"claim": f"A\tclaim\non two lines{ESCAPES}", "quote": "q\r\nok\rx",
             "forecaster": "Desk\tA", "due": dt.datetime(2025, 3, 31, 23, 59, 59, 999999),
             "now": now},
        )  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO resolution (prediction_id, outcome, resolved_at, note, resolved_by,"
                " via, came_true) VALUES (1, 'no', :now, :note, :by, 'cli', :false)"
            ),
            {"now": now, "note": f"n{ESCAPES}", "by": "ann\u202eb", "false": False},
        )
    upgrade_to_head(engine)
    engine.dispose()
    shown = cli("show", "k", "--json").json()
    assert shown["claim"] == "A\tclaim\non two lines]0;PWNED[2J"
    assert shown["quote"] == "q\r\nokx"
    assert shown["forecaster"] == "Desk A"
    assert shown["source"]["title"] == "Line1 Line2]0;PWNED[2J"
    assert shown["source"]["url"] == "https://e.org/a%09b"
    assert shown["resolutions"][0]["note"] == "n]0;PWNED[2J"
    assert shown["resolutions"][0]["resolved_by"] == "annb"
    path = tmp_path / "all.json"
    assert cli("export", "-o", path).code == 0
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'restored.db'}")
    restored = cli("import", path)
    assert restored.code == 0, restored.err
