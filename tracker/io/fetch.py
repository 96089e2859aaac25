"""Fetch one news page or feed over HTTP(S): bounded in time and size, redirects checked hop by hop.

Async at the core, so that a poller can fetch many feeds at once through one client; fetch_now()
wraps it for the CLI. Every failure is a FetchFailed with a one-line message (InvalidInput for a
URL that is not http(s) to begin with); no exception of httpx's escapes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx

from tracker.about import version
from tracker.channels.http import parse_retry_after
from tracker.clock import utcnow
from tracker.errors import FetchFailed, InvalidInput

MAX_REDIRECTS = 5
_SCHEMES = ("http", "https")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SHOWN_URL = 200  # characters of a URL an error message shows
_MIB = 1024 * 1024


@dataclass(frozen=True)
class FetchLimits:
    timeout: float  # seconds for the whole request, redirects included (TRACKER_FETCH_TIMEOUT)
    max_bytes: int  # the largest body read (TRACKER_FETCH_MAX_BYTES)


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    status: int  # 2xx, or 304
    body: bytes  # b"" on 304
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def user_agent() -> str:
    return f"tracker/{version()} (forecast tracker reading news)"


def new_client(limits: FetchLimits, *, concurrency: int = 10) -> httpx.AsyncClient:
    """A client for many fetches: at most `concurrency` connections at once. It never follows
    redirects itself: fetch() follows them, checking each hop's scheme."""
    return httpx.AsyncClient(
        headers={"user-agent": user_agent(), "accept-encoding": "gzip, deflate"},
        timeout=httpx.Timeout(limits.timeout),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        follow_redirects=False,
    )


def check_url(url: str) -> str:
    """The URL as given, if it is an http(s) URL with a host; InvalidInput otherwise."""
    if _scheme_problem(url):
        raise InvalidInput(f"{shown_url(url)}: {_scheme_problem(url)}")
    return url


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    limits: FetchLimits,
    etag: str | None = None,
    last_modified: str | None = None,
    public_only: bool = False,
) -> Fetched:
    """GET `url`, conditionally when `etag` or `last_modified` is given (a 304 comes back as a
    Fetched with not_modified). Raises InvalidInput for a URL that is not http(s), FetchFailed for
    everything the world does wrong. `public_only` refuses, at every hop, a host that is a
    private, loopback or link-local address (a link a feed's author chose)."""
    check_url(url)
    headers = {"accept": "text/html, application/xhtml+xml, application/rss+xml, "
               "application/atom+xml, application/xml;q=0.9, */*;q=0.8"}  # fmt: skip
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    try:
        async with asyncio.timeout(limits.timeout):
            return await _follow(client, url, headers, limits, public_only=public_only)
    except TimeoutError:
        raise FetchFailed(
            f"{shown_url(url)}: no answer within {limits.timeout:g} s (TRACKER_FETCH_TIMEOUT)",
            url=url,
        ) from None


def fetch_now(url: str, *, limits: FetchLimits) -> Fetched:
    """fetch() for one URL, from code that is not async (the CLI)."""

    async def once() -> Fetched:
        async with new_client(limits, concurrency=1) as client:
            return await fetch(client, url, limits=limits)

    check_url(url)  # before starting an event loop for nothing
    return asyncio.run(once())


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    limits: FetchLimits,
    *,
    public_only: bool,
) -> Fetched:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        if public_only and await is_private_url(current):
            raise FetchFailed(
                f"{shown_url(url)}: refused, {shown_url(current)} is a private or local "
                "address and the feed is not",
                url=url,
            )
        try:
            request = client.build_request("GET", current, headers=headers)
        except httpx.InvalidURL as exc:
            raise FetchFailed(
                f"{shown_url(url)}: cannot fetch {shown_url(current)} ({exc})", url=url
            ) from None
        response = await _send(client, request, url, limits)
        try:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                current = _next_hop(url, current, response.headers["location"])
                continue
            return await _answer(url, response, limits)
        except httpx.HTTPError as exc:
            raise FetchFailed(f"{shown_url(url)}: {_network_text(exc, limits)}", url=url) from None
        finally:
            await response.aclose()
    raise FetchFailed(f"{shown_url(url)}: more than {MAX_REDIRECTS} redirects", url=url)


async def _send(
    client: httpx.AsyncClient, request: httpx.Request, url: str, limits: FetchLimits
) -> httpx.Response:
    try:
        return await client.send(request, stream=True)
    except httpx.InvalidURL:
        # httpx reads a redirect's Location as it receives the answer, and gives up on one that
        # is no URL it could follow ("javascript:alert(1)"), before we see it.
        raise FetchFailed(
            f"{shown_url(url)}: redirected to a URL that cannot be fetched, refused "
            "(only http:// and https:// URLs are fetched)",
            url=url,
        ) from None
    except httpx.HTTPError as exc:
        raise FetchFailed(f"{shown_url(url)}: {_network_text(exc, limits)}", url=url) from None


def _next_hop(url: str, current: str, location: str) -> str:
    try:
        target = urljoin(current, location.strip())
    except ValueError:
        target = location
    problem = _scheme_problem(target)
    if problem:
        raise FetchFailed(
            f"{shown_url(url)}: redirected to {shown_url(target)}, refused ({problem})", url=url
        )
    return target


async def _answer(url: str, response: httpx.Response, limits: FetchLimits) -> Fetched:
    status = response.status_code
    if status != 304 and not 200 <= status < 300:
        raise FetchFailed(
            f"{shown_url(url)}: the server answered {status} {response.reason_phrase}".rstrip(),
            url=url,
            status=status,
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
    body = b"" if status == 304 else await _read_capped(url, response, limits.max_bytes)
    return Fetched(
        url=str(response.url),
        status=status,
        body=body,
        content_type=response.headers.get("content-type"),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


async def _read_capped(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    """The body, read while it stays within max_bytes: an endless or huge answer is cut off as
    soon as it passes the cap, never read whole first. The cap counts decoded bytes, so a small
    gzip that unpacks to gigabytes is refused too."""
    too_large = FetchFailed(
        f"{shown_url(url)}: larger than {_size(max_bytes)} (TRACKER_FETCH_MAX_BYTES)", url=url
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _scheme_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "not a valid URL"
    if parts.scheme.lower() not in _SCHEMES:
        return "only http:// and https:// URLs are fetched"
    if not parts.hostname:
        return "the URL names no host"
    return None


# A query parameter whose name says it holds a credential ("?apikey=...", "&token=...").
_SECRET_PARAMETER = re.compile(r"key|token|secret|pass|auth|sig|session|credential", re.I)
_PARAMETER = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")


def public_url(url: str) -> str:
    """The URL as it may be shown or logged: without user:password, and with the values of
    query parameters named like credentials replaced by ***."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        shown = urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        shown = url

    def masked(found: re.Match[str]) -> str:
        if _SECRET_PARAMETER.search(unquote(found[2])):
            return f"{found[1]}{found[2]}=***"
        return found[0]

    return _PARAMETER.sub(masked, shown)


async def is_private_url(url: str) -> bool:
    """Whether the URL's host is, or resolves to, a private, loopback, link-local or otherwise
    not public address (a name that does not resolve is left to the fetch to fail on). The
    check and the connection resolve separately, so a name that changes between the two
    (DNS rebinding) is not caught."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in found}
    return any(not ipaddress.ip_address(str(a).split("%")[0]).is_global for a in addresses)


def shown_url(url: str) -> str:
    """The URL as an error message may show it: public_url, and not too long."""
    shown = "".join(c if c.isprintable() else "?" for c in public_url(url))
    if len(shown) > _SHOWN_URL:
        shown = shown[: _SHOWN_URL - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return shown


def _retry_after(value: str | None) -> float | None:
    wait = parse_retry_after(value, utcnow())
    return None if wait is None else wait.total_seconds()


def _network_text(exc: httpx.HTTPError, limits: FetchLimits) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {limits.timeout:g} s (TRACKER_FETCH_TIMEOUT)"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect (" + (_first_line(exc) or "connection refused") + ")"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    return f"{type(exc).__name__}" + (f" ({_first_line(exc)})" if _first_line(exc) else "")


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else ""


def _size(count: int) -> str:
    if count % _MIB == 0:
        return f"{count // _MIB} MiB"
    if count >= _MIB:
        return f"{count / _MIB:.1f} MiB"
    return f"{count // 1024} KiB" if count % 1024 == 0 else f"{count} bytes"
