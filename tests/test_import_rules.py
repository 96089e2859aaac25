"""What import accepts and refuses: only our documents, every field checked against its
column on both databases, cells a spreadsheet will not run, and a cost that grows with the
file's length, not its square."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any, SupportsIndex
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from sqlalchemy.orm import class_mapper
from sqlmodel import SQLModel

from tests.conftest import TEST_DATABASE_URL, Result, assert_one_line_error, count_rows
from tracker.errors import InvalidInput
from tracker.io import transfer
from tracker.persistence.models import Prediction, PredictionTag, Resolution, Source

FIXTURES = Path(__file__).parent / "fixtures"
DUE = "2026-12-31T23:59:59.999999Z"


def _document(*records: dict[str, Any]) -> str:
    """An export as `tracker export` writes it: one member a line, a record a line."""
    body = ",\n".join(json.dumps(r) for r in records)
    return f'{{"format": "tracker-export",\n"version": 1,\n"predictions": [\n{body}\n]}}\n'


def _record(**fields: Any) -> dict[str, Any]:
    return {"key": "k", "claim": "A claim", "due": "2026", **fields}


# Defect 3: line numbers for every record in one pass ------------------------------------------


class CountingText(str):
    """A file's text that adds up how many characters str.count() went over."""

    scanned = 0

    def count(
        self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None, /
    ) -> int:
        first = 0 if start is None else operator.index(start)
        last = len(self) if end is None else operator.index(end)
        CountingText.scanned += max(0, last - first)
        return super().count(sub, start, end)


def test_numbering_a_json_files_records_reads_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting the newlines from the top of the file for each record went over the text
    once per record (43 s for 20,000): the lines must cost one pass, however many records."""
    size = 2_000
    path = tmp_path / "many.json"
    text = _document(*(_record(key=f"k{n}") for n in range(size)))
    path.write_text(text)
    monkeypatch.setattr(transfer, "_read_text", lambda _path: CountingText(text))
    CountingText.scanned = 0
    now, tz = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), ZoneInfo("UTC")
    assert len(transfer.read_export(path, tz=tz, now=now)) == size
    assert CountingText.scanned <= len(text)
    # ... and the lines named are still right at the end of the file
    broken = text.replace('"key": "k1999", "claim": "A claim"', '"key": "k1999", "claim": 5')
    monkeypatch.setattr(transfer, "_read_text", lambda _path: CountingText(broken))
    with pytest.raises(InvalidInput, match=rf"many.json:{size + 3}: claim"):
        transfer.read_export(path, tz=tz, now=now)


# Defect 10: only our documents ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "tracker-export", "version": 99, "predictions": []}', "version 99"),
        ('{"format": "tracker-export", "version": "1", "predictions": []}', 'version "1"'),
        ('{"format": "tracker-export", "version": true, "predictions": []}', "version true"),
        ('{"format": "other-export", "version": 1, "predictions": []}', 'format "other-export"'),
        ('{"format": "tracker-export", "version": 1}', 'no "questions" member'),
        ("{}", 'no "questions" member'),
        ('{"version": 2, "questions": [],\n"predictions": []}', ':2: a document has "questions"'),
        ('{"format": "tracker-export", "version": 1, "predictions": [], "x": 1}', '"x" is not'),
        ('{"format": "tracker-export", "version": 1, "predictions": []}\n\ngarbage', ":3: more"),
        ('{"format": "tracker-export", "version": 1, "predictions": []}{}', "more text"),
        ('[{"claim": "x", "due": "2026"}] []', "more text after the end"),
        ('{"format": "tracker-export", "version": 1, "predictions": {}}', "must be a list"),
        ('{"format": "tracker-export", "version": 1, "predictions": [],}', "not valid JSON"),
        ('[{"claim": "x", "due": "2026"},]', "not valid JSON"),
        (
            '{"format": "tracker-export", "version": 1, "predictions": [],\n'
            '"predictions": [{"claim": "x", "due": "2026"}]}',
            ':2: the member "predictions" appears twice',
        ),
    ],
)
def test_a_document_that_is_not_our_export_is_refused(
    cli: Callable[..., Result], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(text)
    assert_one_line_error(cli("import", path), contains=message)
    assert cli("list", "--status", "all", "--json").json() == []


@pytest.mark.parametrize("name", ["export-v1.json", "export-v1.csv"])
def test_an_export_of_the_previous_release_still_imports_whole(
    cli: Callable[..., Result], name: str
) -> None:
    """The fixtures were written by `tracker export` before these checks (and before CSV
    cells were escaped): seeds plus predictions whose texts start with = + @ - and ',
    a resolution history, a source. Imported and exported again (format 2), nothing has
    changed, and each prediction that stated a probability is a question with its forecast."""
    original = json.loads((FIXTURES / "export-v1.json").read_text())
    # That release kept no zone with a deadline: its deadlines take the zone of the import.
    expected = [p | {"tz": "UTC"} for p in original["predictions"]]
    with freeze_time("2025-04-01 12:00:00"):  # when the fixtures were exported
        result = cli("import", FIXTURES / name)
        assert result.code == 0, result.err
        assert "5 created, 0 updated, 0 unchanged" in result.out
        exported = cli("export").json()
    assert (exported["format"], exported["version"]) == ("tracker-export", 2)
    added = ("criteria", "sources", "forecasts", "versions")
    questions = exported["questions"]
    assert [{k: v for k, v in q.items() if k not in added} for q in questions] == expected
    cited = [[p["source"]] if p["source"] else [] for p in expected]
    assert [q["sources"] for q in questions] == cited
    # Only the fourth states a probability; it has no source, so it was made when stored.
    assert [q["forecasts"] for q in questions] == [[], [], [], [
        {"forecaster": "@desk; -minus", "probability": 0.35, "made_at": "2025-01-05T10:00:00Z",
         "quote": "+44 said: 'yes'", "source_url": None, "note": None, "basis": None}
    ], []]  # fmt: skip
    assert all(q["versions"] == [] and q["criteria"] is None for q in questions)


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_a_byte_order_mark_is_skipped(
    cli: Callable[..., Result], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"in{suffix}"
    if suffix == ".json":
        text = _document(_record(key="bom"))
    else:
        text = f"key,claim,due_at,precision\nbom,A claim,{DUE},year\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = cli("import", path)
    assert result.code == 0, result.err
    assert cli("show", "bom", "--json").json()["claim"] == "A claim"


# Defect 7: CSV cells a spreadsheet would run ------------------------------------------------

DANGEROUS = ["=1+1", "+44 1234", "-2 points", "@SUM(A1)", "'=already quoted", "'", "''"]


def test_csv_export_neutralises_formulas_and_import_restores_them(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n, text in enumerate(DANGEROUS):
        added = cli(
            "add", "--due", "2026", f"--key=k{n}", f"--quote={text}", f"--forecaster={text}",
            "--probability=0.25", f"--due-text={text} by 2026", f"--source-title={text}",
            f"--source-publisher={text} {n}", f"--tag={n}", "--", f"{text} claim",
        )  # fmt: skip
        assert added.code == 0, added.err
    exported = cli("export", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(exported)))
    for row in rows:
        for column in transfer.CSV_TEXT_COLUMNS:
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row[column]
    assert {row["quote"] for row in rows} == {"'" + text for text in DANGEROUS}
    assert {row["probability"] for row in rows} == {"0.25"}  # numbers are left as they are
    assert {row["due_at"] for row in rows} == {DUE}

    before = cli("export").json()
    path = tmp_path / "out.csv"
    path.write_text(exported)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert cli("import", path).code == 0
    assert cli("export").json() == before


@given(st.text())
def test_escaping_a_cell_is_undone_exactly(text: str) -> None:
    escaped = transfer.escape_cell(text)
    assert transfer.unescape_cell(escaped) == text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


# Defect 11 and the review: every field checked, on both databases ----------------------------

LONG_URL = "https://example.org/" + "a" * 2000
# For each String(n) column that import fills: a record with a value too long for it (or, for
# a column of choices, no choice), and how the error names the field.
OVER_LONG: dict[str, tuple[dict[str, Any], str]] = {
    "prediction.key": (_record(key="k" * 121), "key"),
    "prediction.forecaster": (_record(forecaster="f" * 201), "forecaster"),
    "prediction.due_text": (_record(due_text="d" * 201), "due_text"),
    "prediction.timezone": (_record(tz="Europe/" + "x" * 60), "tz"),
    "prediction.precision": (
        {"key": "k", "claim": "A claim", "due_at": DUE, "precision": "y" * 17},
        "due: precision",
    ),
    "prediction_tag.tag": (_record(tags=["t" * 101]), "tags"),
    "source.title": (_record(source={"title": "t" * 501}), "source: title"),
    "source.url": (_record(source={"url": LONG_URL}), "source: url"),
    "source.publisher": (_record(source={"publisher": "p" * 201}), "source: publisher"),
    "source.author": (_record(source={"author": "a" * 201}), "source: author"),
    "resolution.outcome": (_record(resolutions=[{"outcome": "y" * 17}]), "resolutions: outcome"),
    "resolution.evidence_url": (
        _record(resolutions=[{"outcome": "no", "evidence_url": LONG_URL}]),
        "resolutions: evidence_url",
    ),
    "resolution.resolved_by": (
        _record(resolutions=[{"outcome": "no", "resolved_by": "r" * 201}]),
        "resolutions: resolved_by",
    ),
    "resolution.via": (
        _record(resolutions=[{"outcome": "no", "via": "v" * 17}]),
        "resolutions: via",
    ),
}
# Filled by tracker itself, never from a file.
NOT_FROM_FILES = {"prediction.status"}


def test_every_string_column_an_import_fills_has_an_over_long_case() -> None:
    tables: list[type[SQLModel]] = [Prediction, Source, PredictionTag, Resolution]
    columns = {
        f"{table.__tablename__}.{column.name}"
        for table in tables
        for column in class_mapper(table).local_table.columns
        if isinstance(column.type, sa.String) and column.type.length
    }
    assert columns - NOT_FROM_FILES == set(OVER_LONG)


@pytest.mark.parametrize("column", sorted(OVER_LONG))
def test_an_over_long_value_is_refused_on_either_database(
    cli: Callable[..., Result], tmp_path: Path, database_url: str, column: str
) -> None:
    """SQLite would store a 50-character `via` in a VARCHAR(16); PostgreSQL failed the whole
    import with "unexpected StringDataRightTruncation". Both must refuse it, naming the line
    and the field, before anything is written."""
    cli("db", "upgrade")
    path = tmp_path / "in.json"
    record, field = OVER_LONG[column]
    path.write_text(_document(_record(key="fine"), record))
    assert_one_line_error(cli("import", path), contains=f"in.json:5: {field}")
    assert count_rows(database_url, "prediction") == 0


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (_record(tags=[{"a": 1}]), "tags: must be a list of words, not of dict"),
        (_record(tags=[[1]]), "tags: must be a list of words, not of list"),
        (_record(tags={"a": 1}), "tags: must be a list of words"),
        (_record(probability=10**400), "probability"),
        (_record(source={"published_at": "0001-01-01T00:00:00+01:00"}), "source: published_at"),
        (_record(source={"published_at": "9999-12-31T23:00:00-05:00"}), "source: published_at"),
        (_record(source={"published_at": "0001-01-01"}), "source: published_at"),
        (_record(created_at="0001-01-01T00:00:00Z"), "created_at"),
        (_record(resolutions=[{"outcome": "no", "resolved_at": "9999-12-31T23:59:59Z"}]),
         "resolutions: resolved_at"),
        (_record(resolutions=[{"outcome": "no", "occurred_on": "0001-01-01"}]),
         "resolutions: occurred_on"),
        (_record(resolutions=[{"outcome": "no", "via": "telepathy"}]), "resolutions: via"),
    ],
)  # fmt: skip
def test_values_no_record_can_hold_are_refused_with_line_and_field(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    record: dict[str, Any],
    message: str,
) -> None:
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")  # a time of year 1 moved here overflows
    path = tmp_path / "in.json"
    path.write_text(_document(_record(key="fine"), record))
    assert_one_line_error(cli("import", path), contains=f"in.json:5: {message}")
    assert cli("list", "--status", "all", "--json").json() == []


def test_a_number_too_long_to_read_is_refused_with_its_line(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "in.json"
    path.write_text(_document(_record(key="fine"), _record(probability=0)).replace(
        '"probability": 0', '"probability": ' + "1" * 5000
    ))  # fmt: skip
    assert_one_line_error(cli("import", path), contains="in.json:5: not valid JSON")


def test_csv_out_of_range_values_name_the_row(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "key,claim,due_at,precision,source_published_at\n"
        f"fine,A claim,{DUE},year,\n"
        f"bad,A claim,{DUE},year,0001-01-01T00:00:00+01:00\n"
    )
    assert_one_line_error(cli("import", path), contains="in.csv:3: source: published_at")


# A database that cannot be written -----------------------------------------------------------


def test_import_into_a_read_only_database_is_one_line_exit_1(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """The bulk path writes through the driver's own cursor, whose errors SQLAlchemy does not
    wrap: they came out as "unexpected OperationalError". (A chmod would not stop root, who
    runs CI: SQLite is opened read-only through its URI, PostgreSQL's transactions are.)"""
    assert cli("add", "x", "--due", "2025").code == 0
    if TEST_DATABASE_URL:
        url = make_url(database_url)
        options = f"{url.query['options']} -cdefault_transaction_read_only=on"
        read_only = url.update_query_dict({"options": options}).render_as_string(False)
    else:
        read_only = f"sqlite:///file:{tmp_path / 'tracker.db'}?mode=ro&uri=true"
    monkeypatch.setenv("TRACKER_DATABASE_URL", read_only)
    path = tmp_path / "in.json"
    path.write_text(_document(_record(key="new")))
    result = cli("import", path)
    assert_one_line_error(result, code=1, contains="read")
    assert "unexpected" not in result.err
    assert count_rows(database_url, "prediction") == 1


def test_a_csv_from_before_cells_were_escaped_keeps_its_quotes(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """An older release wrote "'+1' is what the desk wrote" as it is; taking its first quote
    off as an escape would change the claim."""
    path = tmp_path / "old.csv"
    path.write_text(
        "key,claim,due_at,precision,forecaster\n"
        "q,'+1' is what the desk wrote,2025-02-28T23:59:59.999999Z,month,'=Desk\n"
    )
    assert cli("import", path).code == 0
    shown = cli("show", "q", "--json").json()
    assert (shown["claim"], shown["forecaster"]) == ("'+1' is what the desk wrote", "'=Desk")


def test_a_document_of_predictions_alone_still_imports(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Earlier releases read {"predictions": [...]} without format or version: files written
    by hand or by other tools keep importing."""
    path = tmp_path / "hand.json"
    path.write_text('{"predictions": [{"claim": "Hand", "due": "2027-02", "key": "hand"}]}')
    assert cli("import", path).code == 0
    assert cli("show", "hand", "--json").json()["claim"] == "Hand"
    path.write_text('{"format": "other", "predictions": []}')
    assert_one_line_error(cli("import", path), contains="format")
    path.write_text('{"version": 1}')
    assert_one_line_error(cli("import", path), contains='no "questions" member')
