"""A local HTTP server of news for tests: feeds and pages per path, ETag and Last-Modified
honoured, answers queued per path (the last repeats), and every request recorded."""

from __future__ import annotations

import html
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None  # answered 304 when the request's If-None-Match is this
    last_modified: str | None = None  # answered 304 when If-Modified-Since is this
    headers: dict[str, str] = field(default_factory=dict)


class NewsServer:
    def __init__(self) -> None:
        self.pages: dict[str, list[Page]] = {}
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()  # requests that sent a validator
        self.user_agents: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits[self.path] += 1
                    server.user_agents.append(self.headers.get("user-agent", ""))
                    queue = server.pages.get(self.path) or [Page(b"not found", status=404)]
                    page = queue.pop(0) if len(queue) > 1 else queue[0]
                sent_etag = self.headers.get("if-none-match")
                sent_since = self.headers.get("if-modified-since")
                if sent_etag or sent_since:
                    with server._lock:
                        server.conditional[self.path] += 1
                unchanged = (page.etag is not None and sent_etag == page.etag) or (
                    page.last_modified is not None and sent_since == page.last_modified
                )
                status = 304 if unchanged and page.status == 200 else page.status
                self.send_response(status)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                if page.etag:
                    self.send_header("ETag", page.etag)
                if page.last_modified:
                    self.send_header("Last-Modified", page.last_modified)
                body = b"" if status == 304 else page.body
                if status != 304:
                    self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{HOST}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def serve(self, path: str, *pages: Page) -> str:
        with self._lock:
            self.pages[path] = list(pages)
        return self.url + path

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def running_news_server() -> Iterator[NewsServer]:
    server = NewsServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def article_html(title: str, paragraphs: Sequence[str], *, published: str | None) -> bytes:
    """A news page: navigation and a footer around an article with a headline and a date."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f'<meta property="og:title" content="{html.escape(title)}">'
        f'<meta property="og:site_name" content="Example News">{meta}</head><body>'
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>Copyright Example News. All rights reserved.</footer></body></html>"
    ).encode()


def rss(items: Sequence[tuple[str, str, str]], *, title: str = "Example News") -> bytes:
    """An RSS 2.0 feed of (title, link, pubDate) items."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>{date}</pubDate></item>"
        for t, link, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>http://example.org/</link>"
        f"<description>news</description>{entries}</channel></rss>"
    ).encode()
