"""Real processes on one SQLite file: concurrent checks never double-send; `tracker run`
sends at start and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import (
    SEEDS,
    Result,
    finish_all,
    import_due_predictions,
    process_env,
    start_checks,
)
from tests.sink import Sink


def _env(database_url: str, sink: Sink, **extra: str) -> dict[str, str]:
    return process_env(database_url, TRACKER_WEBHOOK_URL=f"{sink.url}/hook", **extra)


@pytest.mark.slow
def test_four_concurrent_checks_send_nothing_twice(
    cli: Callable[..., Result], database_url: str, sink: Sink, tmp_path: Path
) -> None:
    import_due_predictions(cli, tmp_path, 60)
    env = _env(database_url, sink, TRACKER_DELIVERY_CONCURRENCY="4")
    processes = start_checks(env, 4)
    outputs = finish_all(processes, timeout=120)
    assert [p.returncode for p in processes] == [0, 0, 0, 0], outputs
    assert not any("locked" in err for _, err in outputs)
    ids = [r.headers["webhook-id"] for r in sink.on("/hook")]
    assert len(ids) == 60
    assert len(set(ids)) == 60


@pytest.mark.slow
def test_run_sends_at_start_and_stops_cleanly_on_sigterm(
    cli: Callable[..., Result], database_url: str, sink: Sink
) -> None:
    assert cli("seed", SEEDS).code == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "run"],
        env=_env(database_url, sink, TRACKER_CHECK_INTERVAL="1h"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sink.wait_for(3, timeout=30)
        time.sleep(0.3)  # let it record the outcomes
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert len(sink.on("/hook")) == 3
    assert "stopping on SIGTERM" in err
    assert "stopped" in err
    assert "Traceback" not in err
    assert "pass: queued 3 deliveries" in err
    delivered = cli("deliveries", "--status", "delivered", "--json").json()
    assert len(delivered) == 3


@pytest.mark.slow
def test_run_wakes_early_for_a_retry(
    cli: Callable[..., Result], database_url: str, sink: Sink
) -> None:
    from tests.sink import Answer

    sink.answer("/hook", Answer(500), Answer(200))
    assert cli("add", "Soon", "--due", "2025-01-01", "--key", "soon").code == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "run"],
        env=_env(database_url, sink, TRACKER_CHECK_INTERVAL="1h", TRACKER_RETRY_BACKOFF="1s"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sink.wait_for(2, timeout=30)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    requests = sink.on("/hook")
    assert len(requests) == 2  # the retry came ~1 s later, not after the hour-long interval
    assert requests[1].at - requests[0].at < 10
    assert requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"]
