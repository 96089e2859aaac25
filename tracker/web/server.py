"""Serving the app with uvicorn, alone or in a thread beside the scheduler."""

from __future__ import annotations

import errno
import logging
import math
import re
import socket
import threading
from collections.abc import Callable
from urllib.parse import unquote

import uvicorn
from sqlalchemy.engine import Engine

from tracker.config import Settings
from tracker.errors import EnvironmentFailure
from tracker.web.app import create_app
from tracker.web.connections import ConnectionLimits, GatedSocket, protocol_for

log = logging.getLogger("tracker.web")

# Query parameters that carry secrets: a calendar client's ?token= (tracker.web.calendar),
# and the name OAuth-minded clients try. uvicorn's access log writes the path with its query.
SECRET_PARAMETERS = frozenset({"token", "access_token"})
_PARAMETER = re.compile(r"([?&])([^=&#\s\"]*)=([^&#\s\"]*)")


def mask_query_secrets(text: str) -> str:
    """The text with every secret query parameter's value replaced by ***; the name is read
    percent-decoded, as the app reads it (?tok%65n= is a token too)."""

    def masked(found: re.Match[str]) -> str:
        if unquote(found[2]).lower() in SECRET_PARAMETERS:
            return f"{found[1]}{found[2]}=***"
        return found[0]

    return _PARAMETER.sub(masked, text)


class MaskQuerySecrets(logging.Filter):
    """Masks secret query parameters in a record's message and arguments (uvicorn passes the
    path as an argument), before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_query_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_query_secrets(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


_MASK = MaskQuerySecrets()


def mask_server_logs() -> None:
    """Put the mask on uvicorn's loggers (once: a logger keeps one of each filter)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(_MASK)


def listen(host: str, port: int, *, max_connections: int) -> socket.socket:
    """Bind the socket ourselves, so that a taken port is one clear error before anything
    starts (uvicorn would log it and exit from inside); it accepts no more than twice
    `max_connections` at a time (see tracker.web.connections)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise EnvironmentFailure(f"cannot listen on {host}:{port}: unknown host") from None
    family, kind, proto, _, address = infos[0]
    sock = GatedSocket(family, kind, proto)
    sock.limit = 2 * max_connections
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise EnvironmentFailure(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


class HttpServer:
    """uvicorn on a socket we bound; run() blocks, stop() may be called from any thread."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        host: str,
        port: int,
        limits: ConnectionLimits | None = None,
    ) -> None:
        """`limits`: the connections' deadlines and cap (tests shorten them)."""
        limits = limits or ConnectionLimits()
        # The app first: a bad setting is refused before the port is taken.
        self._protocol = protocol_for(limits)
        mask_server_logs()  # access_log=True: each line holds the path and its query
        config = uvicorn.Config(
            create_app(settings, engine),
            http=self._protocol,  # h11, with deadlines per phase and a connection cap
            # uvicorn's own keep-alive timer stays, never sooner than ours (it takes seconds).
            timeout_keep_alive=max(1, math.ceil(limits.idle)),
            log_config=None,  # our logging setup, not uvicorn's
            access_log=True,
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._stopping = False
        self.failure: str | None = None
        self._sock = listen(host, port, max_connections=limits.max_connections)
        bound_host, bound_port = self._sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.url = f"http://{shown}:{bound_port}"

    @property
    def open_connections(self) -> int:
        return len(self._protocol.open_connections)

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    def start_in_thread(self, on_exit: Callable[[], None] | None = None) -> threading.Thread:
        """Serve from a thread (where uvicorn leaves signals alone) until stop(); `on_exit`
        runs when serving ends, asked to or not (see `failed`)."""

        def serve() -> None:
            try:
                self._server.run(sockets=[self._sock])
            except BaseException as exc:  # uvicorn ends a failed start-up with sys.exit()
                self.failure = f"{type(exc).__name__}: {exc}"
            finally:
                if on_exit is not None:
                    on_exit()

        thread = threading.Thread(target=serve, name="tracker-http", daemon=True)
        thread.start()
        return thread

    @property
    def failed(self) -> bool:
        """Serving ended without stop() being called."""
        return not self._stopping

    def stop(self) -> None:
        self._stopping = True
        self._server.should_exit = True
