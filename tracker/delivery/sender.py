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
from tracker.delivery.leases import AttemptResult
from tracker.persistence.pace import SharedPace

log = logging.getLogger("tracker.dispatch")
RECORD_EVERY = 0.25  # seconds between ledger writes while sends complete
RECORD_BATCH = 64
# While the pass is still planning, a lane whose claim came back short looks again this soon:
# the next batch of reminders may be committed by then.
RECLAIM_AFTER = 0.02  # seconds


@dataclass(frozen=True)
class Job:
    delivery_id: int
    channel: str
    message: OutgoingMessage


@dataclass(frozen=True)
class Released:
    """A claimed delivery handed back unsent, because the worker is stopping."""

    delivery_id: int


@dataclass
class DispatchStats:
    sent: int = 0  # attempts made (whatever their outcome)
    released: int = 0  # claimed, then handed back because we are stopping
    outcomes: dict[str, int] = field(default_factory=dict)


class Pacer:
    """At most one send per `interval` for each rate key, and a pause after a 429: in this
    process, and across every worker when `shared` books the slots in the database."""

    def __init__(
        self, interval: float, *, max_wait: float, shared: SharedPace | None = None
    ) -> None:
        self.interval = interval
        self.max_wait = max_wait  # a longer wait defers the delivery instead of holding it
        self.shared = shared
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
            if self.shared is None or self.interval <= 0:
                return None
            # Then the slot every worker agrees on (another may have taken the next one).
            booking = await asyncio.to_thread(self.shared.book, key, self.interval, self.max_wait)
            if not booking.booked:
                return booking.wait
            if booking.wait > 0:
                await asyncio.sleep(booking.wait)
            return None

    async def pause_everywhere(self, key: str, seconds: float) -> None:
        self.pause(key, seconds)
        if self.shared is not None:
            await asyncio.to_thread(self.shared.pause, key, seconds)


_ALWAYS_SET = threading.Event()
_ALWAYS_SET.set()


@dataclass
class _Lane:
    """One channel's share of the pass: a stalled receiver fills its own slots, never the
    others'. Claimed jobs wait here until one of the channel's slots is free."""

    slots: int
    claimed: deque[Job] = field(default_factory=deque)
    in_flight: int = 0
    drained: bool = False  # its last claim came back short: the rest is the next pass's
    paused_until: float = 0.0  # came back short while planning went on: look again then

    def room(self) -> int:
        """How many more rows to claim (a buffer of one more round), when running low."""
        if self.drained or len(self.claimed) > self.slots // 2:
            return 0
        if self.paused_until and time.monotonic() < self.paused_until:
            return 0
        return 2 * self.slots - self.in_flight - len(self.claimed)


@dataclass
class Dispatcher:
    channels: Mapping[str, Channel]
    concurrency: int
    connect_timeout: float
    request_timeout: float
    slack_min_interval: float = 1.0
    clock: Callable[[], dt.datetime] = utcnow
    shared_pace: SharedPace | None = None  # None: the pace is this process's alone

    def share(self) -> int:
        """Each channel's slots: an equal share of the concurrency, at least one each (with
        more channels than TRACKER_DELIVERY_CONCURRENCY, each still gets one)."""
        return max(1, self.concurrency // max(1, len(self.channels)))

    def run(
        self,
        claim: Callable[[Mapping[str, int]], Sequence[Job]],
        record: Callable[[Sequence[AttemptResult]], None],
        release: Callable[[Sequence[int]], None],
        stop: threading.Event | None = None,
        planned: threading.Event | None = None,
    ) -> DispatchStats:
        """Claim, send and record until nothing claimable is left (or `stop` is set).

        claim (given how many rows of each channel to take), record and release touch the
        database: they run in worker threads, off the loop. `planned`: set when the pass has
        committed every reminder it will queue; until then a short claim is not the end
        (None: everything to send is committed already).
        """
        done = planned or _ALWAYS_SET
        return asyncio.run(self._run(claim, record, release, stop or threading.Event(), done))

    async def _run(
        self,
        claim: Callable[[Mapping[str, int]], Sequence[Job]],
        record: Callable[[Sequence[AttemptResult]], None],
        release: Callable[[Sequence[int]], None],
        stop: threading.Event,
        planned: threading.Event,
    ) -> DispatchStats:
        lanes = {name: _Lane(self.share()) for name in self.channels}
        client = new_client(
            connect_timeout=self.connect_timeout,
            request_timeout=self.request_timeout,
            max_connections=2 * self.share() * max(1, len(lanes)),
        )
        async with client:
            ledger = _Ledger(claim, record, release)
            sending = _Sending(self, client, lanes, stop, planned)
            try:
                await sending.loop(ledger)
            finally:
                ledger.close()
        return ledger.stats

    @staticmethod
    def _count(stats: DispatchStats, results: Sequence[AttemptResult]) -> None:
        for result in results:
            stats.sent += 1 if result.counted else 0
            key = result.attempt.outcome.value
            stats.outcomes[key] = stats.outcomes.get(key, 0) + 1

    async def _attempt(
        self, client: httpx.AsyncClient, job: Job, pacer: Pacer, stop: threading.Event
    ) -> AttemptResult | Released:
        """One send, or the delivery handed back when stopping before it started.

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
            return Released(job.delivery_id)
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
            await pacer.pause_everywhere(key, pause)
        return AttemptResult(job.delivery_id, attempt)


class _Ledger:
    """The pass's ledger work, in one thread of its own: the process never competes with
    itself for SQLite's write lock (and its busy handler's sleeps). One claim and one record
    at a time, beside the sends, never in their way."""

    def __init__(
        self,
        claim: Callable[[Mapping[str, int]], Sequence[Job]],
        record: Callable[[Sequence[AttemptResult]], None],
        release: Callable[[Sequence[int]], None],
    ) -> None:
        self._claim, self._record, self._release = claim, record, release
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-ledger")
        self.stats = DispatchStats()
        self.claiming: asyncio.Task[Any] | None = None
        self.rooms: Mapping[str, int] = {}
        self.final = True  # the claim under way began after planning ended
        self.recording: asyncio.Task[Any] | None = None
        self.recorded: list[AttemptResult] = []
        self.last_record = time.monotonic()

    def _run(self, function: Callable[[Any], Any], argument: Any) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().run_in_executor(self._thread, function, argument)

    def start_claim(self, rooms: Mapping[str, int], *, final: bool) -> None:
        self.rooms, self.final = rooms, final
        self.claiming = asyncio.ensure_future(self._run(self._claim, rooms))

    def start_record(self, results: list[AttemptResult]) -> None:
        self.recorded = results
        self.recording = asyncio.ensure_future(self._run(self._record, results))

    def record_done(self) -> None:
        assert self.recording is not None
        self.recording.result()  # a failed write ends the pass, as it should
        Dispatcher._count(self.stats, self.recorded)
        self.recording = None
        self.last_record = time.monotonic()

    async def release(self, ids: list[int]) -> None:
        if ids:
            await self._run(self._release, ids)
            self.stats.released = len(ids)

    def tasks(self) -> set[asyncio.Future[Any]]:
        return {task for task in (self.claiming, self.recording) if task is not None}

    def close(self) -> None:
        self._thread.shutdown(wait=True)


class _Sending:
    """The loop of one pass: start what each channel has room for, claim per channel when its
    buffer runs low, record finished sends in batches."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        client: httpx.AsyncClient,
        lanes: dict[str, _Lane],
        stop: threading.Event,
        planned: threading.Event,
    ) -> None:
        self.dispatcher, self.client, self.lanes, self.stop = dispatcher, client, lanes, stop
        self.planned = planned
        self.pacer = Pacer(
            dispatcher.slack_min_interval,
            max_wait=dispatcher.request_timeout,
            shared=dispatcher.shared_pace,
        )
        self.in_flight: dict[asyncio.Task[AttemptResult | Released], str] = {}
        self.finished: list[AttemptResult] = []
        self.released: list[int] = []

    def _start_sends(self) -> None:
        for name, lane in self.lanes.items():
            if self.stop.is_set():  # hand back what never started
                self.released += [job.delivery_id for job in lane.claimed]
                lane.claimed.clear()
            while lane.claimed and lane.in_flight < lane.slots:
                job = lane.claimed.popleft()
                attempt = self.dispatcher._attempt(self.client, job, self.pacer, self.stop)
                self.in_flight[asyncio.create_task(attempt)] = name
                lane.in_flight += 1

    def _start_ledger_work(self, ledger: _Ledger) -> None:
        rooms = {name: lane.room() for name, lane in self.lanes.items()}
        rooms = {name: room for name, room in rooms.items() if room > 0}
        if ledger.claiming is None and rooms and not self.stop.is_set():
            # Read before the claim starts: a batch committed after it is claimed next time.
            ledger.start_claim(rooms, final=self.planned.is_set())
        flush_due = time.monotonic() - ledger.last_record >= RECORD_EVERY
        full = len(self.finished) >= RECORD_BATCH
        if ledger.recording is None and self.finished and (flush_due or full or not self.in_flight):
            results, self.finished = self.finished, []
            ledger.start_record(results)

    def _claimed(self, ledger: _Ledger) -> None:
        assert ledger.claiming is not None
        jobs: Sequence[Job] = ledger.claiming.result()
        ledger.claiming = None
        got = dict.fromkeys(ledger.rooms, 0)
        for job in jobs:  # only the channels asked for come back
            self.lanes[job.channel].claimed.append(job)
            got[job.channel] += 1
        for name, room in ledger.rooms.items():
            lane, short = self.lanes[name], got[name] < room
            lane.drained = short and ledger.final
            lane.paused_until = time.monotonic() + RECLAIM_AFTER if short else 0.0

    def _sent(self, task: asyncio.Task[AttemptResult | Released]) -> None:
        self.lanes[self.in_flight.pop(task)].in_flight -= 1
        outcome = task.result()
        if isinstance(outcome, Released):
            self.released.append(outcome.delivery_id)
        else:
            self.finished.append(outcome)

    async def loop(self, ledger: _Ledger) -> None:
        while True:
            self._start_sends()
            self._start_ledger_work(ledger)
            waiting: set[asyncio.Future[Any]] = set(self.in_flight) | ledger.tasks()
            if not waiting:
                if self.finished or any(lane.claimed for lane in self.lanes.values()):
                    continue
                if self.stop.is_set() or all(lane.drained for lane in self.lanes.values()):
                    break
                await asyncio.sleep(RECLAIM_AFTER)  # planning goes on: wait for its next batch
                continue
            done, _ = await asyncio.wait(
                waiting, timeout=RECORD_EVERY, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                if task is ledger.claiming:
                    self._claimed(ledger)
                elif task is ledger.recording:
                    ledger.record_done()
                else:
                    self._sent(task)  # type: ignore[arg-type]
        await ledger.release(self.released)
