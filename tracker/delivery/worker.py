"""One pass of the service: queue the reminders that are due, then send what is pending.

`tracker check` runs one pass; `tracker run` runs them on a schedule. Steps say what they did,
so the scheduler can log only passes that did something and tests can call the steps.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from tracker.channels.base import Channel
from tracker.clock import utcnow
from tracker.config import Settings
from tracker.delivery import admin as checks
from tracker.delivery import health
from tracker.delivery import ledger as outbox
from tracker.delivery import plan as queueing
from tracker.delivery.routed import FollowHook, Routing
from tracker.delivery.sender import Dispatcher, DispatchStats
from tracker.delivery.timings import PASS_SECONDS
from tracker.domain.routing import Route
from tracker.persistence.pace import SharedPace

log = logging.getLogger("tracker.worker")


@dataclass
class PassReport:
    queue: queueing.QueueReport
    dispatch: DispatchStats = field(default_factory=DispatchStats)
    dry_run: bool = False
    pending: int = 0  # for a dry run: deliveries that a real pass would try now

    @property
    def did_something(self) -> bool:
        return bool(
            self.queue.queued
            or self.queue.skipped
            or self.queue.events
            or self.queue.nudges
            or self.queue.digests
            or self.queue.proposals
            or self.queue.evidence
            or self.dispatch.sent
            or self.dispatch.released
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "queued": self.queue.queued,
            "skipped": self.queue.skipped,
            "superseded": self.queue.superseded,
            "resolution_events": self.queue.events,
            "nudges": self.queue.nudges,
            "digests": self.queue.digests,
            "proposals": self.queue.proposals,
            "evidence": self.queue.evidence,
            "attempts": self.dispatch.sent,
            "outcomes": self.dispatch.outcomes,
            "released": self.dispatch.released,
            **({"pending": self.pending} if self.dry_run else {}),
        }

    def summary(self) -> str:
        queued = sum(item["deliveries"] for item in self.queue.queued)
        parts = [f"queued {queued} deliveries for {len(self.queue.queued)} reminders"]
        if self.queue.events:
            parts.append(f"queued {self.queue.events} resolution events")
        if self.queue.nudges:
            parts.append(f"queued {len(self.queue.nudges)} stale-forecast nudges")
        if self.queue.digests:
            parts.append(f"queued {len(self.queue.digests)} digests")
        if self.queue.proposals:
            count = sum(len(item["proposals"]) for item in self.queue.proposals)
            parts.append(f"announced {count} new proposals")
        if self.queue.skipped:
            parts.append(f"skipped {self.queue.skipped} stale")
        if self.dry_run:
            parts.append(f"{self.pending} deliveries would be attempted")
        else:
            outcomes = ", ".join(f"{n} {k}" for k, n in sorted(self.dispatch.outcomes.items()))
            parts.append(f"attempted {self.dispatch.sent}" + (f" ({outcomes})" if outcomes else ""))
            if self.dispatch.released:
                parts.append(f"handed back {self.dispatch.released} unsent on stopping")
        return "; ".join(parts)


@dataclass
class Worker:
    engine: Engine
    settings: Settings
    channels: Mapping[str, Channel]
    owner: str = field(default_factory=checks.worker_name)
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], dt.datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    routes: Sequence[Route] = ()  # none: every channel gets everything (bootstrap reads them)
    follow_hook: FollowHook | None = None
    # Followers' own email channels, read afresh for each pass (users follow while it runs).
    follower_channels: Callable[[dt.datetime], Mapping[str, Channel]] | None = None

    def run_pass(self, *, dry_run: bool = False) -> PassReport:
        """One pass; a real one that ends without error leaves this worker's heartbeat (its
        time and duration, for GET /readyz and /metrics in any process)."""
        started = time.perf_counter()
        report = self._pass(dry_run=dry_run)
        if not dry_run:
            seconds = time.perf_counter() - started
            PASS_SECONDS.observe(seconds)
            health.beat(self.engine, worker=self.owner, now=self.clock(), duration_seconds=seconds)
        return report

    def _pass(self, *, dry_run: bool) -> PassReport:
        now = self.clock()
        if dry_run:
            queue = self._plan(now, dry_run=True)
            queued = [*queue.queued, *queue.nudges, *queue.proposals, *queue.evidence]
            report = PassReport(queue=queue, dry_run=True)
            report.pending = (
                checks.count_due_deliveries(self.engine, now=now)
                + sum(item["deliveries"] for item in queued)
                + len(queue.digests)
            )
            return report
        # Streamed: planning commits its batches in a thread of its own while the sends of
        # those already committed go out (a backlog of 10,000 no longer waits for the last
        # to be planned). Committed before sent, claimed under a lease: the guarantees hold.
        # On SQLite each transaction holds the one write lock throughout (BEGIN IMMEDIATE),
        # and a planner that begins its next batch the moment it commits starves the sends'
        # claims, whose busy handler sleeps: the two take turns, first come first served.
        turns = TakingTurns() if self.engine.dialect.name == "sqlite" else None
        planning = _Planning(lambda: self._plan(now, dry_run=False, turns=turns))
        planning.start()
        try:
            dispatch = checks.dispatch_pending(
                self.engine,
                dispatcher=self.dispatcher(),
                settings=checks.DeliverySettings(
                    owner=self.owner,
                    lease=self.settings.lease,
                    retry=outbox.RetryPolicy(
                        max_attempts=self.settings.delivery_max_attempts,
                        backoff=self.settings.retry_backoff,
                    ),
                    rng=self.rng,
                ),
                clock=self.clock,
                stop=self.stop,
                planned=planning.done,
                planned_for=now,
                turns=turns,
            )
        finally:
            queue = planning.result()  # its error, if it failed, ends the pass
        if self.follower_channels is not None:
            # Rows planned for a follower who cannot be mailed are retired when the channels
            # are read; the sends began before the planner queued this pass's.
            self.follower_channels(self.clock())
        return PassReport(queue=queue, dry_run=False, dispatch=dispatch)

    def _plan(
        self, now: dt.datetime, *, dry_run: bool, turns: TakingTurns | None = None
    ) -> queueing.QueueReport:
        return queueing.queue_due(
            self.engine,
            policy=self.settings.reminder_policy,
            channels=Routing(
                channels=list(self.channels),
                routes=self.routes,
                follow_hook=self.follow_hook,
                tz=self.settings.tz,
            ),
            tz=self.settings.tz,
            now=now,
            dry_run=dry_run,
            stale_after=self.settings.stale_after,
            public_url=self.settings.public_url,
            turns=turns,
            stop=self.stop,
        )

    def dispatcher(self) -> Dispatcher:
        followers = {} if self.follower_channels is None else self.follower_channels(self.clock())
        return Dispatcher(
            channels={**followers, **self.channels},
            concurrency=self.settings.delivery_concurrency,
            connect_timeout=self.settings.connect_timeout,
            request_timeout=self.settings.request_timeout,
            slack_min_interval=self.settings.slack_min_interval,
            clock=self.clock,
            shared_pace=SharedPace(self.engine),
        )

    def next_wake_at(self) -> dt.datetime | None:
        return checks.next_wake_at(self.engine)


class _Planning:
    """A pass's planning, run in a thread beside its sends; `done` is set when it ends."""

    def __init__(self, plan: Callable[[], queueing.QueueReport]) -> None:
        self._plan = plan
        self.done = threading.Event()
        self._report: queueing.QueueReport | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tracker-plan", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self._report = self._plan()
        except BaseException as error:  # handed to the pass's own thread by result()
            self._error = error
        finally:
            self.done.set()

    def result(self) -> queueing.QueueReport:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._report is not None
        return self._report


class TakingTurns:
    """A lock that lets its waiters in in the order they came (threading.Lock does not: the
    thread that releases it can take it straight back, again and again)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._changed.wait_for(lambda: self._serving == ticket)

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._serving += 1
            self._changed.notify_all()
