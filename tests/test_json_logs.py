"""TRACKER_LOG_FORMAT=json: one JSON object per line from `check`, `serve` and `run`, with no
secret in any of them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import API_TOKEN, SEEDS, Result, process_env
from tests.sink import Sink
from tests.test_serve import started
from tracker.cli.logs import JsonFormatter

WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PATH_SECRET = "s3cret-path-0123456789"
CALENDAR_TOKEN = "calendar-token-9876543210"


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for line in lines:
        assert set(line) >= {"time", "level", "logger", "message"}, line
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]), line
        assert line["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
    return lines


def test_the_formatter_keeps_extra_fields_and_the_traceback() -> None:
    record = logging.LogRecord(
        "tracker.worker", logging.ERROR, __file__, 1, "pass %s failed", ("one",), None
    )
    record.report = {"queued": 2}
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
    assert line["time"] == moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert line["level"] == "ERROR"
    assert line["logger"] == "tracker.worker"
    assert line["message"] == "pass one failed"
    assert line["report"] == {"queued": 2}
    assert "ValueError: boom" in line["exception"]
    assert "\n" not in JsonFormatter().format(record)


def test_check_logs_json_lines_without_secrets(
    cli: Callable[..., Result], database_url: str, sink: Sink
) -> None:
    assert cli("seed", SEEDS).code == 0
    channels = [
        {"name": "log", "kind": "console"},
        {"name": "hook", "kind": "webhook", "url": f"{sink.url}/{PATH_SECRET}",
         "secret": WEBHOOK_SECRET},
    ]  # fmt: skip
    env = process_env(
        database_url, TRACKER_LOG_FORMAT="json", TRACKER_CHANNELS=json.dumps(channels)
    )
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stderr)
    reminders = [line for line in lines if line["logger"] == "tracker.reminders"]
    assert len(reminders) == 3
    assert all(line["message"].startswith("OVERDUE by ") for line in reminders)
    assert PATH_SECRET not in done.stderr
    assert WEBHOOK_SECRET not in done.stderr


def test_serve_logs_json_lines_and_masks_a_token_in_the_path(
    cli: Callable[..., Result], database_url: str
) -> None:
    assert cli("seed", SEEDS).code == 0
    env = process_env(database_url, TRACKER_LOG_FORMAT="json", TRACKER_API_TOKEN=API_TOKEN)
    serving = re.compile(r'"message": "serving .* on (http://[^;"\s]+)')
    with started(["serve", "--port", "0"], env) as running:
        url = running.wait_for(serving).group(1)
        assert httpx.get(f"{url}/healthz?token={CALENDAR_TOKEN}", timeout=10).status_code == 200
        running.wait_for(re.compile(r'"logger": "uvicorn.access"'))
        log = running.stop(signal.SIGTERM)
    assert running.process.returncode == 0, log
    lines = json_lines(log)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access
    assert "/healthz?token=***" in access[0]["message"]
    assert CALENDAR_TOKEN not in log
    assert API_TOKEN not in log
    assert lines[-1]["message"] == "stopped"


def test_run_logs_each_pass_with_its_counts(cli: Callable[..., Result], database_url: str) -> None:
    assert cli("seed", SEEDS).code == 0
    env = process_env(database_url, TRACKER_LOG_FORMAT="json")
    with started(["run"], env) as running:
        running.wait_for(re.compile(r'"logger": "tracker.scheduler", "message": "pass: '))
        log = running.stop(signal.SIGTERM)
    assert running.process.returncode == 0, log
    passes = [line for line in json_lines(log) if line["message"].startswith("pass: ")]
    assert passes[0]["report"]["attempts"] == 3
    assert passes[0]["report"]["skipped"] > 0
