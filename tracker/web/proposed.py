"""The page's "Proposed" section: forecasts found in articles, waiting for Accept or Reject.

Kept apart from tracker.web.page so that module stays short. Everything here is text from the
web (an article's claim, title, link), so the template escapes it, and a link is only made of
an http(s) URL: an article's `javascript:` link must not become one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from tracker.channels.text import format_probability
from tracker.io.proposals import proposal_json
from tracker.news.proposals import list_proposals

WEB_LINKS = ("http://", "https://")


@dataclass(frozen=True)
class Proposed:
    """One pending proposal as the page shows it."""

    data: dict[str, Any]  # proposal_json
    probability: str | None
    source: str | None
    source_url: str | None
    match_score: str | None


def proposed_items(engine: Engine, *, tz: ZoneInfo, limit: int) -> tuple[list[Proposed], int]:
    """The oldest `limit` pending proposals, and how many more there are."""
    views = list_proposals(engine)
    items = [
        _item(proposal_json(v.proposal, article=v.article, match=v.match, tz=tz))
        for v in views[:limit]
    ]
    return items, max(0, len(views) - limit)


def _item(data: dict[str, Any]) -> Proposed:
    cited = data.get("source") or {}
    article = data.get("article") or {}
    url = cited.get("url") or article.get("url")
    title = cited.get("title") or article.get("title")
    publisher = cited.get("publisher") or article.get("publisher")
    text = " \N{EM DASH} ".join(str(t) for t in (publisher, title) if t) or url
    match = data.get("match")
    score = match.get("score") if match else None
    chance = data.get("probability")
    return Proposed(
        data=data,
        probability=None if chance is None else format_probability(chance),
        source=str(text) if text else None,
        source_url=url if isinstance(url, str) and url.startswith(WEB_LINKS) else None,
        match_score=None if score is None else f"{score:.2f}",
    )
