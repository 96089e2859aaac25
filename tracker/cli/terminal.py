"""What the command line lets through to a terminal, and what it accepts as a reference or
filter.

Stored text is checked for control characters on the way in (tracker.domain.inputs); rows written
before that check, error messages that quote what was typed, and file names can still hold
them, so human output escapes them too: an ESC sequence in a claim must not retitle or clear
the terminal of whoever lists the predictions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls but tab and newline, DEL, C1 controls, the bidi embeddings, overrides and
# isolates, and lone surrogates (bytes that were not UTF-8, as Python hands them over).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with every control character written as an escape ("\\x1b", "\\u202e"); a byte
    that was not UTF-8 is shown as the byte ("\\xff")."""
    if text.isprintable():
        return text  # the common case
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def utf8(value: str | None) -> str | None:
    """A typer callback for a reference or filter, which goes to the database as it is: bytes
    that are not UTF-8 reach Python as lone surrogates, which no database driver can encode,
    and PostgreSQL refuses NUL in text (only a caller in-process can pass one)."""
    if value is not None and _SURROGATE.search(value):
        raise typer.BadParameter("is not valid UTF-8")
    if value is not None and "\x00" in value:
        raise typer.BadParameter("must not contain NUL characters")
    return value


def cell(value: object) -> Text:
    """A table cell that shows `value` as it is: never read as rich markup ("[bold]" in a
    claim stays text), its control characters escaped."""
    from rich.text import Text

    return Text(printable(str(value)))
