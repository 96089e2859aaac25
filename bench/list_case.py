"""A page of the question list, and a search, over HTTP with 32 clients at once, among
1,000,000 questions (100,000 with --quick): p99 against the targets (50 ms a page, 100 ms a
search), beside a baseline in the same run: one question shown by id, the lightest read."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.data import insert_predictions
from bench.databases import Database
from bench.rows import Row
from tracker.persistence.paging import encode_cursor

CLIENTS = 32
REQUESTS = 1600  # per kind: 50 a client
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# A vocabulary of 1,000 made-up words: each question holds three, so a word is in ~0.3% of
# questions (3,000 of a million), as a place or a name is.
WORDS = [f"{a}{b}{c}" for a in ("ka", "lo", "mi", "ne", "su", "ta", "ve", "zo", "ri", "pa")
         for b in ("ra", "shi", "to", "mu", "le", "da", "ko", "ni", "po", "ge")
         for c in ("n", "l", "s", "r", "t", "k", "m", "v", "x", "z")]  # fmt: skip


def _row(i: int) -> dict[str, Any]:
    # Deadlines not in insertion order, many shared: the list's order is (due_at, id).
    due = START + dt.timedelta(hours=(i * 7919) % 50_000)
    a, b, c = (WORDS[(i * k) % len(WORDS)] for k in (1, 37, 101))
    return {"claim": f"Claim {i}: {a} and {b} agree", "criteria": f"Reported by {c}",
            "due_at": due}  # fmt: skip


def list_pages(database: Database, *, quick: bool, size: int | None = None) -> list[Row]:
    size = size or (100_000 if quick else 1_000_000)
    url, engine = database.fresh()
    started = time.perf_counter()
    insert_predictions(engine, size, row=_row)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    built = time.perf_counter() - started
    rng = random.Random(7)
    keys = [(START + dt.timedelta(hours=(i * 7919) % 50_000), i)
            for i in rng.sample(range(1, size + 1), 200)]  # fmt: skip
    cursors = [encode_cursor("q", key) for key in keys]
    engine.dispose()
    kinds: dict[str, Callable[[random.Random], str]] = {
        "baseline: one question by id": lambda r: f"/api/v1/questions/{r.randint(1, size)}",
        "a page of 100 after a cursor": lambda r: (
            f"/api/v1/questions?status=all&limit=100&cursor={r.choice(cursors)}"
        ),
        "a search (one word), first 100": lambda r: (
            f"/api/v1/questions?status=all&limit=100&q={r.choice(WORDS)}"
        ),
        "a search (two words, a prefix)": lambda r: (
            f"/api/v1/questions?status=all&limit=100&q={r.choice(WORDS)}+{r.choice(WORDS)[:3]}"
        ),
    }
    targets = {"a page of 100 after a cursor": 50.0, "a search (one word), first 100": 100.0,
               "a search (two words, a prefix)": 100.0}  # fmt: skip
    rows = [Row(database.label, f"list: built {size:,} questions", f"{built:.0f} s", "", None)]
    with _server(url) as base:
        for name, path in kinds.items():
            # One client alone: what a request costs. Then 32 at once: what it costs with
            # the queue in front of it (the target's measure).
            alone = asyncio.run(_load(base, path, clients=1, requests=REQUESTS // 8))
            rows.append(Row(database.label, f"list: {name} ({size:,}; 1 client)",
                            _ms(alone), "", None))  # fmt: skip
            p50, p99 = asyncio.run(_load(base, path, clients=CLIENTS, requests=REQUESTS))
            target = targets.get(name)
            rows.append(Row(database.label, f"list: {name} ({size:,}; {CLIENTS} clients)",
                            _ms((p50, p99)), f"p99 <= {target:.0f} ms" if target else "",
                            p99 <= target if target else None))  # fmt: skip
    return rows


def _ms(times: tuple[float, float]) -> str:
    return f"p50 {times[0]:.1f} ms, p99 {times[1]:.1f} ms"


class _server:
    """`tracker serve` on a free port, in its own process, as it runs in production."""

    def __init__(self, url: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_LOG_LEVEL": "warning"}

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "tracker", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/status", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("tracker serve did not start")

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def _load(
    base: str, path: Callable[[random.Random], str], *, clients: int, requests: int
) -> tuple[float, float]:
    """p50 and p99, in ms, of `requests` requests made by `clients` clients at once, each
    sending its next as soon as its last is answered."""
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def one_client(seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(requests // clients):
                started = time.perf_counter()
                response = await client.get(path(rng))
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text

        await asyncio.gather(*(one_client(n) for n in range(clients)))
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)]
