"""10,000 predictions all long past due, to an instant receiver: the pass a worker makes after
a long outage, or on its first run over an imported backlog (the issue's "Operating at scale").

Each prediction has seven reminders whose time has come; one is sent, six are superseded.
Measured: the whole pass's rate, tracker's CPU per delivery, the ledger rows written per
reminder sent, and when the first send started after the pass began.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from typing import Any

import httpx
import sqlalchemy as sa

from bench.data import insert_predictions
from bench.databases import Database
from bench.rows import Row
from tracker.channels.base import Attempt, AttemptOutcome, OutgoingMessage

COUNT = 10_000
TARGET_RATE = {"sqlite": 2000.0, "postgresql": 1200.0}


class FirstSendClock:
    """An instant receiver that notes when the first send started."""

    name = "null"
    kind = "webhook"
    rate_key = None

    def __init__(self) -> None:
        self.first: float | None = None

    def describe(self) -> str:
        return "null"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        if self.first is None:
            self.first = time.perf_counter()
        return Attempt(AttemptOutcome.DELIVERED, status_code=200)


def _long_past_due(i: int, now: dt.datetime) -> dict[str, Any]:
    due = now - dt.timedelta(days=60, hours=i % 24)
    return {"due_at": due, "next_reminder_at": due - dt.timedelta(days=7)}


def past_due(database: Database, *, quick: bool) -> list[Row]:
    from tracker.bootstrap import build_worker
    from tracker.config import load_settings

    count = COUNT // 10 if quick else COUNT
    url, engine = database.fresh()
    now = dt.datetime.now(dt.UTC)  # noqa: TID251 - benchmark data, not service logic
    insert_predictions(engine, count, row=functools.partial(_long_past_due, now=now))
    receiver = FirstSendClock()
    worker = build_worker(load_settings(database_url=url), engine, channels={"null": receiver})
    cpu, started = time.process_time(), time.perf_counter()
    report = worker.run_pass()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM delivery")).scalar_one()
    engine.dispose()
    sent = report.dispatch.outcomes.get("delivered", 0)
    assert sent == count, report.summary()
    assert receiver.first is not None
    first = receiver.first - started
    rate, per_row = sent / elapsed, rows / sent
    label = database.label
    return [
        Row(label, f"past due: {count:,} reminders, whole pass", f"{rate:,.0f}/s ({elapsed:.2f} s)",
            f">= {TARGET_RATE[label]:,.0f}/s", rate >= TARGET_RATE[label]),
        Row(label, "past due: first send after the pass began", f"{first:.2f} s", "<= 0.5 s",
            first <= 0.5),
        Row(label, "past due: tracker CPU per delivery", f"{cpu / sent * 1000:.2f} ms",
            "<= 0.6 ms" if label == "sqlite" else "", cpu / sent <= 0.0006 if label == "sqlite"
            else None),
        Row(label, "past due: ledger rows per reminder sent", f"{per_row:.2f}", "<= 1.2",
            per_row <= 1.2),
    ]  # fmt: skip
