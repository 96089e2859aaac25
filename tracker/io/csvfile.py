"""The CSV layout of an export (format 2): one row per forecast, the question's columns
repeated on each of its rows (a question without forecasts is one row whose forecast columns
are empty); resolutions, versions and the sources beyond the one in the source_* columns are
JSON text in a column. A file without forecast_* columns (format 1, or made by hand) holds a
question a row. README.md, "Export and import files", shows an example.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import InvalidInput

SOURCE_COLUMNS = ("title", "url", "publisher", "author", "published_at")
QUESTION_COLUMNS = (
    "id", "key", "claim", "criteria", "quote", "forecaster", "probability", "due_at",
    "window_start", "precision", "tz", "due_text", "tags", "status", "outcome", "resolved_at",
    "occurred_on", *(f"source_{name}" for name in SOURCE_COLUMNS), "created_at", "updated_at",
    "resolutions", "sources", "versions",
)  # fmt: skip
FORECAST_FIELDS = ("forecaster", "probability", "made_at", "quote", "source_url", "note", "basis")
FORECAST_COLUMNS = tuple(f"forecast_{name}" for name in FORECAST_FIELDS)
CSV_COLUMNS = (*QUESTION_COLUMNS, *FORECAST_COLUMNS)
JSON_COLUMNS = frozenset({"resolutions", "sources", "versions"})
# The columns of free text, which may start with anything. (Numbers, times, enumerations,
# and the JSON columns, which start with "[", never start with a formula's first sign.)
CSV_TEXT_COLUMNS = frozenset(
    {"key", "claim", "criteria", "quote", "forecaster", "due_text", "tags", "source_title",
     "source_url", "source_publisher", "source_author", "forecast_forecaster", "forecast_quote",
     "forecast_source_url", "forecast_note", "forecast_basis"}
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's "CSV
# injection"); export puts a "'" before them, and before a "'" already there, so that import
# can take exactly that one "'" off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*_FORMULA_STARTS, "'")
_ESCAPED_SECOND = frozenset(_ESCAPED_STARTS)


def escape_cell(text: str) -> str:
    """A text cell a spreadsheet will show, not run; unescape_cell(escape_cell(t)) == t."""
    return "'" + text if text.startswith(_ESCAPED_STARTS) else text


def unescape_cell(text: str) -> str:
    """Undo escape_cell. A cell it did not write ("'hello", hand-written) stays as it is."""
    return text[1:] if text[:1] == "'" and text[1:2] in _ESCAPED_SECOND else text


# Writing -----------------------------------------------------------------------------------


def csv_text(questions: Sequence[Mapping[str, Any]]) -> str:
    """The questions (export objects of format 2) as CSV text, a row per forecast."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    empty = [""] * len(FORECAST_COLUMNS)
    for obj in questions:
        cells = _question_cells(obj)
        if not obj["forecasts"]:
            writer.writerow(cells + empty)
        for forecast in obj["forecasts"]:
            writer.writerow(cells + _cells(forecast, FORECAST_FIELDS, FORECAST_COLUMNS))
    return buffer.getvalue()


def _question_cells(obj: Mapping[str, Any]) -> list[str]:
    source = obj["source"] or {}
    # The sources column is written only when they are not just the one in source_*.
    sources = obj["sources"] if obj["sources"] != ([source] if source else []) else None
    values = {
        **obj,
        "tags": ";".join(obj["tags"]),
        **{f"source_{name}": source.get(name) for name in SOURCE_COLUMNS},
        "resolutions": _json_cell(obj["resolutions"]) if obj["resolutions"] else None,
        "sources": None if sources is None else _json_cell(sources),
        "versions": _json_cell(obj["versions"]) if obj["versions"] else None,
    }
    return _cells(values, QUESTION_COLUMNS, QUESTION_COLUMNS)


def _json_cell(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _cells(values: Mapping[str, Any], names: Sequence[str], columns: Sequence[str]) -> list[str]:
    cells = []
    for name, column in zip(names, columns, strict=True):
        value = values[name]
        text = "" if value is None else repr(value) if isinstance(value, float) else str(value)
        cells.append(escape_cell(text) if column in CSV_TEXT_COLUMNS else text)
    return cells


# Reading -----------------------------------------------------------------------------------


@dataclass
class _Question:
    """A question being read: its record, and each of its forecasts' lines."""

    line: int
    key: str
    cells: list[str]
    record: dict[str, Any]
    lines: list[int] = field(default_factory=list)


def csv_records(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any], tuple[int, ...]]]:
    """Each question record, with the line it starts on and the line of each forecast."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1  # the line a record starts on (a quoted field may span lines)
    try:
        layout = _Layout(path, next(reader, []))
        pending: _Question | None = None
        start = reader.line_num + 1
        for row in reader:
            if row:  # blank lines separate nothing
                if len(row) > layout.width:
                    raise InvalidInput(f"{path}:{start}: more fields than the header has")
                row += [""] * (layout.width - len(row))
                for i in layout.texts:
                    if row[i][:1] == "'":
                        row[i] = unescape_cell(row[i])
                pending, done = layout.add(start, row, pending)
                if done is not None:
                    yield done.line, done.record, tuple(done.lines)
            start = reader.line_num + 1
        if pending is not None:
            yield pending.line, pending.record, tuple(pending.lines)
    except csv.Error as exc:
        raise InvalidInput(f"{path}:{start}: not valid CSV: {exc}") from None


class _Layout:
    """Where each column is, sorted out once per file, not once per cell: an import reads
    millions of cells."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self._check(header)
        self.width = len(header)
        self.plain = [
            (i, c) for i, c in enumerate(header)
            if c not in JSON_COLUMNS and c[:7] != "source_" and c[:9] != "forecast_"
        ]  # fmt: skip
        self.sources = [(i, c[7:]) for i, c in enumerate(header) if c[:7] == "source_"]
        self.json = [(i, c) for i, c in enumerate(header) if c in JSON_COLUMNS]
        self.forecast = [(i, c[9:]) for i, c in enumerate(header) if c[:9] == "forecast_"]
        self.question = [i for i, c in enumerate(header) if c[:9] != "forecast_"]
        # As export writes them, the forecast columns come last: rows are cut in two slices.
        self.split = len(self.question)
        self.in_order = self.question == list(range(self.split))
        self.names = [name for _, name in self.forecast]
        self.key = header.index("key") if "key" in header else None
        # Cells are escaped by the exporter that also writes the tz column; a file without it
        # (an older release's, or one made by hand) holds its text as written.
        escaped = "tz" in header
        self.texts = [i for i, c in enumerate(header) if c in CSV_TEXT_COLUMNS] if escaped else []

    def _check(self, header: list[str]) -> None:
        if "claim" not in header:
            raise InvalidInput(f"{self.path}:1: the header has no 'claim' column")
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if unknown:
            raise InvalidInput(f"{self.path}:1: unknown column {unknown[0]!r}")
        repeated = [c for i, c in enumerate(header) if c in header[:i]]
        if repeated:
            raise InvalidInput(f"{self.path}:1: the column {repeated[0]!r} appears twice")

    def add(
        self, line: int, row: list[str], pending: _Question | None
    ) -> tuple[_Question | None, _Question | None]:
        """Take one row: (the question now being read, a question finished by this row)."""
        if not self.forecast:  # a question a row
            return None, _Question(line, "", [], self._record(line, row), [])
        key = row[self.key] if self.key is not None else ""
        if self.in_order:
            cells, stated_cells = row[: self.split], row[self.split :]
        else:
            cells = [row[i] for i in self.question]
            stated_cells = [row[i] for i, _ in self.forecast]
        stated = any(stated_cells)
        # (An empty cell is read as a field left out.)
        forecast = dict(zip(self.names, stated_cells, strict=True))
        if pending is not None and key and key == pending.key:
            if cells != pending.cells:
                raise InvalidInput(
                    f"{self.path}:{line}: key {key!r}: the question's columns differ from "
                    f"those of its first row (line {pending.line}); each row repeats them"
                )
            if stated:
                pending.record["forecasts"].append(forecast)
                pending.lines.append(line)
            return pending, None
        record = self._record(line, row)
        record["forecasts"] = [forecast] if stated else []
        return _Question(line, key, cells, record, [line] if stated else []), pending

    def _record(self, line: int, row: list[str]) -> dict[str, Any]:
        """A row's question as an export object: empty cells are None, source_* a source."""
        data: dict[str, Any] = {column: row[i] or None for i, column in self.plain}
        for i, column in self.json:
            data[column] = None
            if row[i]:
                try:
                    data[column] = json.loads(row[i])
                except ValueError:  # JSONDecodeError, or an integer of more than 4,300 digits
                    raise InvalidInput(f"{self.path}:{line}: {column}: not valid JSON") from None
        source = {name: row[i] or None for i, name in self.sources}
        if any(v is not None for v in source.values()):
            data["source"] = source
        return data
