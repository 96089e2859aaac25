"""Checks on a record read from a file, beyond what inputs.py checks for every front end:
the values only files bring (resolution history, stored times) and the columns' widths.

Pure: no database is asked; the widths are read from the table definitions.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import sqlalchemy as sa

from tracker.domain.inputs import (
    ImportedPrediction,
    PredictionInput,
    ResolutionInput,
    SourceInput,
    clean_text,
)
from tracker.errors import InvalidInput
from tracker.persistence.models import Prediction, PredictionTag, Resolution, ResolvedVia, Source

_VIAS = {via.value: via.value for via in ResolvedVia}


def file_via(value: Any) -> str:
    """Through what a resolution was recorded: one of ResolvedVia (absent: an import)."""
    text = clean_text(value, "via")
    if text is None:
        return ResolvedVia.IMPORT.value
    via = _VIAS.get(text.lower())
    if via is None:
        shown = text if len(text) <= 20 else text[:19] + "…"
        raise InvalidInput(f"via {shown!r} is not one of {', '.join(_VIAS)}")
    return via


def tag_list(value: Any) -> Any:
    """Tags as text or a list of texts: a list holding lists or objects is refused here, before
    it reaches code that would try to hash it."""
    if isinstance(value, list | tuple) and not all(isinstance(tag, str) for tag in value):
        wrong = next(tag for tag in value if not isinstance(tag, str))
        raise InvalidInput(f"tags must be a list of words, not of {type(wrong).__name__}")
    return value


def _string_limits(table: Any, record: type) -> tuple[tuple[str, int], ...]:
    """(name, length) of each String(n) column of `table` that a field of `record` fills."""
    names = {f.name for f in fields(record)}
    return tuple(
        (column.name, column.type.length)
        for column in table.columns
        if column.name in names and isinstance(column.type, sa.String) and column.type.length
    )


# Read from the tables, so that no column can be given a value longer than it holds: SQLite
# would store it whole, PostgreSQL refuse the whole import.
_PREDICTION_LIMITS = _string_limits(Prediction.__table__, PredictionInput)  # type: ignore[attr-defined]
_SOURCE_LIMITS = _string_limits(Source.__table__, SourceInput)  # type: ignore[attr-defined]
_RESOLUTION_LIMITS = _string_limits(Resolution.__table__, ResolutionInput)  # type: ignore[attr-defined]
_TAG_LIMIT: int = PredictionTag.__table__.c.tag.type.length  # type: ignore[attr-defined]


def over_long(item: ImportedPrediction) -> tuple[str, str] | None:
    """The field and reason of the first text too long for its column, or None."""
    prediction = item.prediction
    problem = _over_long(prediction, _PREDICTION_LIMITS)
    if problem is not None:
        return problem[0], problem[1]
    for tag in prediction.tags:
        if len(tag) > _TAG_LIMIT:
            return "tags", f"tag is too long ({len(tag)} characters; at most {_TAG_LIMIT})"
    if prediction.source is not None:
        problem = _over_long(prediction.source, _SOURCE_LIMITS)
        if problem is not None:
            return "source", " ".join(problem)
    for source in item.sources or ():
        problem = _over_long(source, _SOURCE_LIMITS)
        if problem is not None:
            return "sources", " ".join(problem)
    for resolution in item.history:
        problem = _over_long(resolution, _RESOLUTION_LIMITS)
        if problem is not None:
            return "resolutions", " ".join(problem)
    return None


def _over_long(record: Any, limits: tuple[tuple[str, int], ...]) -> tuple[str, str] | None:
    for name, limit in limits:
        value = getattr(record, name)
        if isinstance(value, str) and len(value) > limit:
            return name, f"is too long ({len(value)} characters; at most {limit})"
    return None
