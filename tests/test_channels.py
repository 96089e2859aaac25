"""Tests for tracker.channels: one HTTP attempt, webhooks, Slack and the console.

Most tests answer through httpx.MockTransport; the timeouts, the refused connection and one
signed delivery use real servers on 127.0.0.1, because those are exactly what mocks fake.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.server
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import httpx
import pytest
from freezegun import freeze_time
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tracker.channels.base import Attempt, AttemptOutcome, Channel, OutgoingMessage
from tracker.channels.console import ConsoleChannel, console_line
from tracker.channels.http import (
    classify_status,
    mask,
    new_client,
    parse_retry_after,
    post_json,
    url_secrets,
)
from tracker.channels.slack import SlackChannel, format_slack
from tracker.channels.webhook import (
    WebhookChannel,
    validate_url,
    validate_webhook_secret,
    webhook_body,
    webhook_headers,
)
from tracker.errors import ConfigError

pytestmark = pytest.mark.no_database

DELIVERED, RETRY, PERMANENT = (
    AttemptOutcome.DELIVERED,
    AttemptOutcome.RETRY,
    AttemptOutcome.PERMANENT,
)
# due_at below is the last instant of February 2025; NOW is 9 days and 12 hours after it.
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
DUE_AT = datetime(2025, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HOOK_URL = "https://hooks.example.com/in/T0123/B0456/s3cr3tPathToken0042?token=q9Query77"
SLACK_URL = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefSLACKtoken123456"
URL_SECRETS = ("/in/T0123", "s3cr3tPathToken0042", "q9Query77", "/services/", "SLACKtoken")

Handler = Callable[[httpx.Request], httpx.Response]
T = TypeVar("T")


# --- helpers -------------------------------------------------------------------------------------


def prediction(**changes: Any) -> dict[str, Any]:
    """A prediction as tracker.io.records.prediction_json writes it."""
    data: dict[str, Any] = {
        "id": 1,
        "key": "overdue-1",
        "claim": "Russia completes a full military withdrawal from Syria.",
        "quote": "Moscow is now planning for a full military withdrawal from the country.",
        "forecaster": "ISW",
        "probability": 0.7,
        "due_at": "2025-02-28T23:59:59.999999Z",
        "window_start": None,
        "precision": "month",
        "due_text": "by February 2025",
        "due_label": "February 2025",
        "tags": ["syria", "russia"],
        "status": "open",
        "overdue": True,
        "outcome": None,
        "resolved_at": None,
        "occurred_on": None,
        "source": {
            "title": "ISW: Moscow plans full military pullout from Syria by February 2025",
            "url": "https://caliber.az/en/post/isw-moscow-plans-full-military-pullout",
            "publisher": "Caliber.Az",
            "author": "Tamilla Hasanova",
            "published_at": "2024-12-24T00:00:00Z",
        },
        "created_at": "2024-12-30T10:00:00Z",
        "updated_at": "2024-12-30T10:00:00Z",
    }
    return data | changes


def reminder(kind: str = "overdue", **changes: Any) -> OutgoingMessage:
    scheduled = DUE_AT + timedelta(days=7) if kind == "overdue" else DUE_AT
    return OutgoingMessage(
        webhook_id="msg_2f9Rj0kLmN4pQ7sT",
        event_type="prediction.reminder",
        occurred_at=scheduled,
        data={
            "reminder": {"kind": kind, "key": f"{kind}-1", "scheduled_for": scheduled.isoformat()},
            "prediction": prediction(**changes),
        },
    )


def resolved(outcome: str = "no", note: str | None = "Khmeimim still in use.") -> OutgoingMessage:
    resolution = {
        "outcome": outcome,
        "resolved_at": "2025-03-05T09:00:00Z",
        "occurred_on": None,
        "note": note,
        "evidence_url": None,
        "resolved_by": "alice",
        "via": "cli",
        "superseded_at": None,
        "superseded_note": None,
    }
    return OutgoingMessage(
        webhook_id="msg_resolved1",
        event_type="prediction.resolved",
        occurred_at=datetime(2025, 3, 5, 9, tzinfo=UTC),
        data={
            "reminder": {"kind": "resolved", "key": "resolved-1"},
            "prediction": prediction(status="resolved", outcome=outcome),
            "resolution": resolution,
        },
    )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def mock_client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def post(handler: Handler, url: str = HOOK_URL, *, now: datetime = NOW, **options: Any) -> Attempt:
    async def go() -> Attempt:
        async with mock_client(handler) as client:
            return await post_json(
                client,
                url,
                b"{}",
                {"content-type": "application/json"},
                now=now,
                total_timeout=options.pop("total_timeout", 5.0),
                secrets=options.pop("secrets", url_secrets(url)),
                **options,
            )

    return run(go())


def send(
    channel: Channel, message: OutgoingMessage, handler: Handler, now: datetime = NOW
) -> Attempt:
    async def go() -> Attempt:
        async with mock_client(handler) as client:
            return await channel.send(client, message, now=now)

    return run(go())


def answer(status: int, body: str = "", **headers: str) -> Handler:
    return lambda request: httpx.Response(status, text=body, headers=headers)


def assert_no_secret(text: str | None, *secrets: str) -> None:
    assert text is not None
    for secret in (*URL_SECRETS, *secrets):
        assert secret not in text, f"{secret!r} leaked into {text!r}"


# The real-server tests run on both clients: plain httpx, and the one deliveries use (httpx on
# aiohttp's pool), whose errors must read the same.
CLIENTS: dict[str, Callable[[], httpx.AsyncClient]] = {
    "httpx": lambda: httpx.AsyncClient(timeout=5.0),
    "aiohttp": lambda: new_client(connect_timeout=5.0, request_timeout=5.0),
}


# --- real local servers --------------------------------------------------------------------------


@contextlib.contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on an ephemeral port, in a thread; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def trickler(head: bytes) -> type[http.server.BaseHTTPRequestHandler]:
    """A server that sends `head` at once, then the rest of an answer one byte every 0.2 s."""
    rest = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" if not head else b""

    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            try:
                self.wfile.write(head)
                for byte in rest + b"x" * 100:
                    self.wfile.write(bytes([byte]))
                    time.sleep(0.2)
            except OSError:  # the client gave up and closed the connection: that is the point
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Trickle


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 200 and keeps every request's headers and body."""

    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there any more


# --- post_json: classification -------------------------------------------------------------------

STATUS_OUTCOMES = [
    (200, DELIVERED), (201, DELIVERED), (204, DELIVERED),
    (301, PERMANENT), (302, PERMANENT), (307, PERMANENT),
    (400, PERMANENT), (401, PERMANENT), (404, PERMANENT), (408, RETRY), (410, PERMANENT),
    (422, PERMANENT), (425, RETRY), (429, RETRY),
    (500, RETRY), (502, RETRY), (503, RETRY), (504, RETRY),
]  # fmt: skip


@pytest.mark.parametrize(("status", "outcome"), STATUS_OUTCOMES)
def test_status_codes_are_classified(status: int, outcome: AttemptOutcome) -> None:
    assert classify_status(status) is outcome
    attempt = post(answer(status, "nope"))
    assert attempt.outcome is outcome
    assert attempt.status_code == status
    if outcome is DELIVERED:
        assert attempt.error is None
    else:
        assert attempt.error is not None
        assert attempt.error.startswith(f"HTTP {status}") or "redirect" in attempt.error


def test_a_redirect_is_not_followed_and_its_location_not_quoted() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(301, headers={"location": "https://elsewhere.example/?key=TOPSECRET"})

    attempt = post(handler)
    assert len(seen) == 1
    assert attempt.outcome is PERMANENT
    assert attempt.error == "redirect not followed (HTTP 301); update the URL"


def test_the_error_quotes_the_start_of_the_body_on_one_line() -> None:
    attempt = post(answer(500, "  Internal\n\n  error:   " + "z" * 5000))
    assert attempt.error is not None
    assert attempt.error.startswith("HTTP 500: Internal error: zzz")
    assert len(attempt.error) <= 300


def test_a_client_timeout_is_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    attempt = post(handler)
    assert attempt.outcome is RETRY
    assert attempt.status_code is None
    assert attempt.error is not None
    assert "timed out" in attempt.error


@pytest.mark.parametrize(
    "head",
    [b"", b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1000\r\n\r\n"],
    ids=["headers-trickle", "body-trickles"],
)
@pytest.mark.parametrize("client_kind", sorted(CLIENTS))
def test_the_total_deadline_stops_a_trickling_server(head: bytes, client_kind: str) -> None:
    async def go(url: str) -> Attempt:
        # Each read arrives well within httpx's 5 s; only the total deadline can stop this.
        async with CLIENTS[client_kind]() as client:
            return await post_json(client, url, b"{}", {}, now=NOW, total_timeout=0.5, secrets=())

    with serving(trickler(head)) as base:
        attempt = run(go(f"{base}/hook"))
    assert attempt.outcome is RETRY
    assert attempt.status_code is None
    assert attempt.error == "timed out after 0.5s"
    assert 400 <= attempt.duration_ms < 3000


@pytest.mark.parametrize("client_kind", sorted(CLIENTS))
def test_a_refused_connection_is_retried(client_kind: str) -> None:
    async def go() -> Attempt:
        async with CLIENTS[client_kind]() as client:
            url = f"http://127.0.0.1:{closed_port()}/hook"
            return await post_json(client, url, b"{}", {}, now=NOW, total_timeout=5, secrets=())

    attempt = run(go())
    assert attempt.outcome is RETRY
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error.startswith("ConnectError")


@pytest.mark.parametrize("client_kind", sorted(CLIENTS))
def test_a_url_that_can_never_work_is_permanent(client_kind: str) -> None:
    async def go() -> Attempt:
        async with CLIENTS[client_kind]() as client:
            url = "ftp://files.example.com/drop"
            return await post_json(client, url, b"{}", {}, now=NOW, total_timeout=5, secrets=())

    attempt = run(go())
    assert (attempt.outcome, attempt.status_code) == (PERMANENT, None)
    assert attempt.error is not None
    assert attempt.error.startswith("UnsupportedProtocol")


# --- Retry-After ---------------------------------------------------------------------------------

HTTP_NOW = datetime(2015, 10, 21, 7, 27, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 5 ", timedelta(seconds=5)),
        ("0", timedelta(0)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", timedelta(seconds=60)),
        ("Wed, 21 Oct 2015 07:00:00 GMT", timedelta(0)),  # in the past: now
        ("Sun, 01 Nov 2015 00:00:00 GMT", timedelta(days=1)),  # capped
        ("999999999999999999", timedelta(days=1)),  # capped, not an overflow
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read(value: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(value, HTTP_NOW) == expected


def test_retry_after_comes_with_429_and_503() -> None:
    slow_down = post(answer(429, "slow down", **{"Retry-After": "30"}))
    assert (slow_down.outcome, slow_down.retry_after) == (RETRY, timedelta(seconds=30))
    date = "Wed, 21 Oct 2015 07:32:00 GMT"
    unavailable = post(answer(503, **{"Retry-After": date}), now=HTTP_NOW)
    assert (unavailable.outcome, unavailable.retry_after) == (RETRY, timedelta(minutes=5))
    assert post(answer(500)).retry_after is None
    assert post(answer(200, **{"Retry-After": "30"})).retry_after is None


# --- secrets never reach an Attempt --------------------------------------------------------------


def test_an_echoed_url_or_secret_is_masked() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        body = f"no hook at {request.url} ({path}, {unquote(path)}); key {SECRET}"
        return httpx.Response(404, text=body)

    attempt = post(echo, secrets=(*url_secrets(HOOK_URL), SECRET))
    assert_no_secret(attempt.error, SECRET)
    assert attempt.error is not None
    assert attempt.error.startswith("HTTP 404: no hook at ***")


def test_a_url_in_an_exception_message_is_masked() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}; path {request.url.path}")

    attempt = post(handler)
    assert attempt.outcome is RETRY
    assert_no_secret(attempt.error)


def test_a_secret_cut_by_the_read_limit_is_masked() -> None:
    # Blank padding collapses and the whole copies shrink to "***", so the copy that the 2 KB
    # read limit cuts in two ("...s3cr3tPath|Token0042") lands within the quoted 200 characters.
    path = "/in/T0123/B0456/s3cr3tPathToken0042"
    copies = (path + " ") * 30
    cut_inside_token = copies.rindex("Token")
    body = " " * (2048 - cut_inside_token) + copies
    attempt = post(answer(500, body))
    assert_no_secret(attempt.error, "s3cr3tPath", "cr3t")
    assert attempt.error is not None
    assert attempt.error.endswith("*** ***\N{HORIZONTAL ELLIPSIS}")


def test_mask_hides_the_longest_match_first() -> None:
    assert mask("go to https://h.example/a/b now", ["/a/b", "https://h.example/a/b"]) == (
        "go to *** now"
    )
    assert mask("nothing here", ["", "x" * 3]) == "nothing here"


# --- webhooks ------------------------------------------------------------------------------------


def test_the_signature_matches_the_spec_vector() -> None:
    headers = webhook_headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        b'{"test": 2432232314}',
        datetime.fromtimestamp(1614265330, UTC),
        SECRET,
    )
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_does_not_depend_on_the_time_zone_of_now() -> None:
    tokyo = datetime.fromtimestamp(1614265330, UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    headers = webhook_headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", b'{"test": 2432232314}', tokyo, SECRET
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def capture(requests: list[httpx.Request]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(204)

    return handler


def test_a_webhook_verifies_with_standardwebhooks() -> None:
    requests: list[httpx.Request] = []
    attempt = send(WebhookChannel("hook", HOOK_URL, SECRET), reminder(), capture(requests))
    assert attempt.outcome is DELIVERED
    [request] = requests
    headers = dict(request.headers)
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "tracker/0.1"
    assert headers["webhook-id"] == "msg_2f9Rj0kLmN4pQ7sT"
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    with freeze_time(NOW):
        payload = Webhook(SECRET).verify(request.content, headers)
        other_secret = "whsec_" + base64.b64encode(b"another key, 24 bytes!!!").decode()
        with pytest.raises(WebhookVerificationError):
            Webhook(other_secret).verify(request.content, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(SECRET).verify(request.content.replace(b"ISW", b"IS"), headers)
    assert payload == {
        "type": "prediction.reminder",
        "timestamp": "2025-03-07T23:59:59.999999Z",
        "data": reminder().data,
    }


def test_a_retry_sends_the_same_id_and_body_with_a_fresh_signature() -> None:
    requests: list[httpx.Request] = []
    channel = WebhookChannel("hook", HOOK_URL, SECRET)
    message = reminder(claim="Le retrait complet de la Russie a lieu avant l'été")
    later = NOW + timedelta(hours=2)
    send(channel, message, capture(requests), now=NOW)
    send(channel, message, capture(requests), now=later)
    first, second = requests
    assert first.content == second.content == webhook_body(message)
    assert "l'été".encode() in first.content  # UTF-8, not \u escapes
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.headers["webhook-timestamp"] != second.headers["webhook-timestamp"]
    with freeze_time(later):
        Webhook(SECRET).verify(second.content, dict(second.headers))


def test_an_unsigned_webhook_has_no_signature_header() -> None:
    requests: list[httpx.Request] = []
    channel = WebhookChannel("hook", HOOK_URL, None)
    send(channel, reminder(), capture(requests))
    assert "webhook-signature" not in requests[0].headers
    assert "webhook-id" in requests[0].headers
    assert (
        channel.describe() == "webhook https://hooks.example.com/\N{HORIZONTAL ELLIPSIS} (unsigned)"
    )


@pytest.mark.parametrize("client_kind", sorted(CLIENTS))
def test_a_signed_webhook_reaches_a_real_server_intact(client_kind: str) -> None:
    async def go(url: str) -> Attempt:
        async with CLIENTS[client_kind]() as client:
            return await WebhookChannel("hook", url, SECRET).send(client, reminder(), now=NOW)

    Recorder.received = []
    with serving(Recorder) as base:
        attempt = run(go(f"{base}/hooks/tracker"))
    assert (attempt.outcome, attempt.status_code) == (DELIVERED, 200)
    [(headers, body)] = Recorder.received
    with freeze_time(NOW):
        assert Webhook(SECRET).verify(body, headers)["data"]["prediction"]["key"] == "overdue-1"
    names = {name.lower(): value for name, value in headers.items()}
    assert names["user-agent"] == "tracker/0.1"
    assert names["content-type"] == "application/json"
    assert "accept-encoding" not in names or client_kind == "httpx"  # we read bodies raw


def test_webhook_errors_and_description_hold_no_secret() -> None:
    channel = WebhookChannel("hook", HOOK_URL, SECRET)
    description = channel.describe()
    assert description == "webhook https://hooks.example.com/\N{HORIZONTAL ELLIPSIS} (signed)"
    assert_no_secret(description, SECRET, SECRET.removeprefix("whsec_"))

    def echo(request: httpx.Request) -> httpx.Response:
        key = SECRET.removeprefix("whsec_")
        return httpx.Response(401, text=f"bad signature for {request.url} with {SECRET} / {key}")

    attempt = send(channel, reminder(), echo)
    assert attempt.outcome is PERMANENT
    assert_no_secret(attempt.error, SECRET, SECRET.removeprefix("whsec_"))


def test_a_secret_echoed_in_another_encoding_is_masked() -> None:
    """Percent-encoded (either case of hex) or in base64: the same secret, masked all the same."""
    key = base64.b64encode(b"\xfb\xff\xbe a signing key \xfb\xef\xff").decode()  # has + / =
    secret = f"whsec_{key}"
    channel = WebhookChannel("hook", HOOK_URL, secret)
    encoded = [quote(secret, safe=""), quote(key, safe="").lower(),
               base64.b64encode(secret.encode()).decode()]  # fmt: skip

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text=f"refused: {' / '.join(encoded)}")

    attempt = send(channel, reminder(), echo)
    assert "%2F" in encoded[0]
    assert_no_secret(attempt.error, secret, key, *encoded)


# --- validation ----------------------------------------------------------------------------------


def test_a_good_secret_passes() -> None:
    validate_webhook_secret(SECRET)
    unpadded = "whsec_" + base64.b64encode(b"sixteen bytes!!!+").decode().rstrip("=")
    validate_webhook_secret(unpadded)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "must start with whsec_"),
        ("whsec_not*base64*at*all!!", "not valid base64"),
        ("whsec_" + base64.b64encode(b"8 bytes!").decode(), "too short"),
        ("whsec_", "too short"),
    ],
)
def test_a_bad_secret_is_refused_without_quoting_it(secret: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as caught:
        validate_webhook_secret(secret)
    assert secret.removeprefix("whsec_") not in str(caught.value) or secret == "whsec_"
    with pytest.raises(ConfigError):
        WebhookChannel("hook", HOOK_URL, secret)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://files.example.com/in/T0123?token=q9Query77", "must start with https:// or http://"),
        ("hooks.example.com/in/T0123/s3cr3tPathToken0042", "must start with https://"),
        ("https:///in/T0123", "has no host"),
        ("https://hooks.example.com:99999/in/T0123", "malformed"),
        ("https://hooks.example.com/in/T0123 s3cr3tPathToken0042", "spaces"),
    ],
)
def test_a_bad_url_is_refused_without_quoting_its_path(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as caught:
        validate_url(url)
    assert_no_secret(str(caught.value))
    with pytest.raises(ConfigError):
        SlackChannel("slack", url)


def test_https_only_refuses_plain_http() -> None:
    validate_url("http://127.0.0.1:8080/hook")
    validate_url(SLACK_URL, https_only=True)
    with pytest.raises(ConfigError, match="must use https") as caught:
        validate_url("http://hooks.example.com/in/T0123?token=q9Query77", https_only=True)
    assert "http://hooks.example.com/" in str(caught.value)
    assert_no_secret(str(caught.value))


# --- Slack ---------------------------------------------------------------------------------------


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """Every text Slack reads as mrkdwn: the fallback, section texts and fields, context."""
    texts = [payload["text"]]
    for block in payload["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
        texts += [field["text"] for field in block.get("fields", [])]
        texts += [element["text"] for element in block.get("elements", [])]
    return texts


def test_an_overdue_reminder_in_slack() -> None:
    payload = format_slack(reminder(), now=NOW, tz=ZoneInfo("UTC"))
    json.dumps(payload)  # it must be plain JSON
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Overdue by 9 days"},
    }
    everything = json.dumps(payload)
    assert "February 2025" in everything
    assert "2025-02-28" not in everything
    assert "by February 2025" in everything  # the phrase as written, as well as the window
    fields = " ".join(field["text"] for field in blocks[2]["fields"])
    assert "*Forecaster*\nISW" in fields
    assert "*Probability*\n70%" in fields
    link = "<https://caliber.az/en/post/isw-moscow-plans-full-military-pullout|ISW: Moscow plans"
    assert link in blocks[3]["text"]["text"]
    assert blocks[-1]["type"] == "context"
    assert "`tracker resolve overdue-1 yes|no|annulled`" in blocks[-1]["elements"][0]["text"]
    assert payload["text"].startswith("Overdue by 9 days: Russia completes a full military")
    assert "February 2025" in payload["text"]


@pytest.mark.parametrize(
    ("kind", "now", "headline"),
    [
        ("upcoming", DUE_AT - timedelta(days=1), "Due in 1 day"),
        ("upcoming", DUE_AT - timedelta(days=7, hours=3), "Due in 7 days"),
        ("due", DUE_AT + timedelta(minutes=2), "Due now"),
        ("due", DUE_AT + timedelta(hours=5), "Overdue by 5 hours"),
        ("upcoming", DUE_AT + timedelta(days=2), "Overdue by 2 days"),  # a very late retry
        ("overdue", DUE_AT + timedelta(days=642, hours=4), "Overdue by 642 days"),
    ],
)
def test_the_headline_is_told_from_now(kind: str, now: datetime, headline: str) -> None:
    payload = format_slack(reminder(kind), now=now, tz=ZoneInfo("UTC"))
    assert payload["blocks"][0]["text"]["text"] == headline


def test_slack_escapes_user_text() -> None:
    message = reminder(
        claim="Prices <rise> & fall",
        forecaster="A <b> & C",
        source={"title": "Q&A <live>", "url": "https://ex.example/a?b=1&c=2", "publisher": None},
    )
    payload = format_slack(message, now=NOW, tz=ZoneInfo("UTC"))
    texts = mrkdwn_texts(payload)
    assert "*Prices &lt;rise&gt; &amp; fall*" in texts
    assert any("A &lt;b&gt; &amp; C" in text for text in texts)
    assert any("<https://ex.example/a?b=1&amp;c=2|Q&amp;A &lt;live&gt;>" in t for t in texts)
    for text in texts:
        assert "<rise>" not in text
        assert "& " not in text


def test_slack_leaves_out_what_is_unknown() -> None:
    message = reminder(probability=None, forecaster=None, source=None, due_text="February 2025")
    payload = format_slack(message, now=NOW, tz=ZoneInfo("UTC"))
    everything = json.dumps(payload)
    for absent in ("Probability", "Forecaster", "Source", "None", ": null"):
        assert absent not in everything


def test_slack_shows_a_day_deadline_as_a_day() -> None:
    message = reminder(due_at="2025-02-20T23:59:59.999999Z", precision="day", due_text=None)
    payload = format_slack(message, now=NOW, tz=ZoneInfo("UTC"))
    assert "20 February 2025" in payload["blocks"][2]["fields"][0]["text"]


def test_slack_announces_a_resolution() -> None:
    payload = format_slack(resolved("no"), now=NOW, tz=ZoneInfo("UTC"))
    assert payload["blocks"][0]["text"]["text"] == "Resolved: no"
    everything = json.dumps(payload)
    assert "Russia completes a full military withdrawal" in everything
    assert "alice" in everything
    assert "Khmeimim still in use." in everything
    assert payload["text"].startswith("Resolved no: Russia completes")


def test_slack_reminders_carry_buttons_only_when_the_app_can_answer_them() -> None:
    plain = format_slack(reminder(), now=NOW, tz=ZoneInfo("UTC"))
    assert not [b for b in plain["blocks"] if b["type"] == "actions"]
    with_buttons = format_slack(reminder(), now=NOW, tz=ZoneInfo("UTC"), buttons=True)
    actions = with_buttons["blocks"][-1]
    assert actions["type"] == "actions"
    assert [(e["action_id"], e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("tracker_yes", "Yes", "overdue-1"),
        ("tracker_no", "No", "overdue-1"),
        ("tracker_annulled", "Annulled", "overdue-1"),
        ("tracker_snooze_7d", "Snooze 7 days", "overdue-1"),
    ]
    announced = format_slack(resolved("no"), now=NOW, tz=ZoneInfo("UTC"), buttons=True)
    assert not [b for b in announced["blocks"] if b["type"] == "actions"]


def test_the_slack_signing_secret_turns_the_buttons_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.channels import build_channels
    from tracker.config import load_settings

    def block_types() -> list[str]:
        posted: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            posted.append(request)
            return httpx.Response(200, text="ok")

        send(build_channels(load_settings())["slack"], reminder(), handler)
        return [block["type"] for block in json.loads(posted[0].content)["blocks"]]

    monkeypatch.setenv("TRACKER_SLACK_WEBHOOK_URL", SLACK_URL)
    assert "actions" not in block_types()
    monkeypatch.setenv("TRACKER_SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5")
    assert block_types()[-1] == "actions"


def test_slack_test_message() -> None:
    message = OutgoingMessage("msg_test", "tracker.test", NOW, {})
    payload = format_slack(message, now=NOW, tz=ZoneInfo("UTC"))
    assert "test" in payload["text"].lower()
    assert payload["blocks"]


SLACK_ANSWERS = [
    (200, "ok", DELIVERED),
    (400, "invalid_payload", PERMANENT),
    (403, "invalid_token", PERMANENT),
    (403, "action_prohibited", PERMANENT),
    (404, "channel_not_found", PERMANENT),
    (404, "no_service", PERMANENT),
    (410, "channel_is_archived", PERMANENT),
    (500, "invalid_token", PERMANENT),  # the body decides, whatever the status says
    (200, "invalid_payload", PERMANENT),
    (429, "rate_limited", RETRY),
    (500, "rollup_error", RETRY),
    (503, "", RETRY),
]


@pytest.mark.parametrize(("status", "body", "outcome"), SLACK_ANSWERS)
def test_slack_answers_are_classified(status: int, body: str, outcome: AttemptOutcome) -> None:
    attempt = send(SlackChannel("slack", SLACK_URL), reminder(), answer(status, body))
    assert attempt.outcome is outcome
    assert attempt.status_code == status
    if outcome is not DELIVERED:
        assert attempt.error == (f"HTTP {status}: {body}" if body else f"HTTP {status}")


def test_slack_posts_the_formatted_message_and_honours_retry_after() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(429, text="rate_limited", headers={"retry-after": "30"})

    channel = SlackChannel("slack", SLACK_URL)
    attempt = send(channel, reminder(), handler)
    assert (attempt.outcome, attempt.retry_after) == (RETRY, timedelta(seconds=30))
    assert json.loads(requests[0].content) == format_slack(reminder(), now=NOW, tz=ZoneInfo("UTC"))
    assert requests[0].headers["content-type"] == "application/json"
    assert channel.rate_key == SLACK_URL
    assert channel.kind == "slack"


def test_slack_hides_its_url() -> None:
    channel = SlackChannel("slack", SLACK_URL)
    assert channel.describe() == "slack https://hooks.slack.com/\N{HORIZONTAL ELLIPSIS}"

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"server at {request.url} hung up")

    attempt = send(channel, reminder(), handler)
    assert attempt.outcome is RETRY
    assert_no_secret(attempt.error)


# --- console -------------------------------------------------------------------------------------


def refuse_http(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the console channel must not speak HTTP")


def test_the_console_logs_one_line(caplog: pytest.LogCaptureFixture) -> None:
    message = reminder(
        claim="The Syrian government demands the complete withdrawal of Russian forces.",
        forecaster="Sources within Syria",
        probability=None,
        due_at="2025-02-20T23:59:59.999999Z",
        precision="day",
    )
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    with caplog.at_level(logging.INFO, logger="tracker.reminders"):
        attempt = send(ConsoleChannel(), message, refuse_http, now=now)
    assert attempt.outcome is DELIVERED
    [record] = caplog.records
    assert record.name == "tracker.reminders"
    assert record.levelno == logging.INFO
    line = record.getMessage()
    assert line == (
        "OVERDUE by 8 days: The Syrian government demands the complete withdrawal of Russian "
        "forces. (20 February 2025; forecaster Sources within Syria) \N{EM DASH} resolve: "
        "tracker resolve overdue-1 yes|no|annulled"
    )


def test_the_console_logs_a_resolution_and_a_test(caplog: pytest.LogCaptureFixture) -> None:
    channel = ConsoleChannel(logger=logging.getLogger("tracker.test-console"))
    test_message = OutgoingMessage("msg_test", "tracker.test", NOW, {})
    with caplog.at_level(logging.INFO, logger="tracker.test-console"):
        send(channel, resolved("yes", note="Left in\nJanuary."), refuse_http)
        send(channel, test_message, refuse_http)
    first, second = (record.getMessage() for record in caplog.records)
    assert first.startswith("RESOLVED yes: Russia completes")
    assert "by alice" in first
    assert first.endswith("note: Left in January.")
    assert "test" in second.lower()
    assert channel.rate_key is None
    assert channel.kind == "console"


def test_connections_the_server_closed_in_the_pool_cost_no_delivery() -> None:
    """tests/sink.py answers "HTTP/1.1" and then hangs up, as a server whose keep-alive
    timeout just ran out would: the next request on that pooled connection fails, and must be
    sent again on a new one rather than count as a failed attempt."""
    from contextlib import contextmanager

    from tests.sink import running_sink

    async def go(url: str) -> list[Attempt]:
        async with new_client(connect_timeout=5.0, request_timeout=5.0) as client:
            sequential = [
                await post_json(client, url, b"{}", {}, now=NOW, total_timeout=5, secrets=())
                for _ in range(10)
            ]
            concurrent = await asyncio.gather(
                *(post_json(client, url, b"{}", {}, now=NOW, total_timeout=5, secrets=())
                  for _ in range(20))
            )  # fmt: skip
            return [*sequential, *concurrent]

    with contextmanager(running_sink)() as sink:
        attempts = run(go(f"{sink.url}/hook"))
        assert len(sink.on("/hook")) >= 30
    assert [a.outcome for a in attempts] == [DELIVERED] * 30, [a.error for a in attempts]


# --- forecasts in force ---------------------------------------------------------------------------

FORECASTS = [
    {"forecaster": "ISW", "probability": 0.35, "made_at": "2025-01-10T00:00:00Z"},
    {"forecaster": "Desk <A>", "probability": 0.6, "made_at": "2025-02-01T09:00:00Z"},
]


def with_forecasts(message: OutgoingMessage) -> OutgoingMessage:
    return OutgoingMessage(
        message.webhook_id, message.event_type, message.occurred_at,
        {**message.data, "forecasts": FORECASTS},
    )  # fmt: skip


def test_slack_shows_each_forecast_in_force_on_one_line() -> None:
    payload = format_slack(with_forecasts(reminder()), now=NOW, tz=ZoneInfo("UTC"))
    fields = [field["text"] for field in payload["blocks"][2]["fields"]]
    assert "*Forecasts*\nISW 35% \N{MIDDLE DOT} Desk &lt;A&gt; 60%" in fields
    # The line replaces the forecaster and probability first stated, which it includes.
    assert not any(f.startswith(("*Forecaster*", "*Probability*")) for f in fields)
    done = format_slack(with_forecasts(resolved()), now=NOW, tz=ZoneInfo("UTC"))
    assert "ISW 35% \N{MIDDLE DOT} Desk &lt;A&gt; 60%" in " ".join(mrkdwn_texts(done))


@pytest.mark.parametrize("forecasts", [None, [], "absent"])
def test_a_payload_without_forecasts_reads_as_before(forecasts: object) -> None:
    message = reminder()
    if forecasts != "absent":  # frozen before reminders carried forecasts: no key at all
        message = OutgoingMessage(
            message.webhook_id, message.event_type, message.occurred_at,
            {**message.data, "forecasts": forecasts},
        )  # fmt: skip
    payload = format_slack(message, now=NOW, tz=ZoneInfo("UTC"))
    fields = " ".join(field["text"] for field in payload["blocks"][2]["fields"])
    assert "*Forecaster*\nISW" in fields
    assert "*Probability*\n70%" in fields
    assert "Forecasts" not in json.dumps(payload)
    assert "forecaster ISW; 70%" in console_line(message, now=NOW, tz=ZoneInfo("UTC"))


def test_the_console_line_names_the_forecasts_in_force() -> None:
    line = console_line(with_forecasts(reminder()), now=NOW, tz=ZoneInfo("UTC"))
    assert "(February 2025; forecasts ISW 35% \N{MIDDLE DOT} Desk <A> 60%)" in line
