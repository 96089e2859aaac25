"""What a reminder says, before any chat service's layout: shared by Discord, Teams and ntfy.

Each of those channels renders the same Notice its own way (an embed, an Adaptive Card, a
plain-text body with headers), so the wording stays the same wherever a reminder lands. Pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tracker.channels.base import OutgoingMessage
from tracker.channels.text import (
    DIGEST,
    EVIDENCE,
    PROPOSAL,
    digest_headline,
    digest_lines,
    due_label,
    evidence_headline,
    evidence_text,
    format_probability,
    proposal_headline,
    proposal_lines,
    resolve_command,
    stale_forecast_text,
    timing,
)
from tracker.enums import REMINDER_KINDS, STALE_FORECAST


@dataclass(frozen=True)
class Notice:
    """One message, laid out by nobody yet."""

    # How urgent it reads now: "overdue", "due", "upcoming", "resolved", "test" or "other".
    # Told from `now`, as the headline is: an "upcoming" reminder retried after the deadline
    # is an overdue one.
    level: str
    title: str  # "Overdue by 9 days", "Due in 1 day", "Resolved: no"
    claim: str  # "" for a test message or an unknown event
    facts: tuple[tuple[str, str], ...] = ()  # ("Due", "February 2025"), ("Resolved by", ...)
    forecasts: tuple[tuple[str, str], ...] = ()  # ("ISW", "35%"): each one in force
    link: str | None = None  # the source article (or the resolution's evidence): http(s) only
    command: str | None = None  # the `tracker resolve` command, for reminders
    note: str | None = None  # a resolution's note


def notice(message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo) -> Notice:
    """The message's content as a Notice."""
    data = message.data
    kind = (data.get("reminder") or {}).get("kind")
    if message.event_type == "tracker.test":
        return Notice("test", "tracker test message", "", note="This channel works.")
    if kind in REMINDER_KINDS:
        prediction = data["prediction"]
        word, when = timing(kind, dt.datetime.fromisoformat(prediction["due_at"]), now)
        level = "overdue" if word == "Overdue" else "due" if when == "now" else "upcoming"
        return Notice(
            level,
            f"{word} {when}",
            one_line(prediction["claim"]),
            (("Due", _due(prediction, tz)),),
            tuple(_forecasts(data)),
            link=_http_link((prediction.get("source") or {}).get("url")),
            command=resolve_command(prediction["key"]),
        )
    if kind == "resolved":
        prediction, resolution = data["prediction"], data.get("resolution") or {}
        outcome = resolution.get("outcome") or prediction.get("outcome") or "?"
        facts = [("Due", due_label(prediction, tz))]
        if resolution.get("resolved_by"):
            facts.append(("Resolved by", one_line(resolution["resolved_by"])))
        source = (prediction.get("source") or {}).get("url")
        return Notice(
            "resolved",
            f"Resolved: {outcome}",
            one_line(prediction["claim"]),
            tuple(facts),
            tuple(_forecasts(data)),
            link=_http_link(resolution.get("evidence_url")) or _http_link(source),
            note=one_line(resolution["note"]) if resolution.get("note") else None,
        )
    if kind == STALE_FORECAST:
        prediction = data["prediction"]
        return Notice(
            "upcoming",
            "Update your forecast?",
            one_line(prediction["claim"]),
            (("Due", _due(prediction, tz)),),
            tuple(_forecasts(data)),
            note=stale_forecast_text(data, now, tz),
        )
    if kind == DIGEST:  # a line per item; each service cuts it to its own limit
        lines = digest_lines(data, now, tz)
        return Notice("upcoming", digest_headline(data), "", note="\n".join(lines))
    if kind in (PROPOSAL, EVIDENCE):
        return _found(kind, data)
    return Notice("other", f"tracker event {message.event_type}", "")


def _found(kind: str, data: dict[str, Any]) -> Notice:
    """New proposals (a line each, with the command that accepts it), or evidence from the
    news (the quote, its article, and the command that accepts it)."""
    if kind == EVIDENCE:
        source = (data.get("evidence") or {}).get("source") or {}
        return Notice(
            "other", evidence_headline(data), "", link=_http_link(source.get("url")),
            note=evidence_text(data),
        )  # fmt: skip
    article = data.get("article") or {}
    return Notice(
        "other",
        proposal_headline(data),
        "",
        link=_http_link(article.get("url")),
        note="\n".join(proposal_lines(data)),
    )


def one_line(text: Any) -> str:
    """User text flattened: a newline in a claim must not break a header or a title."""
    return " ".join(str(text).split())


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _due(prediction: dict[str, Any], tz: ZoneInfo) -> str:
    label = due_label(prediction, tz)
    written = prediction.get("due_text")
    return f'{label} ("{one_line(written)}")' if written and written != label else label


def _forecasts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Each forecaster's forecast in force; a payload frozen before reminders carried them
    names the forecaster and probability first stated."""
    facts = []
    for forecast in data.get("forecasts") or []:
        name, probability = forecast.get("forecaster"), forecast.get("probability")
        if name and isinstance(probability, int | float):
            facts.append((one_line(name), format_probability(probability)))
    if facts or data.get("forecasts"):
        return facts
    prediction = data["prediction"]
    if prediction.get("forecaster") and prediction.get("probability") is not None:
        return [(one_line(prediction["forecaster"]), format_probability(prediction["probability"]))]
    return []


def _http_link(url: Any) -> str | None:
    # Only web addresses become links: a "javascript:" or "file:" source must not be clickable.
    if not isinstance(url, str) or any(char.isspace() for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
