"""From an article's text to proposals: the forecasts found in it, as records a proposal keeps,
and the article row that makes sure it is read only once."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain.inputs import EARLIEST_DUE_YEAR, LATEST_DUE_YEAR
from tracker.extract import Candidate, extract_candidates
from tracker.news.proposals import propose
from tracker.persistence import news
from tracker.persistence.db import transaction
from tracker.persistence.news_models import Article, Proposal

EXTRACTED_TAG = "extracted"


@dataclass(frozen=True)
class ArticleText:
    """An article as read: its text and what is known of where it came from."""

    text: str
    url: str | None
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: dt.date | None = None

    @property
    def identity(self) -> str:
        """What makes two readings the same article: its URL, else a hash of its text."""
        if self.url:
            return self.url
        digest = hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()
        return f"text:{digest}"

    def source(self) -> dict[str, Any]:
        """The article as a question's source. A page says what it likes about itself: its
        control characters are dropped and its fields cut to what a source holds, so that no
        headline keeps its forecasts from being proposed."""
        fields = {
            "url": self.url if self.url and len(self.url) <= 2000 else None,
            "title": _plain(self.title, 500),
            "publisher": _plain(self.publisher, 200),
            "author": _plain(self.author, 200),
            "published": self.published.isoformat() if self.published else None,
        }
        return {name: value for name, value in fields.items() if value}


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _plain(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return " ".join(_CONTROL.sub(" ", text).split())[:limit] or None


def storable(candidate: Candidate) -> bool:
    """A candidate with a deadline in the years a question may be due in."""
    due = candidate.due
    return due is not None and EARLIEST_DUE_YEAR <= due.due_at.year <= LATEST_DUE_YEAR


def candidate_records(
    candidates: Sequence[Candidate], *, source: dict[str, Any], tags: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Each dated candidate as a record `tracker import` would read, tagged "extracted" (and
    "implied-probability" where a hedge word gave the number), the article as its source."""
    records = []
    for candidate in candidates:
        if not storable(candidate):
            continue
        fields = candidate.to_json()
        basis = fields.pop("probability_basis") or ""
        implied = ["implied-probability"] if basis.startswith("implied") else []
        if fields.pop("conditional"):
            implied.append("conditional")  # made on a condition: --include-conditional
        all_tags = list(dict.fromkeys([EXTRACTED_TAG, *implied, *tags]))
        record = {**fields, "tags": all_tags, "basis": basis or None}
        if source:
            record["source"] = dict(source)
        records.append(record)
    return records


def find_forecasts(
    article: ArticleText, *, published: dt.date, tz: ZoneInfo, forecaster: str | None
) -> list[Candidate]:
    return [
        candidate
        for candidate in extract_candidates(
            article.text, published=published, tz=tz, forecaster=forecaster
        )
        if storable(candidate)
    ]


@dataclass(frozen=True)
class Proposed:
    article: Article
    proposals: list[Proposal]
    already_read: bool = False  # the article was read before: nothing new was proposed


def propose_article(
    engine: Engine,
    *,
    article: ArticleText,
    records: Sequence[dict[str, Any]],
    tz: ZoneInfo,
    now: dt.datetime,
) -> Proposed:
    """`tracker extract --propose`: the article (once) and a proposal per found forecast, in
    one transaction. An article read before proposes nothing again."""
    with transaction(engine) as session:
        row = article_row(article, feed_id=None, now=now)
        if not news.reserve_articles(session, rows=[row]):
            known = news.articles_by_url(session, urls=[article.identity])[article.identity]
            return Proposed(article=known, proposals=[], already_read=True)
        stored = news.articles_by_url(session, urls=[article.identity])[article.identity]
        made = propose(session, article=stored, records=records, tz=tz, now=now)
        stored.proposals = len(made)
        session.add(stored)
        return Proposed(article=stored, proposals=made)


def article_row(
    article: ArticleText,
    *,
    feed_id: int | None,
    now: dt.datetime,
    status: str = "read",
    error: str | None = None,
) -> dict[str, Any]:
    published = (
        dt.datetime.combine(article.published, dt.time(), dt.UTC) if article.published else None
    )
    return {
        "url": article.identity[:2000],
        "feed_id": feed_id,
        "title": _plain(article.title, 500),
        "author": _plain(article.author, 200),
        "publisher": _plain(article.publisher, 200),
        "published_at": published,
        "status": status,
        "error": error,
        "proposals": 0,
        "fetched_at": now,
    }


def set_article(session: Session, url: str, **values: Any) -> Article:
    row = news.articles_by_url(session, urls=[url])[url]
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    return row
