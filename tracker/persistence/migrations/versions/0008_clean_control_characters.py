"""stored text loses the control characters that input now refuses

Earlier releases stored a tab or a line break in a forecaster's name or a source's title, and
escape sequences anywhere. Input now refuses them (they reach terminals and spreadsheets), so
an export of such a database could not be imported again. Single-line fields get a space for
a tab or a line break and lose the other control characters; claims, quotes and notes keep
their tabs and line breaks; URLs get theirs percent-encoded, which keeps unique ones unique.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What tracker.domain.inputs refuses, as it stood when this migration was written.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_NOT_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|\r(?!\n)")
_LINE_BREAKS = re.compile("[\t\n\r]+")


def _multiline(text: str) -> str:
    return _NOT_MULTILINE.sub("", text)


def _single_line(text: str) -> str:
    return _ANY_CONTROL.sub("", _LINE_BREAKS.sub(" ", text)).strip()


def _url(text: str) -> str:
    return _ANY_CONTROL.sub(lambda found: f"%{ord(found.group()):02X}", text)


CLEANERS: dict[str, dict[str, Callable[[str], str]]] = {
    "prediction": {"claim": _multiline, "quote": _multiline, "forecaster": _single_line,
                   "due_text": _single_line},
    "source": {"title": _single_line, "publisher": _single_line, "author": _single_line,
               "url": _url},
    "resolution": {"note": _multiline, "superseded_note": _multiline,
                   "resolved_by": _single_line, "evidence_url": _url},
}  # fmt: skip


def upgrade() -> None:
    connection = op.get_bind()
    for name, cleaners in CLEANERS.items():
        table = sa.table(name, sa.column("id", sa.Integer), *map(sa.column, cleaners))
        changes = []
        rows = connection.execute(sa.select(table.c.id, *(table.c[c] for c in cleaners)))
        for row_id, *values in rows:
            changed = {
                column: clean(value)
                for (column, clean), value in zip(cleaners.items(), values, strict=True)
                if value is not None and not value.isprintable() and clean(value) != value
            }
            if changed:
                changes.append((row_id, changed))
        for row_id, changed in changes:
            connection.execute(table.update().where(table.c.id == row_id).values(**changed))


def downgrade() -> None:
    pass  # what was removed is not kept: the rows stay as they are
