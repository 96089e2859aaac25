"""Full-text search over a question's claim and criteria: SQLite's FTS5, PostgreSQL's
tsvector. The text people type is never handed to either query language as it is: it is cut
into words here, and each word becomes a quoted term, so that `"`, `*`, `AND`, `-` or an
unbalanced quote are words or nothing, never syntax (and never a 500).

Both match a word case-insensitively, as the start of a word ("pull" finds "pullout"), and
every word typed must be there. Accents count on both ("café" does not find "cafe"): SQLite
is told to keep them (remove_diacritics 0), since PostgreSQL's `simple` configuration keeps
them too and the unaccent extension needs a superuser to install."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from tracker.errors import InvalidInput
from tracker.persistence.models import Prediction

# The text PostgreSQL indexes; the GIN index in migration 0016 is on exactly this expression,
# so a query must spell it the same way for the planner to use the index.
PG_DOCUMENT = "to_tsvector('simple', claim || ' ' || coalesce(criteria, ''))"
FTS_TABLE = "prediction_fts"
MAX_WORDS = 16
MAX_LENGTH = 200

_WORD = re.compile(r"\w+")


def search_words(text: str) -> list[str]:
    """The words of a search, lower case, at most MAX_WORDS (a search of none is refused)."""
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"search: at most {MAX_LENGTH} characters")
    words = [w.lower() for w in _WORD.findall(text)][:MAX_WORDS]
    if not words:
        raise InvalidInput("search: give at least one word (letters or digits)")
    return words


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH string: each word a quoted string (quotes doubled) taken as a prefix."""
    return " ".join('"{}"*'.format(w.replace('"', '""')) for w in words)


def tsquery(words: list[str]) -> str:
    """A to_tsquery string: each word quoted as a lexeme (quotes and backslashes escaped),
    taken as a prefix, all of them required."""
    quoted = ("'{}':*".format(w.replace("\\", "\\\\").replace("'", "''")) for w in words)
    return " & ".join(quoted)


def matching(dialect: str, text: str) -> Any:
    """The WHERE condition for questions whose claim or criteria hold every word of `text`."""
    words = search_words(text)
    if dialect == "postgresql":
        # The matching ids first, from the GIN index, behind OFFSET 0 (a fence the planner
        # does not see through). Left to itself, PostgreSQL guesses that a prefix search
        # matches 0.5% of rows, walks the (due_at, id) index and computes each row's
        # tsvector: a second among a million questions, against tens of ms this way.
        found = sa.text(
            f"SELECT id FROM prediction WHERE {PG_DOCUMENT} @@ to_tsquery('simple', :tsq) OFFSET 0"
        ).bindparams(tsq=tsquery(words))
        return col(Prediction.id).in_(found)
    matched = sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts").bindparams(
        fts=fts5_query(words)
    )
    return col(Prediction.id).in_(matched)


def outside_the_models(name: str | None, kind: str, _parents: Any = None) -> bool:
    """False for the search objects migration 0016 makes and the models do not declare (the
    FTS5 table and its shadow tables, the GIN index): Alembic's include_name, so that a
    comparison of models and database leaves them out."""
    if kind == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (kind == "index" and name == "ix_prediction_search")
