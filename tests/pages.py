"""A real local web server for tests of fetching: serves pages and feeds per path, as told, and
records every request (with its headers) it was sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"  # loopback only


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # False: no Content-Length, the body ends when the connection closes (a stream of unknown
    # length, which only a cap enforced while reading can stop).
    length: bool = True
    delay: float = 0.0  # seconds before answering


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # names in lower case


class Site:
    """Answers GET per path from a queue of Pages (the last one repeats), else 404. A page with
    an ETag or Last-Modified answers 304 to a request that sends it back."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._pages: dict[str, list[Page]] = {}
        self._lock = threading.Lock()
        self.base = ""
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests being answered at one time

    def serve(self, path: str, *pages: Page) -> str:
        with self._lock:
            self._pages[path] = list(pages)
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path

    def next_page(self, path: str) -> Page:
        with self._lock:
            queue = self._pages.get(path.split("?")[0]) or [Page(b"not here", status=404)]
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            with site._lock:
                site.requests.append(Request(self.path, headers))
            page = site.next_page(self.path)
            if page.delay:
                with site._lock:
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                time.sleep(page.delay)
                with site._lock:
                    site.in_flight -= 1
            status, body = page.status, page.body
            if _unchanged(page, headers):
                status, body = 304, b""
            self.send_response(status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            if page.length or status == 304:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            try:
                for start in range(0, len(body), 64 * 1024):
                    self.wfile.write(body[start : start + 64 * 1024])
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading: that is its right

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _unchanged(page: Page, headers: dict[str, str]) -> bool:
    etag = page.headers.get("ETag")
    modified = page.headers.get("Last-Modified")
    if etag and headers.get("if-none-match") == etag:
        return True
    return bool(modified and headers.get("if-modified-since") == modified)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (as a fetch over its size cap does) is no error
        of the server's; the default prints a traceback into the test's stderr."""


def running_site() -> Iterator[Site]:
    site = Site()
    server = _QuietServer((HOST, 0), _handler(site))
    site.base = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def news_page(
    *,
    title: str = "Moscow plans Syria pullout by February",
    published: str | None = "2024-12-24T08:00:00+00:00",
    charset: str = "utf-8",
    paragraphs: tuple[str, ...] = (),
    canonical: str | None = "https://planet.example/world/pullout",
) -> str:
    """A news page as sites write them: metadata in the head, menus and a footer around the
    article. `published` None leaves every date out (the footer's copyright year too)."""
    body = paragraphs or (
        "Moscow will likely complete a full military pullout from Syria by February 2025, the "
        "Institute for the Study of War said on Tuesday, citing satellite images of the bases.",
        "Officials expect the ministry to publish its new budget by March 2025, although the "
        "finance minister said the timing could still slip by a few weeks.",
        "The central bank may cut rates by June 2025, three economists polled this week said.",
    )
    meta = [
        f'<meta charset="{charset}">',
        f'<meta property="og:title" content="{title}">',
        '<meta property="og:site_name" content="Daily Planet">',
        '<meta name="author" content="Lois Lane">',
    ]
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{canonical}">')
    text = "\n".join(f"<p>{paragraph}</p>" for paragraph in body)
    return (
        f"<!doctype html><html><head>{''.join(meta)}<title>{title} | Daily Planet</title></head>"
        '<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a>'
        f"</nav><article><h1>{title}</h1>{text}</article>"
        '<aside><a href="/subscribe">Subscribe to our newsletter</a></aside>'
        f"<footer>Daily Planet{' 2024' if published else ''}. "
        '<a href="/privacy">Privacy</a></footer></body></html>'
    )
