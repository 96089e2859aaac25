"""A pass sends what it has committed while it plans the rest (issue "Operating at scale")."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Result, import_due_predictions
from tests.test_delivery import ledger
from tracker.bootstrap import build_worker
from tracker.channels.base import Attempt, AttemptOutcome, OutgoingMessage
from tracker.config import load_settings
from tracker.delivery import plan
from tracker.delivery.worker import TakingTurns
from tracker.persistence.db import make_engine

BACKLOG = 300  # batches of 50, 200, then the last 50


class Receiver:
    """An instant receiver that notes each reminder it gets."""

    name = "null"
    kind = "webhook"
    rate_key = None

    def __init__(self) -> None:
        self.got: list[str] = []
        self.first = threading.Event()

    def describe(self) -> str:
        return "null"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        self.got.append(message.data["prediction"]["key"])
        self.first.set()
        return Attempt(AttemptOutcome.DELIVERED, status_code=200)


class _AfterFirstBatch:
    """The turns a pass's planning takes around each batch, calling `hook` (outside them)
    before the second batch: once the first has committed."""

    def __init__(self, inner: Any, hook: Callable[[], None]) -> None:
        self.inner = inner or contextlib.nullcontext()
        self.hook, self.batches = hook, 0

    def __enter__(self) -> None:
        self.batches += 1
        if self.batches == 2:
            self.hook()
        self.inner.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.inner.__exit__(*exc)


def _plan_batches(monkeypatch: pytest.MonkeyPatch, after_first: Callable[[], None]) -> None:
    original = plan.queue_due

    def queue_due(*args: Any, turns: Any = None, **kwargs: Any) -> plan.QueueReport:
        return original(*args, turns=_AfterFirstBatch(turns, after_first), **kwargs)

    monkeypatch.setattr(plan, "queue_due", queue_due)


def test_the_first_reminders_go_out_before_the_rest_are_planned(
    cli: Callable[..., Result], database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_due_predictions(cli, tmp_path, BACKLOG, keys=True)
    receiver = Receiver()
    # Planning stops after its first batch until a send has happened (or 20 s): a pass that
    # planned everything before sending would wait out the 20 s and fail below.
    sent_while_planning: list[bool] = []
    _plan_batches(monkeypatch, lambda: sent_while_planning.append(receiver.first.wait(20)))
    engine = make_engine(database_url)
    worker = build_worker(load_settings(database_url=database_url), engine,
                          channels={"null": receiver})  # fmt: skip
    report = worker.run_pass()
    assert sent_while_planning == [True]
    # Every reminder sent exactly once, and one row each (nothing superseded costs a row).
    assert sorted(receiver.got) == sorted(f"k{n:02d}" for n in range(BACKLOG))
    assert report.dispatch.outcomes == {"delivered": BACKLOG}
    assert len(report.queue.queued) == BACKLOG
    rows = ledger(database_url)
    assert len(rows) == BACKLOG
    assert {r.status for r in rows} == {"delivered"}
    again = worker.run_pass()
    assert (again.queue.queued, again.dispatch.sent) == ([], 0)
    engine.dispose()


def test_a_planning_failure_ends_the_pass_after_what_was_committed_went_out(
    cli: Callable[..., Result], database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_due_predictions(cli, tmp_path, BACKLOG, keys=True)
    receiver = Receiver()

    def fail() -> None:
        raise RuntimeError("the database went away")

    _plan_batches(monkeypatch, fail)
    engine = make_engine(database_url)
    worker = build_worker(load_settings(database_url=database_url), engine,
                          channels={"null": receiver})  # fmt: skip
    with pytest.raises(RuntimeError, match="went away"):
        worker.run_pass()
    # The first batch was committed before the failure: it went out, once; nothing else did.
    assert len(receiver.got) == plan.FIRST_BATCH == len(set(receiver.got))
    assert {r.status for r in ledger(database_url)} == {"delivered"}
    engine.dispose()


def test_turns_are_taken_in_the_order_asked() -> None:
    turns = TakingTurns()
    order: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def first() -> None:
        with turns:
            holding.set()
            release.wait(5)
            order.append("first")

    def later(name: str, asked: threading.Event) -> None:
        asked.set()
        with turns:
            order.append(name)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert holding.wait(5)
    for name in ("second", "third"):
        asked = threading.Event()
        thread = threading.Thread(target=later, args=(name, asked))
        thread.start()
        assert asked.wait(5)
        threads.append(thread)
        # Wait until it is queued on the condition: its ticket is taken under the lock.
        for _ in range(500):
            if turns._next_ticket == len(threads):
                break
            threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(5)
    assert order == ["first", "second", "third"]
