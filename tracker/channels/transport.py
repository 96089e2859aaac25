"""httpx's interface on aiohttp's connection pool, for sending many deliveries at once.

Profiled (BENCHMARKS.md), httpcore's pool spent most of a delivery's CPU time looking over its
connections for each request: against a local receiver a bare httpx loop managed about 300
POSTs a second on this 2-core machine, aiohttp about 9,000. The channels keep speaking httpx
(its Request and Response, its exceptions, httpx.MockTransport in unit tests); only the wire
underneath is aiohttp's. aiohttp's own errors are turned into the httpx ones they mean, so
post_json() classifies them as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx

_CHUNK = 16 * 1024


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """aiohttp's exceptions as the httpx ones they mean."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(_describe(exc) or "connecting timed out") from exc
    except (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise httpx.ReadTimeout(_describe(exc) or "reading timed out") from exc
    except aiohttp.ClientConnectorError as exc:  # refused, unreachable, DNS (before the request)
        raise httpx.ConnectError(_describe(exc)) from exc
    except aiohttp.ServerDisconnectedError as exc:
        raise httpx.RemoteProtocolError(_describe(exc) or "the server hung up") from exc
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as exc:
        raise httpx.RemoteProtocolError(_describe(exc)) from exc
    except aiohttp.NonHttpUrlClientError as exc:
        raise httpx.UnsupportedProtocol(_describe(exc)) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.InvalidURL(_describe(exc)) from exc
    except aiohttp.ClientOSError as exc:  # reset, broken pipe
        raise httpx.ReadError(_describe(exc)) from exc
    except aiohttp.ClientError as exc:
        raise httpx.TransportError(_describe(exc)) from exc


def _describe(exc: BaseException) -> str:
    return " ".join(str(exc).split())


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk

    async def aclose(self) -> None:
        # Back to the pool when read to the end; closed otherwise (a half-read body would
        # poison the next request on that connection).
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Plain HTTP/1.1 over aiohttp: no proxies from the environment, no redirects followed,
    no decompression (bodies we read are short error texts)."""

    def __init__(self, *, max_connections: int) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._fresh: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # made on first use: it must belong to the running loop
            # Idle connections are dropped after 5 s, as httpx does: servers close theirs
            # after a few seconds (gunicorn after 2), and a stale one fails its next request.
            connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=5)
            self._session = self._new_session(connector)
        return self._session

    def _fresh_client(self) -> aiohttp.ClientSession:
        if self._fresh is None:
            self._fresh = self._new_session(aiohttp.TCPConnector(force_close=True))
        return self._fresh

    @staticmethod
    def _new_session(connector: aiohttp.BaseConnector) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            trust_env=False,
            skip_auto_headers=("User-Agent", "Content-Type", "Accept-Encoding"),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
        )
        headers = [  # not accept-encoding: bodies are read raw, a gzipped error text is noise
            (name, value)
            for name, value in request.headers.multi_items()
            if name.lower() != "accept-encoding"
        ]
        body = await request.aread() or None

        async def send(session: aiohttp.ClientSession) -> aiohttp.ClientResponse:
            return await session.request(
                request.method, str(request.url), headers=headers, data=body,
                allow_redirects=False, timeout=timeout,
            )  # fmt: skip

        with _as_httpx_errors():
            try:
                response = await send(self._client())
            except aiohttp.ClientConnectorError:
                raise  # never connected: nothing stale to replace
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                # A kept-alive connection that the server had closed while it sat in the pool
                # (httpcore looks before reusing one; aiohttp finds out by failing). Once more,
                # on a connection of its own (the pool may hold more stale ones); receivers
                # deduplicate on webhook-id in any case.
                response = await send(self._fresh_client())
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        for session in (self._session, self._fresh):
            if session is not None:
                await session.close()


class DeliveryClient(httpx.AsyncClient):
    """An httpx client whose streamed sends that follow no redirects (every delivery's) go
    straight to the transport. AsyncClient.send would also run auth flows, pick a transport
    by URL pattern and keep cookies, none of which a delivery uses: 95 of the 350 us of CPU
    a send took against a local receiver."""

    def __init__(self, *, transport: AiohttpTransport, timeout: httpx.Timeout) -> None:
        super().__init__(timeout=timeout, transport=transport, trust_env=False)
        self._wire = transport

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        plain = auth is httpx.USE_CLIENT_DEFAULT and self.auth is None
        if stream and follow_redirects is False and plain:
            return await self._wire.handle_async_request(request)
        return await super().send(
            request, stream=stream, auth=auth, follow_redirects=follow_redirects
        )
