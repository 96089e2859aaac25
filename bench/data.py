"""Fast data for benchmarks: Core inserts in large batches, not the service's own paths."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import class_mapper
from sqlmodel import SQLModel

from tracker.persistence.models import Prediction, Resolution

BATCH = 20_000


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table behind a model (SQLModel declares no `__table__` for a type checker)."""
    table = class_mapper(model).local_table
    assert isinstance(table, sa.Table)
    return table


def insert_predictions(
    engine: sa.Engine,
    count: int,
    *,
    row: Callable[[int], dict[str, Any]],
) -> None:
    """`row(i)` gives the varying columns of prediction i (1-based ids in insertion order)."""
    table = table_of(Prediction)
    now = dt.datetime.now(dt.UTC)  # noqa: TID251 - benchmark data, not service logic
    base = {
        "quote": None, "forecaster": None, "probability": None, "window_start": None,
        "precision": "day", "due_text": "by then", "status": "open", "source_id": None,
        "created_at": now, "updated_at": now, "next_reminder_at": None,
    }  # fmt: skip
    with engine.begin() as connection:
        for start in range(0, count, BATCH):
            rows = [
                {**base, "key": f"p{i}", "claim": f"Claim {i}", **row(i)}
                for i in range(start + 1, min(start + BATCH, count) + 1)
            ]
            connection.execute(sa.insert(table), rows)


def insert_resolutions(engine: sa.Engine, count: int, *, seed: int = 1) -> None:
    """A current resolution for predictions 1..count, yes more often when p is high."""
    table = table_of(Resolution)
    probabilities: dict[int, float] = {}
    rng = random.Random(seed)
    with engine.connect() as connection:
        for prediction_id, probability in connection.execute(
            sa.text("SELECT id, probability FROM prediction WHERE id <= :n"), {"n": count}
        ):
            probabilities[prediction_id] = probability or 0.5
    now = dt.datetime.now(dt.UTC)  # noqa: TID251 - benchmark data, not service logic
    with engine.begin() as connection:
        ids = sorted(probabilities)
        for start in range(0, len(ids), BATCH):
            rows = []
            for prediction_id in ids[start : start + BATCH]:
                came_true = rng.random() < probabilities[prediction_id]
                rows.append(
                    {
                        "prediction_id": prediction_id, "outcome": "yes" if came_true else "no",
                        "resolved_at": now, "occurred_on": None, "note": None,
                        "evidence_url": None, "resolved_by": "bench", "via": "import",
                        "superseded_at": None, "superseded_note": None, "came_true": came_true,
                        "events_queued_at": now,
                    }
                )  # fmt: skip
            connection.execute(sa.insert(table), rows)
