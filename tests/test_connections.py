"""Idle, slow and too many connections, against the real server (uvicorn with our protocol) on
a free port, with real sockets."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import Web
from tracker.web.connections import ConnectionLimits
from tracker.web.server import HttpServer

GENEROUS = 10.0  # seconds: only ever waited in full when something is wrong


@contextlib.contextmanager
def serving(web: Web, limits: ConnectionLimits) -> Iterator[tuple[str, int]]:
    with running(web, limits) as server:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)


@contextlib.contextmanager
def running(web: Web, limits: ConnectionLimits) -> Iterator[HttpServer]:
    server = HttpServer(web.settings, web.engine, host="127.0.0.1", port=0, limits=limits)
    thread = server.start_in_thread()
    try:
        deadline = time.monotonic() + GENEROUS
        while not server.started:
            assert thread.is_alive(), "the server did not start"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield server
    finally:
        server.stop()
        thread.join(timeout=GENEROUS)


def closed_by_server(sock: socket.socket, timeout: float = GENEROUS) -> bool:
    """Whether the server closes `sock` within `timeout` (whatever it sent before)."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def eventually(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + GENEROUS
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def is_closed_now(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(65536, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True


@contextlib.contextmanager
def fewer_file_descriptors(headroom: int) -> Iterator[None]:
    """Lower this process's soft RLIMIT_NOFILE to what is open now plus `headroom`, the way
    `ulimit -n` makes a server run out; restored afterwards."""
    resource = pytest.importorskip("resource")
    fds = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = len(os.listdir(fds)) + headroom
    if soft != resource.RLIM_INFINITY and soft < wanted:
        pytest.skip(f"needs {wanted} file descriptors; ulimit -n is {soft}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_api_answers_while_500_idle_sockets_are_open(web: Web) -> None:
    """The report: idle sockets under a low `ulimit -n` left /status timing out. With deadlines
    long enough not to matter here, the cap alone keeps the server answering."""
    long = ConnectionLimits(head=60, idle=60, body=60, send=60, max_connections=64)
    idle: list[socket.socket] = []
    # Ours 500, the server's at most 2 x 64 at a burst, and some for the database and pytest:
    # without the cap, the server's 500 more run the process out.
    with serving(web, long) as (host, port), fewer_file_descriptors(headroom=500 + 128 + 150):
        try:
            for _ in range(500):
                idle.append(socket.create_connection((host, port), timeout=GENEROUS))
            answer = httpx.get(f"http://{host}:{port}/api/v1/status", timeout=GENEROUS)
            assert answer.status_code == 200, answer.text
            assert answer.json()["database"] in {"sqlite", "postgresql"}
            # It made room by closing the oldest idle ones: at most 64 of ours are left open.
            assert eventually(lambda: sum(not is_closed_now(s) for s in idle) <= 64)
        finally:
            for sock in idle:
                sock.close()


def test_idle_and_slow_connections_are_closed(web: Web) -> None:
    short = ConnectionLimits(head=0.5, idle=0.5, body=0.5, send=0.5, max_connections=100)
    with serving(web, short) as (host, port):
        silent = socket.create_connection((host, port))
        half_head = socket.create_connection((host, port))
        half_head.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n")
        half_body = socket.create_connection((host, port))
        half_body.sendall(
            b"POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b'content-length: 100\r\n\r\n{"claim": '
        )
        kept_alive = socket.create_connection((host, port))
        kept_alive.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        trickled = socket.create_connection((host, port))
        stop = threading.Event()

        def trickle() -> None:  # slowloris: a header line every 0.1 s, never the blank line
            with contextlib.suppress(OSError):
                trickled.sendall(b"GET / HTTP/1.1\r\n")
                while not stop.wait(0.1):
                    trickled.sendall(b"x-slow: 1\r\n")

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        try:
            assert closed_by_server(silent), "a connection that sent nothing stayed open"
            assert closed_by_server(half_head), "a half-sent head stayed open"
            assert closed_by_server(half_body), "a half-sent body stayed open"
            assert closed_by_server(kept_alive), "an idle keep-alive connection stayed open"
            assert closed_by_server(trickled), "a trickled head stayed open"
        finally:
            stop.set()
            sender.join(timeout=GENEROUS)
            for sock in (silent, half_head, half_body, kept_alive, trickled):
                sock.close()
        # And the server still serves.
        assert httpx.get(f"http://{host}:{port}/api/v1/status", timeout=GENEROUS).status_code == 200


def test_when_every_connection_is_busy_a_new_one_gets_503(web: Web) -> None:
    limits = ConnectionLimits(head=60, idle=60, body=60, send=60, max_connections=2)
    with serving(web, limits) as (host, port):
        busy = []
        for _ in range(2):  # each in the middle of sending a body: not to be dropped
            sock = socket.create_connection((host, port), timeout=GENEROUS)
            sock.sendall(
                b"POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\nexpect: 100-continue\r\n"
                b"content-type: application/json\r\ncontent-length: 10\r\n\r\n"
            )
            # The server says so once it has read the head and the app waits for the body.
            assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
            sock.sendall(b"{")
            busy.append(sock)
        try:
            refused = httpx.get(f"http://{host}:{port}/api/v1/status", timeout=GENEROUS)
            assert refused.status_code == 503
            assert "too many open connections" in refused.json()["detail"]
            assert not any(is_closed_now(s) for s in busy)
        finally:
            for sock in busy:
                sock.close()


def test_a_client_that_stops_reading_is_dropped(web: Web) -> None:
    limits = ConnectionLimits(head=60, idle=60, body=60, send=0.3, max_connections=100)
    with running(web, limits) as server:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        reader = socket.socket()
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.connect((host, int(port)))
        try:
            # Far more answer than the socket buffers hold, asked for and never read.
            reader.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * 1000)
            assert eventually(lambda: server.open_connections == 1), "never connected"
            assert eventually(lambda: server.open_connections == 0), "never dropped"
        finally:
            reader.close()
