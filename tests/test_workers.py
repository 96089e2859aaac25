"""Several worker processes on one database (SQLite here; PostgreSQL in the suite's
PostgreSQL run): nothing doubled, and nothing lost when a worker is killed."""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import (
    Result,
    finish_all,
    import_due_predictions,
    process_env,
    start_checks,
)
from tests.sink import Answer, Sink


@pytest.mark.slow
def test_eight_workers_deliver_2000_exactly_once(
    cli: Callable[..., Result], database_url: str, sink: Sink, tmp_path: Path
) -> None:
    import_due_predictions(cli, tmp_path, 1000)
    channels = (
        f'[{{"name": "a", "kind": "webhook", "url": "{sink.url}/a"}},'
        f' {{"name": "b", "kind": "webhook", "url": "{sink.url}/b"}}]'
    )
    env = process_env(database_url, TRACKER_CHANNELS=channels, TRACKER_DELIVERY_CONCURRENCY="8")
    workers = start_checks(env, 8)
    outputs = finish_all(workers, timeout=300)
    assert [w.returncode for w in workers] == [0] * 8, outputs
    ids = Counter(r.headers["webhook-id"] for r in sink.received)
    assert len(sink.on("/a")) == 1000
    assert len(sink.on("/b")) == 1000
    assert len(ids) == 2000
    assert max(ids.values()) == 1  # none twice
    delivered = cli("deliveries", "--status", "delivered", "--limit", "5000", "--json").json()
    assert len(delivered) == 2000


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(
    cli: Callable[..., Result], database_url: str, sink: Sink, tmp_path: Path
) -> None:
    import_due_predictions(cli, tmp_path, 20)
    sink.answer("/hook", Answer(200, delay=5.0))  # slow enough to be killed mid-send
    env = process_env(
        database_url,
        TRACKER_WEBHOOK_URL=f"{sink.url}/hook",
        TRACKER_LEASE="6s",
        TRACKER_REQUEST_TIMEOUT="1",
        TRACKER_SLACK_MIN_INTERVAL="0",
        TRACKER_DELIVERY_CONCURRENCY="8",
    )
    doomed = subprocess.Popen(
        [sys.executable, "-m", "tracker", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        sink.wait_for(1, timeout=30)
        assert sink.received, "the first worker never sent anything"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
    in_flight = {r.headers["webhook-id"] for r in sink.received}
    claimed = cli("deliveries", "--status", "sending", "--json").json()
    assert claimed, "the killed worker held no claims"
    sink.answer("/hook", Answer(200))
    time.sleep(6.5)  # the dead worker's leases expire
    survivor = subprocess.run(
        [sys.executable, "-m", "tracker", "check"], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert survivor.returncode == 0, survivor.stderr
    ledger = cli("deliveries", "--limit", "5000", "--json").json()
    reminders = [d for d in ledger if d["status"] != "skipped"]
    assert len(reminders) == 20
    assert {d["status"] for d in reminders} == {"delivered"}
    received = Counter(r.headers["webhook-id"] for r in sink.received)
    assert set(received) == {d["webhook_id"] for d in reminders}  # every one arrived
    # Any duplicate is one the killed worker had in flight, and it carries the same id.
    assert {i for i, n in received.items() if n > 1} <= in_flight


@pytest.mark.slow
def test_the_slack_pace_holds_across_workers(
    cli: Callable[..., Result], database_url: str, sink: Sink, tmp_path: Path
) -> None:
    """Three workers posting to one Slack URL keep to one message per interval between
    them, not one each: the slots are booked in the database."""
    import_due_predictions(cli, tmp_path, 9)
    env = process_env(
        database_url,
        TRACKER_SLACK_WEBHOOK_URL=f"{sink.url}/slack",
        TRACKER_SLACK_MIN_INTERVAL="0.4",
        TRACKER_DELIVERY_CONCURRENCY="1",  # each worker claims a few: all three send
    )
    workers = start_checks(env, 3)
    outputs = finish_all(workers, timeout=120)
    assert [w.returncode for w in workers] == [0] * 3, outputs
    received = sorted(r.at for r in sink.on("/slack"))
    assert len(received) == 9
    gaps = [later - earlier for earlier, later in itertools.pairwise(received)]
    # Arrival times jitter on a busy machine (one message late makes the next gap short), so
    # gaps are judged in pairs: any two in a row span well over one interval (paced per
    # worker only, three workers would send in bursts of three: pairs of ~0 or ~0.4 s), and
    # the whole run is as long as the interval times the gaps.
    assert min(a + b for a, b in itertools.pairwise(gaps)) >= 0.5, gaps
    assert sum(gaps) >= 0.9 * 0.4 * len(gaps), gaps
    # More than one worker sent (else the pace was one process's, which proves nothing).
    senders = [out for out, _err in outputs if re.search(r"attempted [1-9]", out)]
    assert len(senders) >= 2, outputs
