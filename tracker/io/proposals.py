"""Feeds and proposals as JSON: what `tracker feeds list --json`, `tracker proposals --json` and
the API print."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import Precision
from tracker.io.fetch import public_url
from tracker.io.records import iso
from tracker.persistence.models import Prediction
from tracker.persistence.news_models import Article, Feed, Proposal


def proposal_json(
    proposal: Proposal, *, article: Article | None, match: Prediction | None, tz: ZoneInfo
) -> dict[str, Any]:
    record = json.loads(proposal.record)
    precision = Precision(record.get("precision") or "instant")
    window_start = _aware(record.get("window_start"))
    return {
        "id": proposal.id,
        "status": proposal.status,
        "claim": proposal.claim,
        "quote": record.get("quote"),
        "due_at": iso(proposal.due_at),
        "due": describe_due(proposal.due_at, window_start, precision, tz),
        "due_text": record.get("due_text"),
        "forecaster": proposal.forecaster,
        "probability": proposal.probability,
        "basis": record.get("basis"),
        "tags": record.get("tags", []),
        "source": record.get("source"),
        "article": None if article is None else article_json(article),
        "match": _match(proposal, match),
        "question": None if proposal.prediction_id is None or match is None else match.key,
        "decided_at": iso(proposal.decided_at),
        "decided_by": proposal.decided_by,
        "reason": proposal.reason,
        "created_at": iso(proposal.created_at),
    }


def _match(proposal: Proposal, match: Prediction | None) -> dict[str, Any] | None:
    if proposal.match_prediction_id is None or match is None:
        return None
    if proposal.prediction_id is not None and proposal.prediction_id != match.id:
        return None
    return {
        "id": match.id,
        "key": match.key,
        "claim": match.claim,
        "due_at": iso(match.due_at),
        "score": proposal.match_score,
    }


def article_json(article: Article) -> dict[str, Any]:
    return {
        "url": None if article.url.startswith("text:") else article.url,
        "title": article.title,
        "author": article.author,
        "publisher": article.publisher,
        "published": article.published_at.date().isoformat() if article.published_at else None,
        "status": article.status,
        "error": article.error,
    }


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "name": feed.name,
        "url": public_url(feed.url),
        "title": feed.title,
        "tags": json.loads(feed.tags),
        "forecaster_default": feed.forecaster_default,
        "every_seconds": feed.every_seconds,
        "auto_accept": feed.auto_accept,
        "auto_resolve": feed.auto_resolve,
        "next_poll_at": iso(feed.next_poll_at),
        "last_polled_at": iso(feed.last_polled_at),
        "last_success_at": iso(feed.last_success_at),
        "last_result": feed.last_result,
        "last_error": feed.last_error,
        "failures": feed.failures,
    }


def _aware(value: Any) -> Any:
    import datetime as dt

    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
