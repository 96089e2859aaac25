"""What `tracker extract` reads: a plain-text file or stdin, an HTML file, or a page at a URL.

A page gives its text and what it says about itself (headline, author, site, date, canonical
URL); plain text gives only the text. Everything that goes wrong is one InvalidInput (or a
FetchFailed, for the network) naming the file or URL.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.io.webpage import Article

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class ArticleInput:
    text: str
    where: str  # "stdin", the file's name, or the URL, as messages name it
    article: Article | None = None  # what a web page says about itself; None for plain text
    is_url: bool = False


def is_url(file: str) -> bool:
    """Whether FILE is a URL ("ftp://..." too, to be refused as one rather than as no file)."""
    return _URL.match(file) is not None


def read_article(file: str, settings: Settings) -> ArticleInput:
    if is_url(file):
        return _fetch_page(file, settings)
    if file == "-":
        text = _checked_text(sys.stdin.read(), "stdin")
        if _starts_like_html(text.encode()):
            return _page(text.encode(), where="stdin", content_type="text/html; charset=utf-8")
        return ArticleInput(text, "stdin")
    raw = _read_bytes(file)
    if Path(file).suffix.lower() in _HTML_SUFFIXES or _starts_like_html(raw):
        return _page(raw, where=file, content_type=None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{file}: is not UTF-8 text") from None
    return ArticleInput(_checked_text(text, file), file)


def _fetch_page(url: str, settings: Settings) -> ArticleInput:
    from tracker.io.fetch import FetchLimits, check_url, fetch_now, shown_url

    check_url(url)
    limits = FetchLimits(timeout=settings.fetch_timeout, max_bytes=settings.fetch_max_bytes)
    fetched = fetch_now(url, limits=limits)
    kind = (fetched.content_type or "").split(";")[0].strip().lower()
    if kind == "text/plain":
        text = fetched.body.decode("utf-8", errors="replace")
        return ArticleInput(_checked_text(text, shown_url(url)), shown_url(url), is_url=True)
    if kind and kind not in _HTML_TYPES and not _starts_like_html(fetched.body):
        raise InvalidInput(f"{shown_url(url)}: is {kind}, not an HTML page")
    page = _page(fetched.body, where=fetched.url, content_type=fetched.content_type)
    return ArticleInput(page.text, shown_url(url), page.article, is_url=True)


def _page(raw: bytes, *, where: str, content_type: str | None) -> ArticleInput:
    from tracker.io.webpage import article_from_html

    article = article_from_html(raw, url=where, content_type=content_type)
    return ArticleInput(article.text, where, article)


def _starts_like_html(raw: bytes) -> bool:
    from tracker.io.webpage import looks_like_html

    return looks_like_html(raw[:1024].decode("utf-8", errors="replace"))


def _read_bytes(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{file}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{file}: is a folder, not a text file") from None
    except OSError as exc:
        raise InvalidInput(f"{file}: cannot be read ({exc.strerror})") from None


def _checked_text(text: str, where: str) -> str:
    if not text.strip():
        raise InvalidInput(f"{where}: holds no text")
    if "\x00" in text:
        raise InvalidInput(f"{where}: is not a text file")
    return text
