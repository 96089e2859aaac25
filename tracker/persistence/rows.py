"""The stored shape of a prediction, defined once from its validated input.

A prediction is written three ways (added, updated by an import, inserted in bulk); each takes
its columns from here, so that the three cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.domain.inputs import PredictionInput


def prediction_columns(data: PredictionInput, *, source_id: int | None) -> dict[str, Any]:
    """The columns a prediction's input decides: what adding writes and an import compares
    and rewrites. The key (its identity), status, reminder schedule and the times it was
    created and updated are the writer's to set."""
    due = data.due
    return {
        "claim": data.claim,
        "criteria": data.criteria,
        "quote": data.quote,
        "forecaster": data.forecaster,
        "probability": data.probability,
        "due_at": due.due_at,
        "window_start": due.window_start,
        "precision": due.precision.value,
        "timezone": due.zone,
        "due_text": data.due_text,
        "source_id": source_id,
    }


def creation_times(data: PredictionInput, now: dt.datetime) -> dict[str, dt.datetime]:
    """A new prediction's created_at and updated_at: the input's own (an export keeps them),
    else now."""
    return {"created_at": data.created_at or now, "updated_at": data.updated_at or now}
