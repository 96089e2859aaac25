"""Files in and out: seeds (TOML), export and import (JSON, CSV).

Every error names the file and line, and the field where there is one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.inputs import ImportedPrediction, SourceInput
from tracker.errors import InvalidInput
from tracker.io.csvfile import CSV_COLUMNS as CSV_COLUMNS
from tracker.io.csvfile import CSV_TEXT_COLUMNS as CSV_TEXT_COLUMNS
from tracker.io.csvfile import csv_records, csv_text
from tracker.io.csvfile import escape_cell as escape_cell
from tracker.io.csvfile import unescape_cell as unescape_cell
from tracker.io.jsonfile import EXPORT_FORMAT, EXPORT_VERSION, json_records
from tracker.io.questions import export_json
from tracker.io.records import (
    FieldError,
    naming,
    prediction_from_mapping,
    source_from_mapping,
)
from tracker.persistence.models import PredictionRecord

SEED_TOP_LEVEL = frozenset({"source", "predictions"})
EXPORT_FORMATS = ("json", "csv")


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
    """An export of format 2: questions with their sources, forecasts, versions and
    resolutions (JSON), or the same a row per forecast (CSV: see tracker.io.csvfile)."""
    if file_format not in EXPORT_FORMATS:
        raise InvalidInput(f"format {file_format!r} is not one of {', '.join(EXPORT_FORMATS)}")
    objects = [export_json(r, tz=tz, now=now) for r in records]
    if file_format == "csv":
        return csv_text(objects)
    document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "questions": objects}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a failure leaves no half file.
    A symbolic link is written through (its target is replaced, not the link), and a device
    or a pipe (/dev/stdout) is written to as it is: renaming over it would replace it."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file() and not target.is_dir():
        try:
            with open(target, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot write it ({exc.strerror or exc})") from None
        return
    _replace_file(path, target, text)


def _replace_file(path: Path, target: Path, text: str) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"{path}: the folder {folder} does not exist")
    if path.is_dir():
        raise InvalidInput(f"{path}: is a folder; name a file")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
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
    """The questions of an export (format 2 or 1, JSON or CSV), each checked; the first bad
    one refuses the file, naming its line (a CSV forecast's own row)."""
    chosen = file_format or path.suffix.lower().lstrip(".")
    if chosen not in EXPORT_FORMATS:
        raise InvalidInput(f"{path}: cannot tell the format; name it with --format json|csv")
    text = _read_text(path)
    records: Iterable[tuple[int, Mapping[str, Any], tuple[int, ...]]]
    if chosen == "json":
        records = ((line, row, ()) for line, row in json_records(path, text))
    else:
        records = csv_records(path, text)
    items = []
    for line, row, forecast_lines in records:
        try:
            items.append(prediction_from_mapping(row, tz=tz, now=now))
        except FieldError as exc:
            if exc.index is not None and exc.index < len(forecast_lines):
                reason = re.sub(r"^\[\d+\]: ", "", exc.reason)
                raise InvalidInput(
                    f"{path}:{forecast_lines[exc.index]}: forecast: {reason}"
                ) from None
            raise InvalidInput(f"{path}:{line}: {exc.field}: {exc.reason}") from None
    _refuse_duplicate_keys(items, where=str(path))
    return items
