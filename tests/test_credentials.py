"""Credentials a receiver echoes back (in any encoding) never reach the ledger, and the
public views (web page, API) show a status code and a generic reason, not the receiver's text."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from urllib.parse import quote, unquote

import pytest
from freezegun import freeze_time

from tests.conftest import Result, Web
from tests.test_delivery import T0, _add_due_prediction, ledger, make_worker

RECEIVER_SAYS = "receiver-internal-detail"


class Echo(http.server.BaseHTTPRequestHandler):
    """Answers 401 quoting the request line and its Authorization header back."""

    seen: list[str] = []  # noqa: RUF012 - one receiver per test, reset by the fixture

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        authorization = self.headers.get("authorization", "")
        Echo.seen.append(authorization)
        body = f"{RECEIVER_SAYS}: {self.requestline} with {authorization!r}".encode()
        self.send_response(401)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    Echo.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("password", ["SECRETpassw0rd", "p@ss/w:rd+Secret"])
def test_echoed_basic_credentials_are_masked_and_kept_from_public_views(
    database_url: str,
    echo: str,
    password: str,
    cli: Callable[..., Result],
    make_web: Callable[..., Web],
) -> None:
    written = quote(password, safe="")
    url = f"http://alice:{written}@{echo}/hook?token=querysecret77"
    worker = make_worker(database_url, webhook_url=url)
    with freeze_time(T0):
        _add_due_prediction(worker)
        worker.run_pass()
    assert Echo.seen == [f"Basic {_b64('alice:' + password)}"]  # they really went out so
    [row] = [r for r in ledger(database_url) if r.status != "skipped"]
    assert (row.status, row.last_status_code) == ("dead", 401)
    secrets = {password, written, unquote(written), _b64(f"alice:{password}"),
               _b64(f"alice:{password}").rstrip("="), "querysecret77"}  # fmt: skip
    stored = json.dumps([r.model_dump(mode="json") for r in ledger(database_url)])
    operator = cli("deliveries", "--json")
    assert operator.code == 0
    web = make_web(api_token=None)
    page = web.client.get("/")
    api = web.client.get("/api/v1/deliveries")
    assert (page.status_code, api.status_code) == (200, 200)
    for text in (stored, operator.out, page.text, api.text):
        for secret in secrets:
            assert secret not in text, (secret, text[:2000])
    assert RECEIVER_SAYS in operator.out  # the operator's own view keeps the masked text
    [shown] = [d for d in api.json()["items"] if d["status"] == "dead"]
    assert shown["last_error"] == "HTTP 401 Unauthorized"
    assert RECEIVER_SAYS not in page.text
    assert "HTTP 401 Unauthorized" in page.text
