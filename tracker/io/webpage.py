"""A news page as text: its main text and metadata (headline, author, site, date, canonical URL).

trafilatura finds the article among the navigation, adverts and footers; htmldate, inside it,
finds the date. We decode the bytes ourselves first, so that a page in windows-1251 or latin-1
reads right: the HTTP charset, then the page's own <meta charset>, then UTF-8 when the bytes are
valid UTF-8, then a guess from the bytes.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from email.message import Message

from tracker.errors import InvalidInput
from tracker.io.fetch import shown_url

# Where the page states its charset: the first 1024 bytes, as the HTML standard's prescan.
_PRESCAN = 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE
)
# Labels browsers read as another encoding than Python would (the WHATWG Encoding Standard).
_BROWSER_ALIASES = {
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "tis-620": "windows-874",
    "x-user-defined": "windows-1252",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PROSE_WORDS = 8  # the fewest words of one paragraph that make a page an article
# htmldate's extensive search reads dates anywhere in the page ("Copyright 2024" becomes
# 1 January 2024); only the page's own statements of its date are wanted.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class Article:
    text: str  # the main text, paragraphs separated by blank lines
    title: str | None  # the headline
    author: str | None
    publisher: str | None  # the site's name
    published: dt.date | None  # the article's own date
    url: str | None  # the canonical URL if the page gives one, else the fetched URL


def article_from_html(
    body: bytes | str, *, url: str | None = None, content_type: str | None = None
) -> Article:
    """The article in an HTML page. `url` is where it came from (a URL or a file name, for
    messages and as the fallback URL); `content_type` the HTTP header, for its charset.
    Raises InvalidInput when the page holds no article text."""
    import trafilatura
    from trafilatura.settings import Document

    html = body if isinstance(body, str) else decode_html(body, content_type)
    where = shown_url(url) if url else "the page"
    fetched_url = url if url and url.startswith(("http://", "https://")) else None
    try:
        document = trafilatura.bare_extraction(
            html,
            url=fetched_url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError) as exc:  # lxml's refusals of a broken document
        raise InvalidInput(f"{where}: not a readable HTML page ({exc})") from None
    text = _paragraphs(document.text or "") if isinstance(document, Document) else ""
    if not isinstance(document, Document) or not _has_prose(text):
        raise InvalidInput(f"{where}: no article text found")
    return Article(
        text=text,
        title=_clean(document.title),
        author=_clean(document.author),
        publisher=_clean(document.sitename),
        published=_day(document.date),
        url=_clean(document.url) or fetched_url,
    )


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text, in the encoding it was sent in (see the module's note)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    for label in (_http_charset(content_type), _meta_charset(body)):
        codec = _codec(label)
        if codec:
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return _guess(body)


def looks_like_html(text: str) -> bool:
    """Whether a file's text reads as HTML rather than a plain-text article."""
    start = text.lstrip("\ufeff \t\r\n")[:512].lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<title")):
        return True
    return start.startswith(("<?xml", "<!--")) and "<html" in start


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) else None


def _meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:_PRESCAN])
    return found.group(1).decode("ascii", errors="replace") if found else None


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None for a label nobody knows."""
    if not label:
        return None
    name = label.strip().lower()
    name = _BROWSER_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    # A page that says it is UTF-16 but was found by an ASCII-compatible <meta> cannot be.
    return "utf-8" if codec.name.startswith("utf-16") else codec.name


def _guess(body: bytes) -> str:
    """Undeclared and not UTF-8: charset_normalizer's best guess, else windows-1252 (what
    browsers assume for such a page in most of the world)."""
    from charset_normalizer import from_bytes

    best = from_bytes(body[: 64 * 1024]).best()
    encoding = best.encoding if best is not None else "windows-1252"
    return body.decode(encoding, errors="replace")


def _has_prose(text: str) -> bool:
    """Whether some paragraph is a sentence rather than a menu: trafilatura, finding no article,
    falls back to whatever text there is ("Home", "We use cookies.")."""
    return any(len(paragraph.split()) >= _PROSE_WORDS for paragraph in text.split("\n\n"))


def _paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _clean(value: str | None) -> str | None:
    cleaned = " ".join(value.split()) if value else ""
    return cleaned or None


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
