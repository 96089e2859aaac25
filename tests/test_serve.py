"""`tracker serve` and `tracker run --http` as real processes, and their start-up errors."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import API_TOKEN, SEEDS, Result, assert_one_line_error, process_env
from tests.sink import Sink

SERVING = re.compile(r"(?:serving .* on|serving the web page and API on) (http://\S+?)[;\s]")


class Running:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            match = pattern.search(line)
            if match:
                return match
        raise AssertionError(f"never logged {pattern.pattern!r}; saw: {''.join(self.seen)}")

    def stop(self, signum: int = signal.SIGTERM) -> str:
        self.process.send_signal(signum)
        self.process.wait(timeout=30)
        time.sleep(0.1)  # let the reader drain what was left
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "".join(self.seen)


@contextmanager
def started(
    args: list[str], env: dict[str, str], preexec_fn: Callable[[], None] | None = None
) -> Iterator[Running]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )
    try:
        yield Running(process)
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.slow
def test_serve_answers_and_stops_on_sigterm(cli: Callable[..., Result], database_url: str) -> None:
    assert cli("seed", SEEDS).code == 0
    env = process_env(database_url, TRACKER_API_TOKEN=API_TOKEN)
    with started(["serve", "--port", "0"], env) as running:
        url = running.wait_for(SERVING).group(1)
        listed = httpx.get(f"{url}/api/v1/predictions", timeout=10)
        assert listed.status_code == 200
        assert len(listed.json()["items"]) == 3
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        log = running.stop(signal.SIGTERM)
    assert running.process.returncode == 0, log
    assert "Traceback" not in log
    assert API_TOKEN not in log
    assert "the API is writable" in log


@pytest.mark.slow
def test_run_http_sends_reminders_and_takes_resolutions(
    cli: Callable[..., Result], database_url: str, sink: Sink
) -> None:
    assert cli("seed", SEEDS).code == 0
    key = cli("list", "--json").json()[0]["key"]
    env = process_env(
        database_url,
        TRACKER_WEBHOOK_URL=f"{sink.url}/hook",
        TRACKER_CHECK_INTERVAL="1s",
        TRACKER_HTTP_PORT="0",
        TRACKER_API_TOKEN=API_TOKEN,
    )
    with started(["run", "--http"], env) as running:
        url = running.wait_for(SERVING).group(1)
        assert sink.wait_until(lambda received: len(received) >= 3, timeout=30)
        resolved = httpx.post(
            f"{url}/api/v1/predictions/{key}/resolve",
            json={"outcome": "no"},
            headers={"authorization": f"Bearer {API_TOKEN}"},
            timeout=10,
        )
        assert resolved.status_code == 200
        # The running scheduler announces it on a later pass.
        assert sink.wait_until(
            lambda received: any(r.json()["type"] == "prediction.resolved" for r in received),
            timeout=30,
        )
        log = running.stop(signal.SIGINT)
    assert running.process.returncode == 0, log
    assert "stopping on SIGINT" in log
    assert "Traceback" not in log


@pytest.mark.slow
def test_500_idle_sockets_do_not_starve_a_server_under_ulimit_256(
    cli: Callable[..., Result], database_url: str
) -> None:
    """The report, as it was seen: `tracker serve` under `ulimit -n 256` and idle sockets
    that it held for ever until /status timed out on "Too many open files"."""
    resource = pytest.importorskip("resource")

    def ulimit_256() -> None:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        )

    assert cli("seed", SEEDS).code == 0
    with started(["serve", "--port", "0"], process_env(database_url), ulimit_256) as running:
        url = running.wait_for(SERVING).group(1)
        host, port = url.removeprefix("http://").rsplit(":", 1)
        idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(500)]
        try:
            answer = httpx.get(f"{url}/api/v1/status", timeout=10)
            assert answer.status_code == 200
        finally:
            for sock in idle:
                sock.close()
        log = running.stop(signal.SIGTERM)
    assert "Too many open files" not in log
    assert "Traceback" not in log


def test_a_taken_port_is_one_clear_line(cli: Callable[..., Result]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert_one_line_error(result, 1, contains=f"cannot listen on 127.0.0.1:{port}")


def test_a_bad_inbound_secret_stops_serve_before_it_listens(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_INBOUND_WEBHOOK_SECRET", "hunter2")
    result = cli("serve", "--port", "0")
    assert_one_line_error(result, 2, contains="whsec_")
    assert "hunter2" not in result.err


def test_an_unknown_host_is_one_clear_line(cli: Callable[..., Result]) -> None:
    result = cli("serve", "--host", "no-such-host.invalid", "--port", "0")
    assert_one_line_error(result, 1, contains="unknown host")


def test_serve_fails_loudly_when_its_server_dies(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    def dies(self: object, sockets: object = None) -> None:
        raise SystemExit(3)  # what uvicorn does when its start-up fails

    monkeypatch.setattr(uvicorn.Server, "run", dies)
    result = cli("serve", "--port", "0")
    assert_one_line_error(result, 1, contains="the HTTP server stopped on its own (SystemExit: 3)")
