"""What an email says: a subject, the plain text, and the same as HTML. Pure.

The wording is the one Slack and the console use (text.py): the headline told from the time of
sending, the window as written, the forecasts in force, and the command that resolves it.
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from dataclasses import dataclass, field
from typing import Any
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
    forecasts_line,
    format_probability,
    proposal_headline,
    proposal_lines,
    resolve_command,
    stale_forecast_text,
    timing,
)
from tracker.enums import REMINDER_KINDS, STALE_FORECAST

SUBJECT_PREFIX = "[tracker]"
_SUBJECT_CLAIM_LIMIT = 120  # a subject line, not the record: the body has the whole claim
_LABEL_WIDTH = 13
Row = tuple[str, str, str | None]  # a label, its text, and a link when the text has one


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


@dataclass
class _Content:
    """One message's parts, before they are written out as text and as HTML."""

    headline: str
    claim: str = ""
    rows: list[Row] = field(default_factory=list)
    command: str | None = None
    claim_in_subject: bool = True


def compose(message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo, channel: str) -> Mail:
    content = _content(message, now=now, tz=tz)
    subject = f"{SUBJECT_PREFIX} {content.headline}"
    if content.claim and content.claim_in_subject:
        subject += f": {_one_line(content.claim, _SUBJECT_CLAIM_LIMIT)}"
    footer = (
        f'Sent by tracker through its channel "{channel}". To stop receiving these, use your '
        "mail program's Unsubscribe (it writes to the sender) or ask whoever runs tracker to "
        "take your address off the channel."
    )
    return Mail(subject=subject, text=_text(content, footer), html=_html(content, footer))


def _content(message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo) -> _Content:
    data = message.data
    kind = (data.get("reminder") or {}).get("kind")
    if message.event_type == "tracker.test":
        sentence = "This is a test from tracker: the email channel works."
        return _Content("Test message", sentence, claim_in_subject=False)
    if kind in REMINDER_KINDS:
        prediction = data["prediction"]
        word, when = timing(kind, dt.datetime.fromisoformat(prediction["due_at"]), now)
        rows: list[Row] = [("Due", due_label(prediction, tz), None), *_forecast_rows(data)]
        rows += _source_rows(prediction.get("source"))
        return _Content(
            f"{word} {when}", prediction["claim"], rows, resolve_command(prediction["key"])
        )
    if kind == "resolved":
        prediction, resolution = data["prediction"], data.get("resolution") or {}
        outcome = resolution.get("outcome") or prediction.get("outcome") or "?"
        rows = [("Due", due_label(prediction, tz), None)]
        if resolution.get("resolved_by"):
            rows.append(("Resolved by", _one_line(resolution["resolved_by"]), None))
        if forecasts_line(data):
            rows.append(("Forecasts", forecasts_line(data), None))
        if resolution.get("note"):
            rows.append(("Note", str(resolution["note"]), None))
        if resolution.get("evidence_url"):
            evidence = str(resolution["evidence_url"])
            rows.append(("Evidence", evidence, evidence))
        return _Content(f"Resolved {outcome}", prediction["claim"], rows)
    if kind == STALE_FORECAST:
        prediction = data["prediction"]
        rows = [("Due", due_label(prediction, tz), None), *_forecast_rows(data)]
        rows.append(("Nudge", stale_forecast_text(data, now, tz), None))
        return _Content("Update your forecast?", prediction["claim"], rows)
    if kind in (DIGEST, PROPOSAL, EVIDENCE):
        return _listing(kind, data, now=now, tz=tz)
    return _Content(message.event_type, message.webhook_id, claim_in_subject=False)


def _listing(kind: str, data: dict[str, Any], *, now: dt.datetime, tz: ZoneInfo) -> _Content:
    """A digest, or new proposals: a numbered row per item (for proposals, then the article)."""
    if kind == EVIDENCE:
        url = ((data.get("evidence") or {}).get("source") or {}).get("url")
        found: list[Row] = [("Evidence", evidence_text(data), None)]
        found += [("Article", str(url), str(url))] if url else []
        return _Content(evidence_headline(data), rows=found, claim_in_subject=False)
    lines = digest_lines(data, now, tz) if kind == DIGEST else proposal_lines(data)
    rows: list[Row] = [(f"{n}", line, None) for n, line in enumerate(lines, 1)]
    if kind == DIGEST:
        return _Content(digest_headline(data), rows=rows, claim_in_subject=False)
    url = (data.get("article") or {}).get("url")
    if url:
        rows.append(("Article", str(url), str(url)))
    return _Content(proposal_headline(data), rows=rows, claim_in_subject=False)


def _forecast_rows(data: dict[str, Any]) -> list[Row]:
    """The forecasts in force; a payload frozen before reminders carried them names the
    forecaster and probability first stated."""
    line = forecasts_line(data)
    if line:
        return [("Forecasts", line, None)]
    prediction, rows = data["prediction"], list[Row]()
    if prediction.get("forecaster"):
        rows.append(("Forecaster", _one_line(prediction["forecaster"]), None))
    if prediction.get("probability") is not None:
        rows.append(("Probability", format_probability(prediction["probability"]), None))
    return rows


def _source_rows(source: dict[str, Any] | None) -> list[Row]:
    if not source or not (source.get("title") or source.get("url")):
        return []
    shown = _one_line(source.get("title") or source["url"])
    if source.get("publisher"):
        shown += f" ({_one_line(source['publisher'])})"
    return [("Source", shown, source.get("url") or None)]


def _text(content: _Content, footer: str) -> str:
    lines = [content.headline, ""]
    if content.claim:
        lines += [*_wrap(content.claim), ""]
    for label, text, link in content.rows:
        lines.append(f"{label + ':':<{_LABEL_WIDTH}}{text}")
        if link and link != text:
            lines.append(" " * _LABEL_WIDTH + link)
    if content.command:
        lines += ["", "Resolve it with:", f"    {content.command}"]
    # "-- " (with its space) starts a signature: mail programs leave it out of replies.
    lines += ["", "-- ", *_wrap(footer)]
    return "\n".join(lines) + "\n"


def _wrap(text: str) -> list[str]:
    """Paragraphs kept, lines folded at 72 characters, as mail programs show them best."""
    return [
        line
        for paragraph in text.splitlines()
        for line in (textwrap.wrap(paragraph, 72, break_long_words=False) or [""])
    ]


def _html(content: _Content, footer: str) -> str:
    esc = html.escape
    parts = [f"<p><strong>{esc(content.headline)}</strong></p>"]
    if content.claim:
        parts.append(f'<p style="font-size:1.1em">{esc(content.claim)}</p>')
    if content.rows:
        rows = "".join(
            f'<tr><th align="left" style="padding-right:1em">{esc(label)}</th>'
            f"<td>{_html_value(text, link)}</td></tr>"
            for label, text, link in content.rows
        )
        parts.append(f"<table>{rows}</table>")
    if content.command:
        parts.append(f"<p>Resolve it with:<br><code>{esc(content.command)}</code></p>")
    parts.append(f'<p style="color:#666;font-size:0.9em">{esc(footer)}</p>')
    body = "\n".join(parts)
    return f"<!DOCTYPE html>\n<html><body>\n{body}\n</body></html>\n"


def _html_value(text: str, link: str | None) -> str:
    shown = html.escape(text)
    # Only web addresses become links: a "javascript:" URL in a source must stay text.
    if link and link.lower().startswith(("https://", "http://")):
        return f'<a href="{html.escape(link, quote=True)}">{shown}</a>'
    return shown


def _one_line(text: str, limit: int | None = None) -> str:
    flat = " ".join(str(text).split())
    if limit is None or len(flat) <= limit:
        return flat
    return flat[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"
