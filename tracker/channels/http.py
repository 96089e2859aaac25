"""One HTTP attempt, timed, bounded and classified: the core shared by webhooks and Slack.

Every failure becomes an Attempt, never an exception, and every error text goes through mask()
first: channel URLs and signing secrets are credentials, and servers like to echo them back.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import email.utils
import functools
import re
import time
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus, unquote, urlsplit

import httpx

from tracker.channels.base import Attempt, AttemptOutcome
from tracker.domain.channel_rules import (
    redact_url as redact_url,  # the channels import it from here
)

USER_AGENT = "tracker/0.1"
MASK = "***"
ERROR_LIMIT = 300  # Attempt.error's promise
_BODY_READ_LIMIT = 2048  # enough for an error message; a huge or endless body is not our problem
_BODY_SHOWN = 200
_RETRY_AFTER_CAP = timedelta(days=1)  # a server asking for a week should not park a row forever
_RETRYABLE_4XX = frozenset({408, 425, 429})  # timeout, too early, too many requests
_DELTA_SECONDS = re.compile(r"[0-9]+")  # ASCII digits only: "١٢" is not a number of seconds
_SHORTEST_PREFIX = 4  # shorter bits of a secret tell nothing (and "***" would hide too much)
_TOKEN_SEGMENT = 16  # a path segment this long is a key, not a word like "services"


def classify_status(status_code: int) -> AttemptOutcome:
    """2xx delivered; 408, 425, 429 and 5xx worth another try; everything else final."""
    if 200 <= status_code < 300:
        return AttemptOutcome.DELIVERED
    if status_code in _RETRYABLE_4XX or 500 <= status_code < 600:
        return AttemptOutcome.RETRY
    # 3xx: we never follow redirects (a POST would turn into a GET, and it could point anywhere);
    # 1xx as a final answer and other 4xx: the request itself is wrong, retrying cannot help.
    return AttemptOutcome.PERMANENT


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Read Retry-After as delta-seconds or an HTTP-date (relative to `now`), capped at a day.

    A date in the past means "now" (timedelta(0)); anything unreadable is None, not an error.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        # Cap before building the timedelta: "99999999999999" would overflow it.
        return timedelta(seconds=min(int(text), int(_RETRY_AFTER_CAP.total_seconds())))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" reads as naive; HTTP-dates are always GMT anyway
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), min(when - now, _RETRY_AFTER_CAP))


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of a URL to hide: the whole URL, and its path, query and credentials alone.

    Servers echo any of these (a 404 page quoting the path, a 401 quoting the Authorization
    header), as written, percent-encoded the way httpx sends them, decoded, or - for the user
    and password that go out as Basic auth - base64 of "user:password". Token-like pieces count
    on their own too: query values and long path segments. A bare "/" path is left out: masking
    every slash would garble every text.
    """
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return (url,)
    pieces = [url, parts.path, parts.query]
    if parts.query:
        pieces.append(f"{parts.path}?{parts.query}")
    values = [pair.partition("=")[2] for pair in parts.query.split("&")]
    pieces += [value for value in values if len(value) >= _SHORTEST_PREFIX]
    pieces += [part for part in parts.path.split("/") if len(part) >= _TOKEN_SEGMENT]
    try:
        sent = httpx.URL(url)  # the form that goes on the wire, and into httpx's messages
        pieces += [str(sent), sent.raw_path.decode("ascii")]
    except (httpx.InvalidURL, UnicodeDecodeError):
        pass
    forms = [form for piece in pieces for form in (piece, unquote(piece))]
    if password:
        forms += _credential_forms(user or "", password)
    return tuple(dict.fromkeys(form for form in forms if form.strip("/")))


def _credential_forms(user: str, password: str) -> list[str]:
    """A URL's password as it may come back: as written, decoded, percent-encoded either way,
    and inside the Basic credentials built from it (base64 of "user:password")."""
    forms: list[str] = []
    for secret in dict.fromkeys((password, unquote(password))):
        forms += [secret, quote(secret, safe=""), quote_plus(secret)]
        for name in dict.fromkeys((user, unquote(user))):
            pair = f"{name}:{secret}"
            forms += [pair, *_base64_forms(pair)]
        forms += _base64_forms(secret)
    return forms


def secret_forms(secret: str) -> list[str]:
    """A signing secret as a receiver might quote it: as is, percent-encoded, or in base64."""
    return [secret, quote(secret, safe=""), quote_plus(secret), *_base64_forms(secret)]


def _base64_forms(text: str) -> list[str]:
    forms = []
    for encoding in ("utf-8", "latin-1"):  # aiohttp encodes Basic credentials as latin-1
        try:
            raw = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            value = encoded.decode("ascii")
            forms += [value, value.rstrip("=")]
    return forms


def mask(text: str, secrets: Sequence[str]) -> str:
    """Replace every non-empty secret in `text` with ***; letters' case is ignored (%2f and
    %2F are the same byte; over-masking a base64 look-alike costs nothing)."""
    pattern = _mask_pattern(tuple(sorted({s for s in secrets if s}, key=len, reverse=True)))
    return text if pattern is None else pattern.sub(MASK, text)


@functools.lru_cache(maxsize=256)  # a channel masks with the same secrets every time
def _mask_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    # Longest first, so that a whole URL is masked as one rather than leaving its host behind.
    if not secrets:
        return None
    return re.compile("|".join(re.escape(secret) for secret in secrets), re.IGNORECASE)


def new_client(
    *, connect_timeout: float, request_timeout: float, max_connections: int = 10
) -> httpx.AsyncClient:
    """The client deliveries go out through: httpx's interface on aiohttp's pool (see
    transport.py), with no proxy or certificate settings taken from the environment."""
    from tracker.channels.transport import AiohttpTransport, DeliveryClient  # aiohttp: lazily

    return DeliveryClient(
        timeout=httpx.Timeout(request_timeout, connect=connect_timeout),
        transport=AiohttpTransport(max_connections=max_connections),
    )


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    now: datetime,
    total_timeout: float,
    secrets: Sequence[str],
    permanent_bodies: Collection[str] = (),
    body_retry_after: Callable[[str], timedelta | None] | None = None,
) -> Attempt:
    """POST `body` once and say what came of it. Never raises for HTTP or network failures.

    `total_timeout` bounds the whole exchange, sending and reading together: httpx's own timeouts
    apply to each read, so a server trickling a byte at a time could otherwise hold a worker for
    ever. `permanent_bodies` are answers (Slack's "channel_not_found") that are final whatever
    the status code says. `body_retry_after` reads a wait from a refusal's body (Discord's
    JSON "retry_after"); the longer of it and the Retry-After header is kept.
    """
    started = time.perf_counter()
    try:
        async with asyncio.timeout(total_timeout):
            attempt = await _exchange(
                client, url, body, headers, now, secrets, permanent_bodies, body_retry_after
            )
    except TimeoutError:  # asyncio.timeout's: the total deadline passed
        attempt = Attempt(AttemptOutcome.RETRY, error=f"timed out after {total_timeout:g}s")
    except httpx.TimeoutException as exc:  # one of the client's own per-operation timeouts
        attempt = Attempt(AttemptOutcome.RETRY, error=f"timed out ({type(exc).__name__})")
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        # This URL can never work (configuration checks should have refused it): no retries.
        attempt = Attempt(AttemptOutcome.PERMANENT, error=_exception_error(exc))
    except httpx.TransportError as exc:  # refused, reset, DNS, TLS, malformed HTTP
        attempt = Attempt(AttemptOutcome.RETRY, error=_exception_error(exc))
    error = attempt.error
    return dataclasses.replace(
        attempt,
        duration_ms=round((time.perf_counter() - started) * 1000),
        # Masked as the very last step, so that no path above can forget it.
        error=None if error is None else _shorten(mask(error, secrets), ERROR_LIMIT),
    )


@functools.lru_cache(maxsize=256)  # a channel posts to the same URL thousands of times
def _parsed(url: str) -> httpx.URL:
    return httpx.URL(url)


async def _exchange(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    now: datetime,
    secrets: Sequence[str],
    permanent_bodies: Collection[str],
    body_retry_after: Callable[[str], timedelta | None] | None = None,
) -> Attempt:
    request = client.build_request("POST", _parsed(url), content=body, headers=headers)
    response = await client.send(request, stream=True, follow_redirects=False)
    try:
        status = response.status_code
        outcome = classify_status(status)
        delivered = outcome is AttemptOutcome.DELIVERED
        # A 2xx body is read only when it could still be a refusal (Slack's bodies).
        text = await _read_text(response, secrets) if permanent_bodies or not delivered else ""
    finally:
        await response.aclose()
    retry_after = None if delivered else parse_retry_after(response.headers.get("retry-after"), now)
    if body_retry_after is not None and text and not delivered:
        waits = [wait for wait in (retry_after, body_retry_after(text)) if wait is not None]
        retry_after = min(max(waits), _RETRY_AFTER_CAP) if waits else None
    if text in permanent_bodies:
        error = f"HTTP {status}: {text}"
        return Attempt(AttemptOutcome.PERMANENT, status, error=error, retry_after=retry_after)
    if delivered:
        return Attempt(outcome, status)
    if 300 <= status < 400:
        # Never quote Location: a redirect target can carry a token of its own.
        error = f"redirect not followed (HTTP {status}); update the URL"
    elif text:
        error = f"HTTP {status}: {_shorten(text, _BODY_SHOWN)}"
    else:
        error = f"HTTP {status}"
    return Attempt(outcome, status, error=error, retry_after=retry_after)


async def _read_text(response: httpx.Response, secrets: Sequence[str]) -> str:
    """The first ~2 KB of the body as one masked line."""
    data = b""
    try:
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) >= _BODY_READ_LIMIT:
                break
    except (httpx.DecodingError, httpx.TransportError):
        # The status line already arrived: a broken or cut body must not turn a clear "HTTP 404"
        # into something else. (The total deadline still applies: TimeoutError is not caught.)
        pass
    text = mask(
        " ".join(data[:_BODY_READ_LIMIT].decode("utf-8", errors="replace").split()), secrets
    )
    if len(data) <= _BODY_READ_LIMIT:
        return text
    return _mask_cut_tail(text, secrets) + "\N{HORIZONTAL ELLIPSIS}"


def _mask_cut_tail(text: str, secrets: Sequence[str]) -> str:
    """Mask the start of a secret that our read limit cut in two at the end of `text`."""
    for secret in secrets:
        for size in range(len(secret) - 1, _SHORTEST_PREFIX - 1, -1):
            if text.endswith(secret[:size]):
                return text[:-size] + MASK
    return text


def _exception_error(exc: Exception) -> str:
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"
