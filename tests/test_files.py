"""Export and import: a round trip loses nothing; bad files are refused whole, line named."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import (
    ACTOR,
    TEST_DATABASE_URL,
    Result,
    assert_one_line_error,
    count_rows,
    is_sqlite,
)
from tests.database_template import postgres_schema


def _populate(cli: Callable[..., Result]) -> None:
    with freeze_time("2025-01-05 10:00:00"):
        assert cli("seed").code == 2  # no ./seeds in the test's working directory
        from tests.conftest import SEEDS

        assert cli("seed", SEEDS).code == 0
        assert cli(
            "add", 'A claim, with "quotes",\nnewlines, a\ttab, a back\\slash and ünïcödé',
            "--due", "2025-H2",
            "--probability", "0.35", "--tag", "x", "--tag", "y z", "--forecaster", "Ana; Bo",
        ).code == 0  # fmt: skip
    with freeze_time("2025-03-01 10:00:00"):
        assert cli("resolve", "1", "no", "--note", "Still there.", "--by", "ed").code == 0
        assert cli("reopen", "1", "--note", "New evidence").code == 0
    with freeze_time("2025-03-02 10:00:00"):
        assert cli("resolve", "1", "yes", "--occurred-on", "2025-02-27").code == 0
        assert cli("resolve", "3", "annulled", "--evidence", "https://example.org/x").code == 0


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_round_trip_loses_nothing(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    file_format: str,
) -> None:
    _populate(cli)
    exported = tmp_path / f"out.{file_format}"
    assert cli("export", "-o", exported).code == 0
    original = cli("export").json()
    assert len(original["questions"]) == 4

    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    result = cli("import", exported)
    assert result.code == 0, result.err
    assert "4 created, 0 updated, 0 unchanged" in result.out
    assert cli("export").json() == original
    again = cli("import", exported)
    assert "0 created, 0 updated, 4 unchanged" in again.out


def test_export_csv_to_stdout_has_a_header_and_a_row_each(cli: Callable[..., Result]) -> None:
    _populate(cli)
    text = cli("export", "--format", "csv").out
    assert text.splitlines()[0].startswith("id,key,claim,")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["outcome"] for r in rows] == ["yes", "", "annulled", ""]
    assert json.loads(rows[0]["resolutions"])[0]["superseded_note"] == "New evidence"


def test_import_updates_a_changed_prediction_but_not_its_resolution(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    _populate(cli)
    document = cli("export").json()
    document["questions"][0]["claim"] = "Edited claim"
    document["questions"][0]["resolutions"] = []
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    assert "0 created, 1 updated, 3 unchanged" in cli("import", path).out
    shown = cli("show", "1", "--json").json()
    assert shown["claim"] == "Edited claim"
    assert shown["outcome"] == "yes"
    assert len(shown["resolutions"]) == 2


def test_import_of_a_hand_written_csv(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        "claim,due_text,forecaster,probability,outcome,resolved_at\n"
        "Rates fall,2025-09,Bank,60%,,\n"
        "Rates rise,2025-Q2,Bank,0.2,no,2025-07-01\n".replace("due_text", "due_at")
    )
    # a hand-written sheet gives due dates as phrases in a `due` column
    path.write_text(path.read_text().replace("due_at", "due"))
    result = cli("import", path)
    assert result.code == 2  # `due` is not an export column
    path.write_text(
        "claim,due_at,precision,forecaster,probability,outcome,resolved_at\n"
        "Rates fall,2025-09-30T23:59:59.999999Z,month,Bank,60%,,\n"
        "Rates rise,2025-06-30T23:59:59.999999Z,quarter,Bank,0.2,no,2025-07-01\n"
    )
    result = cli("import", path)
    assert result.code == 0, result.err
    listed = cli("list", "--status", "all", "--json").json()
    assert [(p["due_label"], p["probability"], p["outcome"]) for p in listed] == [
        ("Q2 2025", 0.2, "no"),
        ("September 2025", 0.6, None),
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "bad.json",
            '{"predictions": [\n  {"claim": "a",\n   "due": }\n]}',
            "bad.json:3: not valid JSON",
        ),
        (
            "bad.json",
            '[\n {"claim": "ok", "due": "2025"},\n {"claim": "b", "due": "soon"}\n]',
            "bad.json:3: due",
        ),
        (
            "bad.json",
            '[\n {"claim": "ok", "due": "2025", "colour": "red"}\n]',
            "bad.json:2: colour",
        ),
        (
            "bad.csv",
            "claim,due_at,precision\nok,2025-01-01T23:59:59.999999Z,day\nb,soon,day\n",
            "bad.csv:3: due",
        ),
        ("bad.csv", "claim,due_at\nok,2025-01-01T00:00:00Z,extra\n", "bad.csv:2: more fields"),
        ("bad.csv", "claim,title\nok,2025\n", "bad.csv:1: unknown column 'title'"),
        ("bad.csv", "claim,tags,claim\na,x,b\n", "bad.csv:1: the column 'claim' appears twice"),
        ("bad.csv", "due_at\n2025\n", "bad.csv:1: the header has no 'claim' column"),
        ("bad.txt", "claim\n", "cannot tell the format"),
        ("missing.json", None, "no such file"),
    ],
)
def test_bad_files_are_refused_whole_with_the_line(
    cli: Callable[..., Result], tmp_path: Path, name: str, text: str | None, message: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    assert_one_line_error(cli("import", path), contains=message)
    assert cli("list", "--status", "all", "--json").json() == []


def test_export_to_a_missing_folder_fails_cleanly(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert cli("db", "upgrade").code == 0  # export, which only reads, creates no database
    assert_one_line_error(
        cli("export", "-o", tmp_path / "no" / "x.json"), contains="does not exist"
    )


@pytest.fixture
def second_database_url(tmp_path: Path, database_url: str) -> Iterator[str]:
    """Another empty database of the same kind as database_url."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path / 'other.db'}"
    else:
        yield from postgres_schema(TEST_DATABASE_URL)


def test_imported_rows_are_stored_exactly_as_added_ones(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    second_database_url: str,
) -> None:
    """Import writes rows through the driver (executemany on SQLite, COPY text on PostgreSQL),
    not SQLAlchemy's types: what is stored must still be what the CLI stores, or queries
    would compare dates wrongly, and tabs, newlines or backslashes in text would be mangled."""
    _populate(cli)
    exported = tmp_path / "out.json"
    assert cli("export", "-o", exported).code == 0
    other = second_database_url
    monkeypatch.setenv("TRACKER_DATABASE_URL", other)
    assert cli("import", exported).code == 0

    def raw(url: str, query: str) -> list[tuple[object, ...]]:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            rows = [tuple(row) for row in connection.exec_driver_sql(query)]
        engine.dispose()
        return rows

    predictions = (
        "SELECT id, key, claim, probability, due_at, window_start, precision, status, "
        "created_at, updated_at, next_reminder_at FROM prediction ORDER BY id"
    )
    resolutions = (
        "SELECT prediction_id, outcome, resolved_at, occurred_on, came_true, via, "
        "superseded_at FROM resolution ORDER BY id"
    )
    tags = "SELECT prediction_id, tag FROM prediction_tag ORDER BY prediction_id, tag"
    for query in (predictions, resolutions, tags):
        assert raw(other, query) == raw(database_url, query)
    claims = [row[2] for row in raw(other, predictions)]
    assert 'A claim, with "quotes",\nnewlines, a\ttab, a back\\slash and ünïcödé' in claims
    if is_sqlite(database_url):
        assert any(isinstance(v, str) and "." in v for v in raw(other, predictions)[0])


def test_a_large_import_stores_every_row_and_finds_them_all_again(
    cli: Callable[..., Result], tmp_path: Path, database_url: str
) -> None:
    """More rows than one COPY part (5,000) or one key lookup (10,000) holds: none may be lost
    at a boundary, and a second import must find every one of them stored."""
    size = 12_345
    path = tmp_path / "many.csv"
    rows = [
        f"k{i},Claim {i} with a\\backslash,2026-{1 + i % 12:02d}-28T23:59:59.999999Z,day,"
        f"desk {i % 7},{(i % 99 + 1) / 100},t{i % 3}"
        for i in range(size)
    ]
    path.write_text("key,claim,due_at,precision,forecaster,probability,tags\n" + "\n".join(rows))
    first = cli("import", path)
    assert first.code == 0, first.err
    assert f"{size} created, 0 updated, 0 unchanged" in first.out + first.err
    assert count_rows(database_url, "prediction") == size
    assert count_rows(database_url, "prediction_tag") == size
    again = cli("import", path)
    assert f"0 created, 0 updated, {size} unchanged" in again.out + again.err
    shown = cli("show", f"k{size - 1}", "--json")
    assert shown.json()["claim"] == f"Claim {size - 1} with a\\backslash"


def test_an_import_leaves_the_cycle_collector_as_it_found_it(
    tmp_path: Path, database_url: str
) -> None:
    """Import pauses Python's cycle collector while it builds rows; a failing import must not
    leave it off in the process that called it."""
    import datetime as dt
    import gc
    from zoneinfo import ZoneInfo

    from tracker import importing
    from tracker.errors import InvalidInput
    from tracker.persistence.db import make_engine, upgrade_to_head

    engine = make_engine(database_url)
    upgrade_to_head(engine)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps([{"key": "a", "claim": "A claim", "due": "2025-03"}]))
    bad.write_text(json.dumps([{"key": "b", "claim": "B claim", "due": "not a date"}]))
    now, tz = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), ZoneInfo("UTC")
    try:
        assert importing.import_file(engine, path=good, tz=tz, now=now, actor=ACTOR).created == [
            "a"
        ]
        assert gc.isenabled()
        with pytest.raises(InvalidInput):
            importing.import_file(engine, path=bad, tz=tz, now=now, actor=ACTOR)
        assert gc.isenabled()
        gc.disable()  # one that was off stays off
        importing.import_file(engine, path=good, tz=tz, now=now, actor=ACTOR)
        assert not gc.isenabled()
    finally:
        gc.enable()
        engine.dispose()
