"""The benchmark cases. Each returns rows of (database, name, measured, target, met)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import (
    article_case,
    evidence_case,
    extract_case,
    list_case,
    metrics_case,
    past_due_case,
    poll_case,
    summary_case,
)
from bench.commands import command_times
from bench.data import insert_predictions, table_of
from bench.databases import Database
from bench.rows import Row
from tracker.bootstrap import build_worker
from tracker.channels.base import Attempt, AttemptOutcome, OutgoingMessage
from tracker.config import load_settings
from tracker.delivery import ledger as outbox
from tracker.persistence.db import transaction
from tracker.persistence.models import DeliveryStatus, Prediction


class NullChannel:
    """Delivers at once, so that a check's cost is the ledger's, not a receiver's."""

    name = "null"
    kind = "webhook"
    rate_key = None

    def describe(self) -> str:
        return "null"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        return Attempt(AttemptOutcome.DELIVERED, status_code=200)


def check_scale(database: Database, *, quick: bool) -> list[Row]:
    """A pass that finds 1,000 due among N open predictions, for N = 10k and 1M."""
    sizes = (10_000, 100_000) if quick else (10_000, 1_000_000)
    seconds = {}
    for size in sizes:
        url, engine = database.fresh()
        now = dt.datetime.now(dt.UTC)  # noqa: TID251
        insert_predictions(engine, size, row=functools.partial(_open_row, now=now))
        settings = load_settings(database_url=url)
        times = []
        for _ in range(3):
            _make_first_thousand_due(engine, now)
            worker = build_worker(settings, engine, channels={"null": NullChannel()})
            started = time.perf_counter()
            report = worker.run_pass()
            times.append(time.perf_counter() - started)
            assert len(report.queue.queued) == 1000, report.summary()
        seconds[size] = min(times)
        engine.dispose()
    small, large = sizes
    ratio = seconds[large] / seconds[small]
    return [
        Row(database.label, f"check: 1,000 due among {small:,}", f"{seconds[small]:.2f} s",
            "", None),
        Row(database.label, f"check: 1,000 due among {large:,}", f"{seconds[large]:.2f} s",
            "", None),
        Row(database.label, f"check: ratio {large:,} / {small:,}", f"{ratio:.2f}x", "<= 1.5x",
            ratio <= 1.5),
    ]  # fmt: skip


def _open_row(i: int, now: dt.datetime) -> dict[str, Any]:
    due = now + dt.timedelta(days=30 + i % 300)
    return {"due_at": due, "next_reminder_at": due - dt.timedelta(days=7)}


def _make_first_thousand_due(engine: sa.Engine, now: dt.datetime) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM delivery")
        table = table_of(Prediction)
        connection.execute(
            table.update()
            .where(table.c.id <= 1000)
            .values(due_at=now - dt.timedelta(hours=1), next_reminder_at=now - dt.timedelta(days=8))
        )


def dispatch(database: Database, *, quick: bool) -> list[Row]:
    """2,000 deliveries to a local receiver: one that answers after 50 ms, one at once; and
    the 50 ms one with the default settings, against the bound its concurrency sets."""
    default = load_settings().delivery_concurrency
    rows = []
    for delay, concurrency in ((0.05, 32), (0.0, 32), (0.05, None)):
        rate, elapsed = _dispatch_rate(database, delay, concurrency)
        if concurrency is None:
            bound = default / delay
            label = f"dispatch: 50 ms receiver, default settings (concurrency {default})"
            rows.append(Row(database.label, label,
                            f"{rate:,.0f}/s, {rate / bound:.0%} of {bound:,.0f}/s",
                            ">= 80% of the bound", rate >= 0.8 * bound))  # fmt: skip
            continue
        target = 0.8 * concurrency / delay if delay else 1000.0
        label = "dispatch: receiver answers after 50 ms" if delay else "dispatch: instant receiver"
        rows.append(Row(database.label, label, f"{rate:,.0f}/s ({elapsed:.2f} s)",
                        f">= {target:,.0f}/s", rate >= target))  # fmt: skip
    return rows


def _dispatch_rate(
    database: Database, delay: float, concurrency: int | None
) -> tuple[float, float]:
    """Deliveries a second for one pass of 2,000 to a receiver answering after `delay`."""
    url, engine = database.fresh()
    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.sink", str(port), str(delay)], stdout=subprocess.PIPE
    )
    try:
        assert sink.stdout is not None
        sink.stdout.readline()  # "ready"
        extra = {"delivery_concurrency": concurrency} if concurrency else {}
        settings = load_settings(
            database_url=url, webhook_url=f"http://127.0.0.1:{port}/hook", **extra
        )
        _queue_deliveries(engine, 2000)
        worker = build_worker(settings, engine)
        started = time.perf_counter()
        report = worker.run_pass()
        elapsed = time.perf_counter() - started
        assert report.dispatch.outcomes == {"delivered": 2000}, report.summary()
    finally:
        sink.kill()
        engine.dispose()
    return 2000 / elapsed, elapsed


def _queue_deliveries(engine: sa.Engine, count: int) -> None:
    now = dt.datetime.now(dt.UTC)  # noqa: TID251
    with transaction(engine) as session:
        prediction = Prediction(key="k", claim="c", due_at=now, precision="day", due_text="x")
        session.add(prediction)
        session.flush()
        assert prediction.id is not None
        data = {"reminder": {"kind": "due", "key": "due"}, "prediction": {"claim": "c" * 400}}
        items = [
            outbox.Queued(
                outbox.NewDelivery(
                    prediction.id, f"r{i}", "due", now, "prediction.reminder", data, now
                ),
                DeliveryStatus.PENDING,
            )
            for i in range(count)
        ]
        outbox.enqueue(session, queued=items, channels=["webhook"], now=now)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def import_rate(database: Database, *, quick: bool) -> list[Row]:
    """`tracker import` of a 100,000-row CSV, the whole command timed."""
    size = 20_000 if quick else 100_000
    url, engine = database.fresh()
    engine.dispose()
    path = database.folder / f"import-{size}.csv"
    lines = ["key,claim,due_at,precision,forecaster,probability,tags"]
    lines += [
        f"k{i},Claim number {i},2026-{1 + i % 12:02d}-28T23:59:59.999999Z,day,desk {i % 20},"
        f"{(i % 99 + 1) / 100},tag{i % 7}"
        for i in range(size)
    ]
    path.write_text("\n".join(lines) + "\n")
    return [_timed_import(database, url, path, size, f"import of {size:,} predictions")]


def _timed_import(database: Database, url: str, path: Path, size: int, label: str) -> Row:
    """`tracker import PATH` as a whole command, against the 20,000 rows/s target."""
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tracker", "import", str(path)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    elapsed = time.perf_counter() - started
    rate = size / elapsed
    return Row(database.label, label, f"{rate:,.0f}/s ({elapsed:.1f} s)", ">= 20,000/s",
               rate >= 20_000)  # fmt: skip


def import_json_rate(database: Database, *, quick: bool, size: int | None = None) -> list[Row]:
    """`tracker import` of a 100,000-row JSON export, the whole command timed. (Numbering the
    records' lines once cost 7 minutes here: each counted the newlines from the file's top.)"""
    size = size or (20_000 if quick else 100_000)
    url, engine = database.fresh()
    engine.dispose()
    path = database.folder / f"import-{size}.json"
    predictions = [
        {"key": f"k{i}", "claim": f"Claim number {i}",
         "due_at": f"2026-{1 + i % 12:02d}-28T23:59:59.999999Z", "precision": "day",
         "forecaster": f"desk {i % 20}", "probability": (i % 99 + 1) / 100, "tags": [f"tag{i % 7}"]}
        for i in range(size)
    ]  # fmt: skip
    document = {"format": "tracker-export", "version": 1, "predictions": predictions}
    path.write_text(json.dumps(document, indent=2))  # indented, as `tracker export` writes it
    return [_timed_import(database, url, path, size, f"JSON import of {size:,} predictions")]


def import_forecasts_rate(database: Database, *, quick: bool) -> list[Row]:
    """`tracker import` of 100,000 forecasts (20,000 questions, 5 forecasts each: 3
    forecasters, two of them revising) in export format 2, CSV and JSON, the whole command
    timed; the rate counts forecasts."""
    questions = 4_000 if quick else 20_000
    size = questions * 5
    rows = []
    for suffix in ("csv", "json"):
        url, engine = database.fresh()
        engine.dispose()
        path = database.folder / f"forecasts-{size}.{suffix}"
        path.write_text(_forecasts_file(questions, suffix))
        label = f"{suffix.upper()} import of {size:,} forecasts"
        rows.append(_timed_import(database, url, path, size, label))
    return rows


def _forecasts_file(questions: int, suffix: str) -> str:
    """Questions as `tracker export` writes them (format 2), five forecasts each."""
    objects: list[dict[str, Any]] = []
    for i in range(questions):
        forecasts = [
            {"forecaster": f"desk {(i + n) % 3}", "probability": ((i * 7 + n * 13) % 99 + 1) / 100,
             "made_at": f"2025-{1 + n:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z", "quote": None,
             "source_url": None, "note": "revised" if n > 2 else None, "basis": None}
            for n in range(5)
        ]  # fmt: skip
        objects.append(
            {"id": i + 1, "key": f"k{i}", "claim": f"Claim number {i}", "criteria": None,
             "due_at": f"2026-{1 + i % 12:02d}-28T23:59:59.999999Z", "precision": "day",
             "tz": "UTC", "due_text": "by the 28th", "tags": [f"tag{i % 7}"], "sources": [],
             "forecasts": forecasts, "versions": [], "resolutions": []}
        )  # fmt: skip
    if suffix == "json":
        document = {"format": "tracker-export", "version": 2, "questions": objects}
        return json.dumps(document, indent=2)  # indented, as `tracker export` writes it
    columns = ["key", "claim", "due_at", "precision", "tz", "due_text", "tags"]
    forecast_columns = ["forecaster", "probability", "made_at", "note"]
    lines = [",".join(columns + [f"forecast_{c}" for c in forecast_columns])]
    for obj in objects:
        cells = [str(obj[c]) if c != "tags" else ";".join(obj["tags"]) for c in columns]
        for forecast in obj["forecasts"]:
            extra = ["" if forecast[c] is None else str(forecast[c]) for c in forecast_columns]
            lines.append(",".join(cells + extra))
    return "\n".join(lines) + "\n"


CASES: dict[str, Callable[..., list[Row]]] = {
    "check": check_scale,
    "past-due": past_due_case.past_due,
    "dispatch": dispatch,
    "summary": summary_case.summary,
    "import": import_rate,
    "import-json": import_json_rate,
    "import-forecasts": import_forecasts_rate,
    "startup": command_times,
    "article": article_case.article_extraction,
    "extract": extract_case.long_text,
    "feed": article_case.feed_parsing,
    "poll": poll_case.unchanged_feeds,
    "matching": poll_case.matching,
    "metrics": metrics_case.metrics_scrape,
    "list": list_case.list_pages,
    "evidence": evidence_case.evidence_scan,
}
