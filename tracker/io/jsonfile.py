"""An export's JSON document read back: its header checked, each question with its line.

The document is walked with the decoder's raw_decode, a value at a time, so that an error can
name the line a prediction starts on without holding a second copy of the file as objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

from tracker.errors import InvalidInput

EXPORT_FORMAT = "tracker-export"
EXPORT_VERSION = 2
READ_VERSIONS = (1, 2)
# The list of records: "questions" since format 2, "predictions" in format 1 (and in files
# written by hand or by other tools).
RECORD_LISTS = ("questions", "predictions")
DOCUMENT_MEMBERS = ("format", "version", *RECORD_LISTS)

_SPACE = re.compile(r"[ \t\r\n]*")


class LineCounter:
    """The line of each position asked for, the positions in increasing order.

    Each newline is counted once, so numbering every record of a file costs one pass over it:
    counting from the start of the file for each record made a 100,000-record import take
    minutes (the cost grew with the square of the file's length)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self._line = 1

    def line_at(self, position: int) -> int:
        if position < self._position:  # a step back (not taken today): count afresh
            self._position, self._line = 0, 1
        self._line += self._text.count("\n", self._position, position)
        self._position = position
        return self._line


def json_records(path: Path, text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Each question object with the line it starts on: from a bare list (hand-written), or
    from the "questions" (format 2) or "predictions" (format 1) list of a document that
    `tracker export` wrote."""
    reader = _Reader(path, text)
    try:
        yield from reader.read()
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise InvalidInput(f"{path}: nested too deeply to be an export") from None
    except ValueError:  # an integer of more than 4,300 digits (sys.get_int_max_str_digits)
        line = reader.lines.line_at(reader.value_at)
        raise InvalidInput(
            f"{path}:{line}: not valid JSON: a number with too many digits"
        ) from None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = LineCounter(text)
        self.value_at = 0  # where the value being decoded starts, for errors
        self._decoder = json.JSONDecoder()

    def read(self) -> Generator[tuple[int, dict[str, Any]], None, None]:
        position = self._skip(0)
        if self.text.startswith("[", position):
            position = yield from self._records(position)
        elif self.text.startswith("{", position):
            position = yield from self._document(position)
        else:
            self._refuse(position, "expected a list of questions or an export")
        position = self._skip(position)
        if position < len(self.text):
            self._refuse(position, "more text after the end of the document")

    def _document(self, position: int) -> Generator[tuple[int, dict[str, Any]], None, int]:
        """The top-level object: format, version and predictions, once each, nothing else.
        Predictions are handed on as they are read; nothing is stored until the whole file
        has been read, so a bad member after them still refuses the file."""
        seen: set[str] = set()
        position = self._skip(position + 1)
        closed = self.text.startswith("}", position)
        while not closed:
            if not self.text.startswith('"', position):
                raise json.JSONDecodeError("expected a member name in quotes", self.text, position)
            start = position
            name, position = self._decode(position)
            position = self._skip(position)
            if not self.text.startswith(":", position):
                raise json.JSONDecodeError("expected ':'", self.text, position)
            position = self._skip(position + 1)
            if name in seen:
                self._refuse(start, f"the member {_shown(name)} appears twice")
            seen.add(name)
            if name in RECORD_LISTS:
                if seen.issuperset(RECORD_LISTS):
                    self._refuse(start, 'a document has "questions" or "predictions", not both')
                position = yield from self._records(position)
            else:
                value, position = self._decode(position)
                self._check_member(start, name, value)
            position = self._skip(position)
            closed = self.text.startswith("}", position)
            if not closed:
                if not self.text.startswith(",", position):
                    raise json.JSONDecodeError("expected ',' or '}'", self.text, position)
                position = self._skip(position + 1)
        # Files written by hand or by other tools as {"predictions": [...]} were always read;
        # a document that names a format or version must name ours (_check_member).
        if seen.isdisjoint(RECORD_LISTS):
            self._refuse(0, 'not a tracker export: it has no "questions" member')
        return position + 1

    def _check_member(self, position: int, name: str, value: Any) -> None:
        if name == "format" and value != EXPORT_FORMAT:
            self._refuse(position, f"format {_shown(value)} is not {_shown(EXPORT_FORMAT)}")
        elif name == "version" and (type(value) is not int or value not in READ_VERSIONS):
            self._refuse(
                position,
                f"version {_shown(value)} is not one this tracker reads (1 or 2)",
            )
        elif name not in DOCUMENT_MEMBERS:
            self._refuse(
                position, f"{_shown(name)} is not a member of an export (format, version, "
                "questions)"
            )  # fmt: skip

    def _records(self, position: int) -> Generator[tuple[int, dict[str, Any]], None, int]:
        """The list of question objects; returns where the list ends."""
        if not self.text.startswith("[", position):
            self._refuse(position, "questions must be a list")
        position = self._skip(position + 1)
        if self.text.startswith("]", position):
            return position + 1
        while True:
            line = self.lines.line_at(position)
            value, position = self._decode(position)
            if not isinstance(value, dict):
                raise InvalidInput(f"{self.path}:{line}: each question must be a JSON object")
            yield line, value
            position = self._skip(position)
            if self.text.startswith("]", position):
                return position + 1
            if not self.text.startswith(",", position):
                raise json.JSONDecodeError("expected ',' or ']'", self.text, position)
            position = self._skip(position + 1)

    def _decode(self, position: int) -> tuple[Any, int]:
        self.value_at = position
        return self._decoder.raw_decode(self.text, position)

    def _skip(self, position: int) -> int:
        match = _SPACE.match(self.text, position)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def _refuse(self, position: int, message: str) -> NoReturn:
        raise InvalidInput(f"{self.path}:{self.lines.line_at(position)}: {message}")


def _shown(value: Any) -> str:
    """A value in an error: short, on one line."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"
