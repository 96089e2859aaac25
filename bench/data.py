"""Fast data for benchmarks: Core inserts in large batches, not the service's own paths."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
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


def insert_forecasts(
    engine: sa.Engine, rows: Iterable[tuple[int, str, float, dt.datetime]]
) -> None:
    """(prediction_id, forecaster, probability, made_at) rows, straight through the driver:
    COPY on PostgreSQL, executemany on SQLite (which keeps naive UTC text, as UTCDateTime
    writes it)."""
    created = dt.datetime.now(dt.UTC)  # noqa: TID251 - benchmark data, not service logic
    columns = "prediction_id, forecaster, probability, made_at, created_at"
    with engine.begin() as connection:
        driver: Any = connection.connection.driver_connection
        if engine.dialect.name == "postgresql":
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY forecast ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row((*row, created))
            return
        stored = _sqlite_text(created)
        cursor = driver.cursor()
        batch: list[tuple[Any, ...]] = []
        for prediction_id, forecaster, probability, made_at in rows:
            batch.append((prediction_id, forecaster, probability, _sqlite_text(made_at), stored))
            if len(batch) == BATCH:
                cursor.executemany(f"INSERT INTO forecast ({columns}) VALUES (?,?,?,?,?)", batch)
                batch.clear()
        cursor.executemany(f"INSERT INTO forecast ({columns}) VALUES (?,?,?,?,?)", batch)


def _sqlite_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
