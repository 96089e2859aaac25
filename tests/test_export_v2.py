"""Export format 2: questions with every forecast, source, version and resolution; a round
trip gives the same file (JSON and CSV, on SQLite and PostgreSQL), a second import changes
nothing, and a bad record refuses the whole file naming its line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import (
    SEEDS,
    TEST_DATABASE_URL,
    Result,
    assert_one_line_error,
    count_rows,
    is_sqlite,
)
from tests.database_template import postgres_schema
from tracker.io.csvfile import CSV_COLUMNS, FORECAST_COLUMNS

ODD = 'Rates, "quoted";\nnew line, a\ttab, a back\\slash, ünïcödé and =1+1'
EXPORTED_AT = "2025-04-01 12:00:00"


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def _populate(cli: Callable[..., Result]) -> None:
    """Questions with several forecasters and revisions, edits (versions), several sources,
    resolutions reopened and superseded, odd characters and deadlines in other zones."""
    with freeze_time("2025-01-05 10:00:00"):
        _ok(cli("seed", SEEDS))  # three questions, a forecast each, a source without URL
        _ok(cli(
            "add", ODD, "--due", "2025-06", "--tz", "Asia/Kolkata", "--key", "odd",
            "--forecaster", "Desk; \"A\"", "--probability", "35%",
            "--criteria", "=The bank's\nword",
            "--source-url", "https://example.org/a?x=1&y=ü", "--source-title", "+A",
            "--quote", "@quote\tand tab", "--tag", "x", "--tag", "y z",
        ))  # fmt: skip
        _ok(cli("add", "Nobody forecasts this", "--due", "2025-12-31", "--key", "bare"))
        _ok(cli("add", "Named, no probability", "--due", "2025-Q3", "--forecaster", "Sole"))
    with freeze_time("2025-01-20 08:30:00"):
        for ref, probability, by, extra in [
            ("odd", "0.4", "ISW", ["--note", "first look", "--basis", "implied by 'may'"]),
            ("odd", "7:3", 'Desk; "A"', ["--source-url", "https://example.org/b"]),
            ("1", "0.2", 'Desk; "A"', ["--at", "2025-01-10T09:00:00+02:00"]),
            ("1", "0.2", 'Desk; "A"', ["--at", "2025-01-11"]),
            ("1", "90%", "ISW", ["--quote", "-minus", "--source-url", "https://isw.example/r"]),
        ]:
            _ok(cli("forecast", ref, probability, "--by", by, *extra))
        _ok(cli("edit", "odd", "--claim", "Rates fall\tsoon", "--note", "clearer =claim"))
        _ok(cli("edit", "odd", "--due", "2025-07-15", "--tag", "later", "--note", "moved"))
    with freeze_time("2025-03-01 10:00:00"):
        _ok(cli("resolve", "1", "no", "--note", "Still there.", "--by", "ed"))
        _ok(cli("reopen", "1", "--note", "New evidence"))
    with freeze_time("2025-03-02 10:00:00"):
        _ok(cli("resolve", "1", "yes", "--occurred-on", "2025-02-27"))
        _ok(cli("resolve", "3", "annulled", "--evidence", "https://example.org/x"))


@pytest.fixture
def second_database_url(tmp_path: Path, database_url: str) -> Iterator[str]:
    """Another empty database of the same kind as database_url."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path / 'other.db'}"
    else:
        yield from postgres_schema(TEST_DATABASE_URL)


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_round_trip_gives_the_same_file_and_a_second_import_changes_nothing(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    second_database_url: str,
    file_format: str,
) -> None:
    _populate(cli)
    first, second = tmp_path / f"first.{file_format}", tmp_path / f"second.{file_format}"
    with freeze_time(EXPORTED_AT):
        _ok(cli("export", "-o", first))
        document = cli("export").json()
    questions = {q["key"]: q for q in document["questions"]}
    # What the file is meant to carry is there (else the round trip proves little).
    odd = questions["odd"]
    assert [(f["forecaster"], f["probability"]) for f in odd["forecasts"]] == [
        ('Desk; "A"', 0.35),
        ("ISW", 0.4),
        ('Desk; "A"', 0.7),
    ]
    assert [s["url"] for s in odd["sources"]] == [
        "https://example.org/a?x=1&y=ü",
        "https://example.org/b",
    ]
    assert [v["note"] for v in odd["versions"]] == ["clearer =claim", "moved"]
    assert odd["versions"][0]["snapshot"]["claim"] == ODD
    assert odd["tz"] == "Asia/Kolkata"
    first_question = document["questions"][0]
    assert (len(first_question["forecasts"]), len(first_question["sources"])) == (4, 2)
    assert [r["superseded_note"] for r in first_question["resolutions"]] == ["New evidence", None]
    assert questions["bare"]["forecasts"] == []

    monkeypatch.setenv("TRACKER_DATABASE_URL", second_database_url)
    result = _ok(cli("import", first))
    assert "6 created, 0 updated, 0 unchanged" in result.out
    with freeze_time(EXPORTED_AT):
        _ok(cli("export", "-o", second))
    assert second.read_text() == first.read_text()

    counts = {t: count_rows(second_database_url, t) for t in ("forecast", "prediction_source")}
    again = _ok(cli("import", first))
    assert "0 created, 0 updated, 6 unchanged" in again.out
    assert {t: count_rows(second_database_url, t) for t in counts} == counts
    with freeze_time(EXPORTED_AT):
        _ok(cli("export", "-o", second))
    assert second.read_text() == first.read_text()


def test_csv_holds_a_row_per_forecast_and_a_row_for_a_question_without(
    cli: Callable[..., Result],
) -> None:
    _populate(cli)
    with freeze_time(EXPORTED_AT):
        text = cli("export", "--format", "csv").out
    reader = csv.reader(io.StringIO(text))
    assert tuple(next(reader)) == CSV_COLUMNS
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in reader]
    by_key: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_key.setdefault(row["key"], []).append(row)
    assert len(by_key["odd"]) == 3
    assert {row["claim"] for row in by_key["odd"]} == {"Rates fall\tsoon"}
    assert [row["forecast_made_at"] for row in by_key["odd"]] == [
        "2025-01-05T10:00:00Z",
        "2025-01-20T08:30:00Z",
        "2025-01-20T08:30:00Z",
    ]
    assert [row["forecast_source_url"] for row in by_key["odd"]] == [
        "https://example.org/a?x=1&y=ü",
        "",
        "https://example.org/b",
    ]
    assert [v["note"] for v in json.loads(by_key["odd"][0]["versions"])] == [
        "clearer =claim",
        "moved",
    ]
    assert len(json.loads(by_key["odd"][0]["sources"])) == 2  # more than the source_* one
    [bare] = by_key["bare"]
    assert all(bare[column] == "" for column in FORECAST_COLUMNS)
    assert bare["sources"] == bare["versions"] == ""
    seeded = rows[-1 - len(by_key["bare"]) - len(by_key["odd"]) - 1]
    assert seeded["sources"] == ""  # just the one in source_*
    assert by_key["odd"][0]["criteria"] == "'=The bank's\nword"  # a formula, escaped


def test_a_stored_question_gains_only_the_forecasts_it_lacks(
    cli: Callable[..., Result], tmp_path: Path, database_url: str
) -> None:
    """Forecasts are told apart by forecaster, made_at and probability: a revision to the
    same probability at another time is a forecast of its own, the same one again is not."""
    _populate(cli)
    document = cli("export").json()
    odd = next(q for q in document["questions"] if q["key"] == "odd")
    before = count_rows(database_url, "forecast")
    odd["forecasts"] += [
        odd["forecasts"][1],  # there already
        odd["forecasts"][1] | {"made_at": "2025-01-21T00:00:00Z"},
        odd["forecasts"][1] | {"probability": 0.45, "source_url": "https://example.org/c"},
    ]
    path = tmp_path / "more.json"
    path.write_text(json.dumps(document))
    assert "0 created, 1 updated, 5 unchanged" in _ok(cli("import", path)).out
    assert count_rows(database_url, "forecast") == before + 2
    shown = cli("show", "odd", "--json").json()
    assert shown["sources"][-1]["url"] == "https://example.org/c"
    assert "0 created, 0 updated, 6 unchanged" in _ok(cli("import", path)).out
    assert count_rows(database_url, "forecast") == before + 2


def _json_file(*questions: dict[str, Any]) -> str:
    body = ",\n".join(json.dumps(q) for q in questions)
    return f'{{"format": "tracker-export", "version": 2, "questions": [\n{body}\n]}}\n'


GOOD: dict[str, Any] = {
    "key": "g",
    "claim": "Good",
    "due_at": "2026-12-31T23:59:59.999999Z",
    "precision": "year",
}
SNAPSHOT: dict[str, Any] = {
    "claim": "Was", "criteria": None, "due_at": "2026-06-30T23:59:59.999999Z",
    "window_start": None, "precision": "half", "due_text": "by H1 2026", "tz": "UTC", "tags": [],
}  # fmt: skip
VERSION: dict[str, Any] = {"version": 1, "changed_at": "2025-01-01T00:00:00Z", "note": "why"}
CSV_HEAD = "key,claim,due_at,precision,forecast_forecaster,forecast_probability\n"
CSV_ROW = "g,Good,2026-12-31T23:59:59.999999Z,year"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "in.json",
            _json_file(GOOD, GOOD | {"key": "b", "forecasts": [{"forecaster": "A"}]}),
            "in.json:3: forecasts: [1]: probability is required",
        ),
        (
            "in.json",
            _json_file(GOOD | {"forecasts": [{"forecaster": "A", "probability": 2}]}),
            "in.json:2: forecasts: [1]: probability",
        ),
        (
            "in.json",
            _json_file(GOOD | {"forecasts": [{"probability": 0.5, "who": "A"}]}),
            "'who' is not a field of a forecast",
        ),
        ("in.json", _json_file(GOOD | {"forecasts": {"A": 0.5}}), "forecasts: must be a list"),
        (
            "in.json",
            _json_file(GOOD | {"versions": [VERSION | {"snapshot": {"claim": "x"}}]}),
            "in.json:2: versions: [1]: snapshot: 'criteria' is missing",
        ),
        (
            "in.json",
            _json_file(
                GOOD
                | {"versions": [VERSION | {"snapshot": SNAPSHOT}, VERSION | {"snapshot": SNAPSHOT}]}
            ),
            "versions: [2]: version numbers must go up",
        ),
        ("in.json", _json_file(GOOD | {"sources": [{"url": "not a url"}]}), "sources: [1]: url"),
        (
            "in.csv",
            f"{CSV_HEAD}{CSV_ROW},A,0.5\n{CSV_ROW},B,lots\n",
            "in.csv:3: forecast: probability",
        ),
        (
            "in.csv",
            f"{CSV_HEAD}{CSV_ROW},A,0.5\n{CSV_ROW},,0.5\n",
            "in.csv:3: forecast: forecaster is required",
        ),
        (
            "in.csv",
            f"{CSV_HEAD}{CSV_ROW},A,0.5\ng,Other,2026-12-31T23:59:59.999999Z,year,B,0.5\n",
            "in.csv:3: key 'g': the question's columns differ from those of its first row (line 2)",
        ),
        (
            "in.csv",
            f"{CSV_HEAD}{CSV_ROW},A,0.5\nh,{CSV_ROW[2:]},,\n{CSV_ROW},B,0.5\n",
            "key 'g' appears twice",
        ),
        (
            "in.csv",
            f'key,claim,due_at,precision,versions\n{CSV_ROW},"[{{\n',
            "in.csv:2: not valid CSV",
        ),
        (
            "in.csv",
            f'key,claim,due_at,precision,versions\n{CSV_ROW},"[{{"\n',
            "in.csv:2: versions: not valid JSON",
        ),
    ],
)
def test_a_bad_record_refuses_the_file_naming_its_line(
    cli: Callable[..., Result], tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert_one_line_error(cli("import", path), contains=message)
    assert cli("list", "--status", "all", "--json").json() == []


def test_a_hand_written_csv_of_forecasts_groups_its_rows_by_key(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        f"{CSV_HEAD}{CSV_ROW},A,0.5\n{CSV_ROW},B,70%\n{CSV_ROW},A,3:7\n"
        "h,H,2026-12-31T23:59:59.999999Z,year,,\n"
    )
    assert "2 created" in _ok(cli("import", path)).out
    shown = cli("show", "g", "--json").json()
    assert [(f["forecaster"], f["probability"]) for f in shown["forecasts"]] == [
        ("A", 0.5),
        ("B", 0.7),
        ("A", 0.3),
    ]
    assert cli("show", "h", "--json").json()["forecasts"] == []


def test_the_readme_csv_example_imports_as_it_says(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("### Export and import files") :]
    example = section[section.index("```csv\n") + 7 : section.index("```\n", 1)]
    path = tmp_path / "example.csv"
    path.write_text(example)
    assert "2 created" in _ok(cli("import", path)).out
    shown = cli("show", "syria-pullout", "--json").json()
    assert [(f["forecaster"], f["note"]) for f in shown["forecasts"]] == [
        ("ISW", None),
        ("Desk", "after the talks"),
    ]
    assert cli("show", "rates-fall", "--json").json()["forecasts"] == []
