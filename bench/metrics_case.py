"""GET /metrics against a million questions and their ledger (issue 21's target: 50 ms)."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from bench.data import BATCH, insert_predictions, table_of
from bench.databases import Database
from bench.rows import Row
from bench.summary_case import _analyze
from tracker.config import load_settings
from tracker.delivery.health import beat
from tracker.persistence.models import Delivery

CHANNELS = ("desk", "slack", "email")
# A settled ledger: nearly everything delivered long ago, three in a thousand in flight or dead.
STATUSES = ("delivered",) * 900 + ("skipped",) * 70 + ("cancelled",) * 27 + (
    "pending", "retrying", "dead"
)  # fmt: skip


def metrics_scrape(database: Database, *, quick: bool) -> list[Row]:
    from fastapi.testclient import TestClient

    from tracker.web.app import create_app

    questions = 100_000 if quick else 1_000_000
    deliveries = questions
    url, engine = database.fresh()
    now = dt.datetime.now(dt.UTC)  # noqa: TID251 - benchmark data, not service logic
    insert_predictions(engine, questions, row=lambda i: _question(i, now))
    _insert_deliveries(engine, deliveries, questions, now)
    for worker in range(3):
        beat(engine, worker=f"bench:{worker}", now=now, duration_seconds=0.2)
    _analyze(engine)
    settings = load_settings(database_url=url)
    client = TestClient(create_app(settings, engine))
    assert client.get("/metrics").status_code == 200  # the first, to load prometheus_client
    health = _median(lambda: client.get("/healthz"))
    count = _median(lambda: _count_all(engine))
    scrape = _median(lambda: client.get("/metrics"))
    # A new app's first scrape also counts the finished deliveries (then every 5 minutes).
    recount = _median(lambda: TestClient(create_app(settings, engine)).get("/metrics"), 3)
    every_one_open = _all_open(engine, lambda: _median(lambda: client.get("/metrics")))
    engine.dispose()
    size = f"{questions:,} questions, {deliveries:,} deliveries"
    return [
        Row(database.label, "baseline: GET /healthz (no database)", _ms(health), "", None),
        Row(database.label, f"baseline: SELECT count(*) FROM prediction ({questions:,})",
            _ms(count), "", None),
        Row(database.label, f"GET /metrics, {size} (median of 9)",
            f"{_ms(scrape)} ({scrape / count:.1f}x count)", "<= 50 ms", scrape <= 0.050),
        Row(database.label, "GET /metrics that recounts the finished deliveries (5-minutely)",
            _ms(recount), "", None),
        Row(database.label, f"GET /metrics with all {questions:,} questions open (worst case)",
            _ms(every_one_open), "", None),
    ]  # fmt: skip


def _question(i: int, now: dt.datetime) -> dict[str, Any]:
    """One in ten open (a fifth of those overdue), the rest resolved or annulled: years of
    questions, most of them settled."""
    due = now + dt.timedelta(days=(i % 1000) - 200)
    status = "open" if i % 10 == 0 else ("resolved" if i % 7 else "annulled")
    return {"due_at": due, "status": status}


def _insert_deliveries(engine: sa.Engine, count: int, questions: int, now: dt.datetime) -> None:
    table = table_of(Delivery)
    with engine.begin() as connection:
        for start in range(0, count, BATCH):
            rows = [
                {
                    "prediction_id": i % questions + 1, "reminder": f"r{i // questions}",
                    "kind": "due", "due_at": now, "channel": CHANNELS[i % len(CHANNELS)],
                    "webhook_id": f"msg_{i}", "event_type": "prediction.reminder",
                    "payload": "{}", "scheduled_for": now, "status": STATUSES[i % len(STATUSES)],
                    "attempts": 1, "next_attempt_at": now, "created_at": now, "updated_at": now,
                }
                for i in range(start, min(start + BATCH, count))
            ]  # fmt: skip
            connection.execute(sa.insert(table), rows)


def _all_open(engine: sa.Engine, measure: Callable[[], float]) -> float:
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE prediction SET status = 'open'")
    _analyze(engine)
    return measure()


def _count_all(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM prediction").scalar()


def _median(call: Callable[[], object], times: int = 9) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
