"""Three `tracker run` workers and a `tracker serve` on one PostgreSQL database, as the
docker-compose file runs them: every reminder is sent exactly once, the Slack pace holds across
the workers, and the web process's /metrics adds up to what was sent."""

from __future__ import annotations

import contextlib
import itertools
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import Result, import_due_predictions, is_sqlite, process_env
from tests.sink import Sink
from tests.test_health import metrics
from tests.test_serve import SERVING, Running, started

COUNT = 12
INTERVAL = 0.25  # seconds between Slack messages, across every worker


@pytest.mark.slow
def test_three_workers_and_a_web_process(
    cli: Callable[..., Result], database_url: str, sink: Sink, tmp_path: Path
) -> None:
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only: the deployment with several machines")
    import_due_predictions(cli, tmp_path, COUNT)
    env = process_env(
        database_url,
        TRACKER_WEBHOOK_URL=f"{sink.url}/hook",
        TRACKER_SLACK_WEBHOOK_URL=f"{sink.url}/slack",
        TRACKER_SLACK_MIN_INTERVAL=str(INTERVAL),
        TRACKER_DELIVERY_CONCURRENCY="2",  # each worker claims a few: all of them send
        TRACKER_CHECK_INTERVAL="1h",
        TRACKER_HTTP_PORT="0",
    )
    with contextlib.ExitStack() as stack:
        workers: list[Running] = [stack.enter_context(started(["run"], env)) for _ in range(3)]
        web = stack.enter_context(started(["serve"], env))
        url = web.wait_for(SERVING).group(1)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(sink.received) < 2 * COUNT:
            time.sleep(0.2)
        time.sleep(1.0)  # let the last outcomes be recorded
        scraped = metrics(httpx.get(f"{url}/metrics", timeout=10).text)
        ready = httpx.get(f"{url}/readyz", timeout=10)
        logs = [worker.stop(signal.SIGTERM) for worker in workers]
    hooks, slack = sink.on("/hook"), sink.on("/slack")
    ids = [request.headers["webhook-id"] for request in hooks]
    assert (len(ids), len(set(ids))) == (COUNT, COUNT), logs
    assert len(slack) == COUNT
    arrivals = sorted(request.at for request in slack)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= INTERVAL / 2, gaps  # arrival times jitter; unpaced would overlap
    assert sum(gaps) >= 0.9 * INTERVAL * len(gaps), gaps
    senders = [log for log in logs if "attempted" in log and "attempted 0" not in log]
    assert len(senders) >= 2, logs  # the pace was shared, not one worker's own
    delivered = scraped["tracker_deliveries"]
    assert delivered[(("channel", "webhook"), ("status", "delivered"))] == COUNT
    assert delivered[(("channel", "slack"), ("status", "delivered"))] == COUNT
    assert ready.status_code == 200, ready.text
    assert len(ready.json()["workers"]) == 3
