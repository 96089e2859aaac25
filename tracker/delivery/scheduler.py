"""APScheduler wiring only: an in-memory tick job that runs the worker's passes.

The state lives in our tables; the job store is memory, so nothing is pickled and a restart
simply starts ticking again. After each pass the job is moved earlier when a reminder or a
retry falls before the next tick.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from tracker.delivery.worker import PassReport

log = logging.getLogger("tracker.scheduler")
TICK_JOB = "tick"
FEEDS_JOB = "feeds"
MIN_WAKE_DELAY = dt.timedelta(seconds=1)  # never spin on something due "now"


class StepReport(Protocol):
    @property
    def did_something(self) -> bool: ...

    def summary(self) -> str: ...


@dataclass(frozen=True)
class FeedJob:
    """Polling the news feeds: a job of its own, so that a slow feed never holds back a
    reminder."""

    poll: Callable[[dt.datetime], StepReport]
    next_poll_at: Callable[[], dt.datetime | None]


class Service:
    def __init__(
        self,
        *,
        run_pass: Callable[[], PassReport],
        next_wake_at: Callable[[], dt.datetime | None],
        interval: dt.timedelta,
        clock: Callable[[], dt.datetime],
        stop: threading.Event,
        feeds: FeedJob | None = None,
    ) -> None:
        self._run_pass = run_pass
        self._next_wake_at = next_wake_at
        self._interval = interval
        self._clock = clock
        self._stop = stop
        self._feeds = feeds
        self._busy = threading.Lock()
        self._feeds_busy = threading.Lock()
        self._scheduler = BlockingScheduler(timezone=dt.UTC)

    def start(self) -> None:
        """Run until stop() is called; the first pass runs at once."""
        self._scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self._interval.total_seconds(), timezone=dt.UTC),
            id=TICK_JOB,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=self._clock(),
        )
        if self._feeds is not None:
            self._scheduler.add_job(
                self._poll_feeds,
                IntervalTrigger(seconds=self._interval.total_seconds(), timezone=dt.UTC),
                id=FEEDS_JOB,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                next_run_time=self._clock(),
            )
        self._scheduler.start()
        # start() returns once stop() shut the scheduler down; let an in-flight pass finish
        # (it stops claiming and hands back what it had not started).
        with self._busy, self._feeds_busy:
            pass

    def stop(self) -> None:
        self._stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def _tick(self) -> None:
        if self._stop.is_set():
            return
        with self._busy:
            try:
                report = self._run_pass()
            except Exception as exc:  # one failed pass must not end the service
                log.error("a pass failed (%s: %s); the next tick tries again",
                          type(exc).__name__, exc)  # fmt: skip
                return
            if report.did_something:
                # The counts as fields too, for TRACKER_LOG_FORMAT=json.
                log.info("pass: %s", report.summary(), extra={"report": report.as_json()})
            self._wake_early()

    def _poll_feeds(self) -> None:
        feeds = self._feeds
        if feeds is None or self._stop.is_set():
            return
        with self._feeds_busy:
            try:
                report = feeds.poll(self._clock())
            except Exception as exc:  # a feed's poll must not end the service
                log.error("polling the feeds failed (%s: %s); the next tick tries again",
                          type(exc).__name__, exc)  # fmt: skip
                return
            if report.did_something:
                log.info("feeds: %s", report.summary())
                self._wake_early()  # what it proposed is announced by the next pass, soon
            self._wake_early(FEEDS_JOB, feeds.next_poll_at)

    def _wake_early(
        self, job_id: str = TICK_JOB, next_wake_at: Callable[[], dt.datetime | None] | None = None
    ) -> None:
        wake = (next_wake_at or self._next_wake_at)()
        if wake is None or self._stop.is_set():
            return
        job = self._scheduler.get_job(job_id)
        if job is None or job.next_run_time is None:
            return
        wake = max(wake, self._clock() + MIN_WAKE_DELAY)
        if wake < job.next_run_time:
            job.modify(next_run_time=wake)
