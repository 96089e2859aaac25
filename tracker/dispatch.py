"""Concurrent sending: claimed deliveries go out through their channels, bounded, paced, and
recorded as they finish, so one slow receiver never holds up the others."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tracker.channels.base import Attempt, AttemptOutcome, Channel, OutgoingMessage
from tracker.channels.http import new_client
from tracker.clock import utcnow
from tracker.leases import AttemptResult

log = logging.getLogger("tracker.dispatch")
RECORD_EVERY = 0.25  # seconds between ledger writes while sends complete
RECORD_BATCH = 64


@dataclass(frozen=True)
class Job:
    delivery_id: int
    channel: str
    message: OutgoingMessage


@dataclass
class DispatchStats:
    sent: int = 0  # attempts made (whatever their outcome)
    released: int = 0  # claimed, then handed back because we are stopping
    outcomes: dict[str, int] = field(default_factory=dict)


class Pacer:
    """At most one send per `interval` for each rate key, and a pause after a 429."""

    def __init__(self, interval: float, *, max_wait: float) -> None:
        self.interval = interval
        self.max_wait = max_wait  # a longer wait defers the delivery instead of holding it
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_free: dict[str, float] = {}
        self._paused_until: dict[str, float] = {}

    def pause(self, key: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), until)

    def paused_for(self, key: str) -> float:
        return max(0.0, self._paused_until.get(key, 0.0) - time.monotonic())

    async def turn(self, key: str) -> float | None:
        """Wait for this key's next slot; or, when the key is paused for longer than max_wait,
        return how long, without waiting (the delivery is deferred, and its lease freed)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            while True:  # looked at again after each wait: a 429 may have come meanwhile
                paused = self.paused_for(key)
                if paused > self.max_wait:
                    return paused
                wait = max(self._next_free.get(key, 0.0) - time.monotonic(), paused)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._next_free[key] = time.monotonic() + self.interval
            return None


@dataclass
class Dispatcher:
    channels: Mapping[str, Channel]
    concurrency: int
    connect_timeout: float
    request_timeout: float
    slack_min_interval: float = 1.0
    clock: Callable[[], dt.datetime] = utcnow

    def run(
        self,
        claim: Callable[[int], Sequence[Job]],
        record: Callable[[Sequence[AttemptResult]], None],
        release: Callable[[Sequence[int]], None],
        stop: threading.Event | None = None,
    ) -> DispatchStats:
        """Claim, send and record until nothing claimable is left (or `stop` is set).

        claim/record/release touch the database: they run in worker threads, off the loop.
        """
        return asyncio.run(self._run(claim, record, release, stop or threading.Event()))

    async def _run(
        self,
        claim: Callable[[int], Sequence[Job]],
        record: Callable[[Sequence[AttemptResult]], None],
        release: Callable[[Sequence[int]], None],
        stop: threading.Event,
    ) -> DispatchStats:
        stats = DispatchStats()
        # One thread for all of this pass's ledger work: the process never competes with
        # itself for SQLite's write lock (and its busy handler's sleeps).
        loop = asyncio.get_running_loop()
        ledger = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-ledger")

        async def database(function: Callable[[Any], Any], argument: Any) -> Any:
            return await loop.run_in_executor(ledger, function, argument)

        pacer = Pacer(self.slack_min_interval, max_wait=self.request_timeout)
        in_flight: set[asyncio.Task[AttemptResult | int]] = set()
        # Claimed but not started: a slot that frees up is refilled at once, without waiting
        # for a database round trip. At most `concurrency` wait here, a few hundred ms each.
        claimed: deque[Job] = deque()
        finished: list[AttemptResult] = []
        released: list[int] = []
        drained = False
        last_record = time.monotonic()
        # Ledger work runs beside the sends, never in their way: while a claim or a record is
        # in the ledger thread, finished sends are still replaced by new ones. One of each at
        # a time, and that one thread runs them in order.
        claiming: asyncio.Task[Any] | None = None
        claim_room = 0
        recording: asyncio.Task[Any] | None = None
        recorded: list[AttemptResult] = []
        client = new_client(
            connect_timeout=self.connect_timeout,
            request_timeout=self.request_timeout,
            max_connections=self.concurrency * 2,
        )
        async with client:
            while True:
                if stop.is_set():  # hand back what never started
                    released += [job.delivery_id for job in claimed]
                    claimed.clear()
                while claimed and len(in_flight) < self.concurrency:
                    job = claimed.popleft()
                    in_flight.add(asyncio.create_task(self._attempt(client, job, pacer, stop)))
                # Claim again when the buffer runs low; stop once a claim comes back short
                # (the queue is drained: rows due later are the next pass's).
                low = len(claimed) <= self.concurrency // 2
                if claiming is None and not drained and not stop.is_set() and low:
                    claim_room = 2 * self.concurrency - len(in_flight) - len(claimed)
                    claiming = asyncio.create_task(database(claim, claim_room))
                flush_due = time.monotonic() - last_record >= RECORD_EVERY
                if (
                    recording is None
                    and finished
                    and (flush_due or len(finished) >= RECORD_BATCH or not in_flight)
                ):
                    recorded, finished = finished, []
                    recording = asyncio.create_task(database(record, recorded))
                waiting: set[asyncio.Task[Any]] = set(in_flight)
                waiting |= {task for task in (claiming, recording) if task is not None}
                if not waiting:
                    if claimed or finished:
                        continue
                    break
                done, _ = await asyncio.wait(
                    waiting, timeout=RECORD_EVERY, return_when=asyncio.FIRST_COMPLETED
                )
                for task in done:
                    if task is claiming:
                        jobs = task.result()
                        drained = len(jobs) < claim_room
                        claimed.extend(jobs)
                        claiming = None
                    elif task is recording:
                        task.result()  # a failed write ends the pass, as it should
                        self._count(stats, recorded)
                        recording = None
                        last_record = time.monotonic()
                    else:
                        in_flight.discard(task)
                        outcome = task.result()
                        if isinstance(outcome, int):
                            released.append(outcome)
                        else:
                            finished.append(outcome)
        if released:
            await database(release, list(released))
            stats.released = len(released)
        ledger.shutdown(wait=True)
        return stats

    @staticmethod
    def _count(stats: DispatchStats, results: Sequence[AttemptResult]) -> None:
        for result in results:
            stats.sent += 1 if result.counted else 0
            key = result.attempt.outcome.value
            stats.outcomes[key] = stats.outcomes.get(key, 0) + 1

    async def _attempt(
        self, client: httpx.AsyncClient, job: Job, pacer: Pacer, stop: threading.Event
    ) -> AttemptResult | int:
        """One send; returns the delivery id instead when stopping before it started.

        (claim() never takes more than the free slots, so the concurrency bound holds
        without a semaphore here.)
        """
        channel = self.channels.get(job.channel)
        if channel is None:
            attempt = Attempt(
                AttemptOutcome.PERMANENT,
                error=f"channel {job.channel!r} is no longer configured",
            )
            return AttemptResult(job.delivery_id, attempt)
        key = channel.rate_key
        if key is not None:
            paused = await pacer.turn(key)
            if paused is not None:
                deferred = Attempt(
                    AttemptOutcome.RETRY,
                    error="deferred: the receiver asked us to slow down (429)",
                    retry_after=dt.timedelta(seconds=paused),
                )
                return AttemptResult(job.delivery_id, deferred, counted=False)
        if stop.is_set():
            return job.delivery_id
        try:
            attempt = await channel.send(client, job.message, now=self.clock())
        except Exception as exc:  # a bug in one channel must not sink the whole pass
            log.error("channel %s failed on delivery %s: %s", job.channel, job.delivery_id,
                      type(exc).__name__)  # fmt: skip
            attempt = Attempt(
                AttemptOutcome.PERMANENT, error=f"internal error: {type(exc).__name__}"
            )
        if key is not None and attempt.status_code == 429:
            pause = attempt.retry_after.total_seconds() if attempt.retry_after else 30.0
            pacer.pause(key, pause)
        return AttemptResult(job.delivery_id, attempt)
