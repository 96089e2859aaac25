"""Files in and out: seeds (TOML), export and import (JSON, CSV).

Every error names the file and line, and the field where there is one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.inputs import ImportedPrediction, SourceInput
from tracker.errors import InvalidInput
from tracker.io.jsonfile import EXPORT_FORMAT, EXPORT_VERSION, json_records
from tracker.io.records import (
    FieldError,
    naming,
    prediction_from_mapping,
    prediction_json,
    source_from_mapping,
)
from tracker.persistence.models import PredictionRecord

SEED_TOP_LEVEL = frozenset({"source", "predictions"})
CSV_SOURCE_COLUMNS = ("title", "url", "publisher", "author", "published_at")
CSV_COLUMNS = (
    "id", "key", "claim", "quote", "forecaster", "probability", "due_at", "window_start",
    "precision", "tz", "due_text", "tags", "status", "outcome", "resolved_at", "occurred_on",
    *(f"source_{name}" for name in CSV_SOURCE_COLUMNS),
    "created_at", "updated_at", "resolutions",
)  # fmt: skip
EXPORT_FORMATS = ("json", "csv")
# The columns of free text, which may start with anything. (Numbers, times, enumerations,
# and the resolutions' JSON, which starts with "[", never start with a formula's first sign.)
CSV_TEXT_COLUMNS = frozenset(
    {"key", "claim", "quote", "forecaster", "due_text", "tags", "source_title", "source_url",
     "source_publisher", "source_author"}
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's "CSV
# injection"); export puts a "'" before them, and before a "'" already there, so that import
# can take exactly that one "'" off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*_FORMULA_STARTS, "'")
_ESCAPED_SECOND = frozenset(_ESCAPED_STARTS)


# Seeds ---------------------------------------------------------------------------------------


def read_seed_dir(directory: Path, *, tz: ZoneInfo, now: dt.datetime) -> list[ImportedPrediction]:
    if not directory.is_dir():
        raise InvalidInput(f"{directory}: no such folder of seeds")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise InvalidInput(f"{directory}: holds no seeds file (*.toml)")
    items: list[ImportedPrediction] = []
    for path in files:
        items.extend(read_seed_file(path, tz=tz, now=now))
    _refuse_duplicate_keys(items, where=str(directory))
    return items


def read_seed_file(path: Path, *, tz: ZoneInfo, now: dt.datetime) -> list[ImportedPrediction]:
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - SEED_TOP_LEVEL)
    if unknown:
        line = _line_of(text, rf"^\s*\[?\s*{re.escape(unknown[0])}\b")
        raise InvalidInput(f"{path}:{line}: {unknown[0]!r} is not [source] or [[predictions]]")
    source: SourceInput | None = None
    if "source" in data:
        try:
            with naming("source"):
                source = source_from_mapping(data["source"], tz=tz)
        except FieldError as exc:
            field = _field_in_message(exc.reason, ("title", "url", "publisher", "author"))
            line = _line_in_table(text, r"\[\s*source\s*\]", 0, field or "published")
            raise InvalidInput(f"{path}:{line}: source: {exc.reason}") from None
    entries = data.get("predictions", [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        line = _line_of(text, r"^\s*predictions\b")
        raise InvalidInput(f"{path}:{line}: predictions must be [[predictions]] tables")
    items = []
    for index, entry in enumerate(entries):
        try:
            items.append(prediction_from_mapping(entry, tz=tz, now=now, default_source=source))
        except FieldError as exc:
            line = _line_in_table(text, r"\[\[\s*predictions\s*\]\]", index, exc.field)
            raise InvalidInput(
                f"{path}:{line}: predictions[{index + 1}].{exc.field}: {exc.reason}"
            ) from None
    _refuse_duplicate_keys(items, where=str(path))
    return items


def _line_of(text: str, pattern: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(pattern, line):
            return number
    return 1


def _line_in_table(text: str, header: str, index: int, field: str) -> int:
    """The line of `field` in the index-th table with this header (or the header's line)."""
    lines = text.splitlines()
    seen = -1
    header_line = 1
    for number, line in enumerate(lines, start=1):
        if re.match(rf"^\s*{header}", line):
            seen += 1
            if seen == index:
                header_line = number
                continue
        if seen == index:
            if re.match(r"^\s*\[", line):
                break
            if re.match(rf"^\s*{re.escape(field)}\s*=", line):
                return number
    return header_line


def _field_in_message(message: str, fields: Sequence[str]) -> str | None:
    return next((name for name in fields if message.startswith(name)), None)


def _refuse_duplicate_keys(items: Sequence[ImportedPrediction], *, where: str) -> None:
    seen: set[str] = set()
    for item in items:
        key = item.prediction.key
        if key in seen:
            raise InvalidInput(f"{where}: key {key!r} appears twice")
        seen.add(key)


def _read_text(path: Path) -> str:
    try:
        # newline="" keeps "\r\n" inside CSV fields; the parsers handle either line ending.
        # utf-8-sig drops the byte order mark that spreadsheet programs put first.
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return stream.read()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read it ({exc.strerror or exc})") from None


# Export --------------------------------------------------------------------------------------


def export_text(
    records: Sequence[PredictionRecord],
    *,
    file_format: str,
    tz: ZoneInfo,
    now: dt.datetime,
) -> str:
    objects = [prediction_json(r, tz=tz, now=now) for r in records]
    if file_format == "json":
        document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "predictions": objects}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for obj in objects:
            writer.writerow(_csv_row(obj))
        return buffer.getvalue()
    raise InvalidInput(f"format {file_format!r} is not one of {', '.join(EXPORT_FORMATS)}")


def _csv_row(obj: Mapping[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for column in CSV_COLUMNS:
        if column == "tags":
            value: Any = ";".join(obj["tags"])
        elif column == "resolutions":
            value = json.dumps(obj["resolutions"], ensure_ascii=False) if obj["resolutions"] else ""
        elif column.startswith("source_"):
            value = (obj["source"] or {}).get(column.removeprefix("source_"))
        else:
            value = obj[column]
        text = "" if value is None else repr(value) if isinstance(value, float) else str(value)
        row[column] = escape_cell(text) if column in CSV_TEXT_COLUMNS else text
    return row


def escape_cell(text: str) -> str:
    """A text cell a spreadsheet will show, not run; unescape_cell(escape_cell(t)) == t."""
    return "'" + text if text.startswith(_ESCAPED_STARTS) else text


def unescape_cell(text: str) -> str:
    """Undo escape_cell. A cell it did not write ("'hello", hand-written) stays as it is."""
    return text[1:] if text[:1] == "'" and text[1:2] in _ESCAPED_SECOND else text


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a failure leaves no half file."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InvalidInput(f"{path}: the folder {folder} does not exist")
    if path.is_dir():
        raise InvalidInput(f"{path}: is a folder; name a file")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InvalidInput(f"{path}: cannot write it ({exc.strerror or exc})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Import --------------------------------------------------------------------------------------


def read_export(
    path: Path, *, tz: ZoneInfo, now: dt.datetime, file_format: str | None = None
) -> list[ImportedPrediction]:
    chosen = file_format or path.suffix.lower().lstrip(".")
    if chosen not in EXPORT_FORMATS:
        raise InvalidInput(f"{path}: cannot tell the format; name it with --format json|csv")
    text = _read_text(path)
    rows = json_records(path, text) if chosen == "json" else _csv_rows(path, text)
    items = []
    for line, row in rows:
        try:
            items.append(prediction_from_mapping(row, tz=tz, now=now))
        except FieldError as exc:
            raise InvalidInput(f"{path}:{line}: {exc.field}: {exc.reason}") from None
    _refuse_duplicate_keys(items, where=str(path))
    return items


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1  # the line a record starts on (a quoted field may span lines)
    try:
        header = next(reader, [])
        missing = {"claim"} - set(header)
        if missing:
            raise InvalidInput(f"{path}:1: the header has no {sorted(missing)[0]!r} column")
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if unknown:
            raise InvalidInput(f"{path}:1: unknown column {unknown[0]!r}")
        repeated = [c for i, c in enumerate(header) if c in header[:i]]
        if repeated:
            raise InvalidInput(f"{path}:1: the column {repeated[0]!r} appears twice")
        # Sorted out once per file, not once per cell: an import reads millions of cells.
        plain = [(i, c) for i, c in enumerate(header) if c != "resolutions" and c[:7] != "source_"]
        sources = [
            (i, c.removeprefix("source_")) for i, c in enumerate(header) if c[:7] == "source_"
        ]
        # Cells are escaped by the exporter that also writes the tz column; a file without it
        # (an older release's, or one made by hand) holds its text as written.
        escaped = "tz" in header
        texts = [i for i, c in enumerate(header) if c in CSV_TEXT_COLUMNS] if escaped else []
        history = header.index("resolutions") if "resolutions" in header else None
        width = len(header)
        start = reader.line_num + 1
        for row in reader:
            if row:  # blank lines separate nothing
                if len(row) > width:
                    raise InvalidInput(f"{path}:{start}: more fields than the header has")
                row += [""] * (width - len(row))
                for i in texts:
                    if row[i][:1] == "'":
                        row[i] = unescape_cell(row[i])
                yield start, _unflatten(path, start, row, plain, sources, history)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"{path}:{start}: not valid CSV: {exc}") from None


def _unflatten(
    path: Path,
    line: int,
    row: list[str],
    plain: list[tuple[int, str]],
    sources: list[tuple[int, str]],
    history: int | None,
) -> dict[str, Any]:
    """A CSV record as an export object: empty cells are None, source_* a nested source."""
    data: dict[str, Any] = {column: row[i] or None for i, column in plain}
    if history is not None:
        data["resolutions"] = None
        if row[history]:
            try:
                data["resolutions"] = json.loads(row[history])
            except ValueError:  # JSONDecodeError, or an integer of more than 4,300 digits
                raise InvalidInput(f"{path}:{line}: resolutions: not valid JSON") from None
    source = {name: row[i] or None for i, name in sources}
    if any(v is not None for v in source.values()):
        data["source"] = source
    return data
