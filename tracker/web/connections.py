"""Deadlines for slow and idle HTTP connections, and a cap on how many are open at once.

uvicorn closes a connection that idles after a response (timeout_keep_alive), but nothing else:
a socket that never sends a byte, a request head trickled a line at a time (slowloris), a body
that never ends or a client that never reads its answer each hold a file descriptor for ever,
and a few hundred of them leave the process unable to accept anyone ("Too many open files").
uvicorn has no header or body timeout, and its limit_concurrency does not help: it still accepts
every socket, and once too many are open it answers 503 to the real requests instead.

So this subclass of uvicorn's h11 protocol gives each phase of a connection a deadline, kept
from the start of the phase (a byte now and then does not renew it):

- head: from the connection (or the first byte of a next request) to the end of the headers;
- idle: between a response and the next request (uvicorn's keep-alive, in seconds we choose);
- body: from the headers to the end of the body;
- send: while the client has stopped reading what we send.

When a new connection would pass the cap, the oldest one that is not in the middle of a request
(idle, or still sending its headers) is closed to make room, as nginx reuses keep-alive
connections; if every one is busy, the new one gets a 503 and is closed.

That alone is not enough: asyncio accepts a burst of connections before any of them reaches the
protocol, and an accept() that fails with EMFILE makes it log an error and retry in a loop,
thousands of times a second. So the listening socket itself (GatedSocket) stops accepting while
twice the cap of the sockets it accepted are still open, which holds only for the moment it
takes the connections closed to make room to be let go.

It relies on a few attributes of uvicorn's H11Protocol (conn, cycle, transport, loop,
connections), which tests/test_connections.py exercises on a real server.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
from dataclasses import dataclass, field
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("tracker.web")

MAX_CONNECTIONS = 1000


def default_max_connections() -> int:
    """A quarter of the file descriptors this process may open, so that a burst (up to twice
    this, see GatedSocket) leaves half of them to the database, the deliveries' HTTP clients
    and the logs. At most MAX_CONNECTIONS."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # no `resource` on Windows
        return MAX_CONNECTIONS
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft // 4))


@dataclass(frozen=True)
class ConnectionLimits:
    """Seconds per phase (see the module's notes) and the most connections open at once."""

    head: float = 10.0
    idle: float = 5.0
    body: float = 20.0
    send: float = 20.0
    max_connections: int = field(default_factory=default_max_connections)


BUSY = json.dumps({"detail": "the server has too many open connections; try again shortly"})
BUSY_RESPONSE = (
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    f"content-length: {len(BUSY)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{BUSY}"
).encode()


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the deadlines and the cap; made per server by protocol_for,
    which gives each server its limits and its own list of open connections."""

    limits: ClassVar[ConnectionLimits]
    open_connections: ClassVar[dict[GuardedH11Protocol, None]]  # oldest first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timer: asyncio.TimerHandle | None = None
        self._timed_phase: str | None = None
        self._request_started = False  # bytes of a next request have come after a response
        self._writes_paused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.open_connections) >= self.limits.max_connections and not self._make_room():
            log.warning("refused a connection: %d are open, none idle", len(self.open_connections))
            transport.write(BUSY_RESPONSE)
            transport.close()
            return
        self.open_connections[self] = None
        self._rearm()

    def connection_lost(self, exc: Exception | None) -> None:
        self.open_connections.pop(self, None)
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._request_started = True
        super().data_received(data)
        self._rearm()

    def on_response_complete(self) -> None:
        # A pipelined next request may be waiting in h11's buffer already.
        self._request_started = bool(self.conn.trailing_data[0])
        super().on_response_complete()
        self._rearm()

    def pause_writing(self) -> None:
        self._writes_paused = True
        super().pause_writing()
        self._rearm()

    def resume_writing(self) -> None:
        self._writes_paused = False
        super().resume_writing()
        self._rearm()

    def _phase(self) -> str | None:
        """What the connection is waiting for from the client, if anything."""
        if self.transport is None or self.transport.is_closing():
            return None
        if self._writes_paused:
            return "send"
        if self.conn.their_state is h11.SEND_BODY:
            return "body"
        if self.conn.their_state is h11.IDLE:
            if self.cycle is None or self._request_started:
                return "head"
            if self.cycle.response_complete:
                return "idle"
        return None  # the app has the request: its own time is not the client's fault

    def _rearm(self) -> None:
        phase = self._phase()
        if phase == self._timed_phase:
            return  # the same phase: its deadline stands
        self._cancel()
        self._timed_phase = phase
        if phase is not None:
            seconds: float = getattr(self.limits, phase)
            self._timer = self.loop.call_later(seconds, self._expire, phase)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timed_phase = None

    def _expire(self, phase: str) -> None:
        self._timer = None
        if self._phase() == phase:
            log.debug("closing a connection that stayed in its %s phase too long", phase)
            self._close()

    def _close(self) -> None:
        self.open_connections.pop(self, None)
        # abort(), not close(): close() would wait to flush to a client that does not read.
        # The app, if it waits for the body, hears a disconnect.
        self.transport.abort()

    def _make_room(self) -> bool:
        """Close the oldest connection that no request is using; False if there is none."""
        oldest = next((c for c in self.open_connections if c._phase() in {"head", "idle"}), None)
        if oldest is None:
            return False
        oldest._close()
        return True


def protocol_for(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A protocol class for one server: its limits, and a registry of its connections."""

    class Protocol(GuardedH11Protocol):
        pass

    Protocol.limits = limits
    Protocol.open_connections = {}
    return Protocol


class GatedSocket(socket.socket):
    """A listening socket whose accept() says "nothing to accept" (as a non-blocking socket
    does) while `limit` of the sockets it accepted are still open; asyncio tries again on its
    next turn, by when the connections closed to make room have been let go."""

    limit = 2 * MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._accepted: list[socket.socket] = []  # closed ones are dropped when it fills

    def accept(self) -> tuple[socket.socket, Any]:
        if len(self._accepted) >= self.limit:
            self._accepted = [conn for conn in self._accepted if conn.fileno() != -1]
            if len(self._accepted) >= self.limit:
                raise BlockingIOError(errno.EAGAIN, "too many open connections")
        conn, address = super().accept()
        self._accepted.append(conn)
        return conn, address
