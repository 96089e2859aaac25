"""A real local HTTP receiver for tests: records every request and answers as it is told."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Loopback only: the sink is reached by the process under test on this machine, never beyond it.
HOST = "127.0.0.1"


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a stall)
    reset: bool = False  # send half the status line, then reset the connection
    trickle: float = 0.0  # seconds between the answer's bytes (a slow trickle)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived
    done_at: float = 0.0  # when the answer had been written

    def json(self) -> Any:
        return json.loads(self.body)


class Sink:
    """Answers per path from a queue of Answers (the last one repeats), else 200 "ok"."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._answers: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                received = Received(self.path, dict(self.headers.items()), body, time.monotonic())
                with sink._lock:
                    sink.received.append(received)
                    queue = sink._answers.get(self.path) or [Answer()]
                    answer = queue.pop(0) if len(queue) > 1 else queue[0]
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.reset:
                    self.wfile.write(b"HTTP/1.1 2")
                    self.wfile.flush()
                    # SO_LINGER 0: close() sends a TCP reset instead of a clean end.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                payload = answer.body.encode()
                head = [f"HTTP/1.1 {answer.status} Whatever"]
                head += [f"{name}: {value}" for name, value in answer.headers.items()]
                head += [f"content-length: {len(payload)}", "", ""]
                response = "\r\n".join(head).encode() + payload
                if answer.trickle:  # the whole answer, a byte at a time
                    for index in range(len(response)):
                        self.wfile.write(response[index : index + 1])
                        self.wfile.flush()
                        time.sleep(answer.trickle)
                else:
                    self.wfile.write(response)
                received.done_at = time.monotonic()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # many workers connect at once; the default 5 drops them

        self.server = Server((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_port}"

    def answer(self, path: str, *answers: Answer) -> None:
        with self._lock:
            self._answers[path] = list(answers)

    def on(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def wait_until(
        self, condition: Callable[[list[Received]], bool], timeout: float = 60.0
    ) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if condition(list(self.received)):
                    return True
            time.sleep(0.05)
        return False

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def __enter__(self) -> Sink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def running_sink() -> Iterator[Sink]:
    with Sink() as sink:
        yield sink
