"""Slack incoming webhooks: a Block Kit message with a plain-text fallback.

The webhook URL is the credential (whoever has it can post), so it is masked everywhere. Pacing
(one message a second per URL, pausing after a 429) is the dispatcher's job: we expose rate_key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from tracker.channels.base import AttemptOutcome, OutgoingMessage
from tracker.channels.http import USER_AGENT, new_client, post_json, url_secrets
from tracker.channels.json_post import JsonPostChannel
from tracker.channels.text import (
    DIGEST,
    EVIDENCE,
    PROPOSAL,
    UTC_ZONE,
    digest_headline,
    digest_lines,
    due_label,
    evidence_headline,
    evidence_text,
    forecasts_line,
    format_probability,
    proposal_accept,
    proposal_details,
    proposal_headline,
    resolve_command,
    stale_forecast_text,
    timing,
)
from tracker.channels.webhook import validate_url
from tracker.enums import REMINDER_KINDS, STALE_FORECAST
from tracker.errors import ConfigError

# Slack answers errors as a plain-text word. These cannot succeed on a retry, whatever status
# code came with them; "rate_limited" (429) and "rollup_error" (500) are worth another try.
SLACK_PERMANENT_ERRORS = frozenset(
    {
        "invalid_payload", "channel_not_found", "channel_is_archived", "invalid_token",
        "action_prohibited", "no_service", "no_service_id", "no_team", "team_disabled",
        "invalid_team", "user_not_found", "posting_to_general_channel_denied",
        "too_many_attachments",
    }
)  # fmt: skip
# Block Kit limits: section text 3000 characters, each field 2000, header 150.
_SECTION_LIMIT = 2900
_FIELD_LIMIT = 1900
_DIGEST_SECTIONS = 45  # of Slack's 50 blocks a message may have
_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


class SlackChannel(JsonPostChannel):
    kind: str = "slack"
    paced = True

    def __init__(
        self,
        name: str,
        url: str,
        *,
        total_timeout: float = 15.0,
        timezone: ZoneInfo = UTC_ZONE,
        buttons: bool = False,
    ) -> None:
        super().__init__(name, url, total_timeout=total_timeout, timezone=timezone)
        self._buttons = buttons

    def payload(self, message: OutgoingMessage, *, now: dt.datetime) -> dict[str, Any]:
        return format_slack(message, now=now, tz=self._tz, buttons=self._buttons)

    def post_options(self) -> dict[str, Any]:
        return {"permanent_bodies": SLACK_PERMANENT_ERRORS}


def format_slack(
    message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo, buttons: bool = False
) -> dict[str, Any]:
    """The message as Slack wants it: a `text` fallback (notifications) and Block Kit `blocks`.
    With `buttons` (the Slack app's signing secret is set), reminders can be answered in place."""
    kind = (message.data.get("reminder") or {}).get("kind")
    if message.event_type == "tracker.test":
        text = "Test message from tracker: this Slack channel works."
        blocks: list[dict[str, Any]] = [_header("tracker test message"), _section(text)]
    elif kind in REMINDER_KINDS:
        text, blocks = _reminder(message.data, kind, now, tz)
        if buttons:
            blocks.append(action_buttons(message.data["prediction"]["key"]))
    elif kind == "resolved":
        text, blocks = _resolved(message.data, tz)
    elif kind == STALE_FORECAST:
        text = escape(stale_forecast_text(message.data, now, tz), _SECTION_LIMIT)
        blocks = [_header("Update your forecast?"), _section(text)]
    elif kind == DIGEST:
        text, blocks = _digest(message.data, now, tz)
    elif kind == PROPOSAL:
        text, blocks = _proposals(message.data)
    elif kind == EVIDENCE:
        text = escape(evidence_text(message.data), _SECTION_LIMIT)
        blocks = [_header(evidence_headline(message.data)), _section(text)]
    else:  # an event type this version does not know how to lay out: say what it is
        text = f"tracker event {escape(message.event_type)}"
        blocks = [_section(text)]
    # One source link per reminder; its preview would repeat on every overdue nudge.
    return {"text": text, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def escape(text: str, limit: int | None = None) -> str:
    """Slack's escaping of &, < and >, cut to `limit` characters (counted after escaping)."""
    escaped = "".join(_SLACK_ESCAPES.get(char, char) for char in text)
    if limit is None or len(escaped) <= limit:
        return escaped
    # Cut between characters, never inside "&amp;", leaving room for the ellipsis.
    pieces: list[str] = []
    size = 0
    for char in text:
        piece = _SLACK_ESCAPES.get(char, char)
        if size + len(piece) > limit - 1:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces) + "\N{HORIZONTAL ELLIPSIS}"


def _reminder(
    data: dict[str, Any], kind: str, now: dt.datetime, tz: ZoneInfo
) -> tuple[str, list[dict[str, Any]]]:
    prediction = data["prediction"]
    word, when = timing(kind, dt.datetime.fromisoformat(prediction["due_at"]), now)
    label = due_label(prediction, tz)
    due = label
    if prediction.get("due_text") and prediction["due_text"] != label:
        due = f'{label} ("{prediction["due_text"]}")'
    fields = [f"*Due*\n{escape(due, _FIELD_LIMIT)}", *_forecast_fields(data)]
    blocks = [
        _header(f"{word} {when}"),
        _section(f"*{escape(prediction['claim'], _SECTION_LIMIT)}*"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    source = _source_link(prediction.get("source"))
    if source:
        blocks.append(_section(f"*Source:* {source}"))
    command = escape(resolve_command(prediction["key"]))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Resolve: `{command}`"}]}
    )
    text = f"{word} {when}: {escape(prediction['claim'], _SECTION_LIMIT)} (due {escape(label)})"
    return text, blocks


def _digest(
    data: dict[str, Any], now: dt.datetime, tz: ZoneInfo
) -> tuple[str, list[dict[str, Any]]]:
    """One message, a line per item: sections of up to _SECTION_LIMIT characters, and no more
    than Slack's 50 blocks (the rest counted in a last line)."""
    headline = digest_headline(data)
    sections: list[str] = []
    lines = [f"\N{BULLET} {escape(line, _FIELD_LIMIT)}" for line in digest_lines(data, now, tz)]
    for number, line in enumerate(lines):
        if sections and len(sections[-1]) + 1 + len(line) <= _SECTION_LIMIT:
            sections[-1] += "\n" + line
        elif len(sections) < _DIGEST_SECTIONS:
            sections.append(line)
        else:
            sections.append(f"\N{HORIZONTAL ELLIPSIS} and {len(lines) - number} more")
            break
    return escape(headline), [_header(headline), *(_section(s) for s in sections)]


def _proposals(data: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """New proposals: a section per proposal (its claim, deadline, forecast, the question it
    matches and the command that accepts it), then the article they were found in."""
    headline = proposal_headline(data)
    entries = data.get("proposals") or []
    blocks = [_header(headline)]
    for number, entry in enumerate(entries):
        if number == _DIGEST_SECTIONS:
            blocks.append(_section(f"\N{HORIZONTAL ELLIPSIS} and {len(entries) - number} more"))
            break
        claim = escape(str(entry.get("claim")), _FIELD_LIMIT)
        details = proposal_details(entry)
        command = escape(proposal_accept(entry))
        blocks.append(_section(f"*{claim}*\n{escape(details, _FIELD_LIMIT)}\n`{command}`"))
    article = data.get("article") or {}
    if article.get("url"):
        blocks.append(_section(f"*Article:* {_link(article['url'], article.get('title'))}"))
    if data.get("page"):
        blocks.append(_section(f"*Review:* {_link(data['page'], 'the proposals waiting')}"))
    return escape(headline, _SECTION_LIMIT), blocks


def _forecast_fields(data: dict[str, Any]) -> list[str]:
    """Each forecaster's forecast in force, on one line; a payload frozen before reminders
    carried forecasts names the forecaster and probability first stated."""
    line = forecasts_line(data)
    if line:
        return [f"*Forecasts*\n{escape(line, _FIELD_LIMIT)}"]
    prediction, fields = data["prediction"], []
    if prediction.get("forecaster"):
        fields.append(f"*Forecaster*\n{escape(prediction['forecaster'], _FIELD_LIMIT)}")
    if prediction.get("probability") is not None:
        fields.append(f"*Probability*\n{format_probability(prediction['probability'])}")
    return fields


def _resolved(data: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[dict[str, Any]]]:
    prediction, resolution = data["prediction"], data.get("resolution") or {}
    outcome = resolution.get("outcome") or prediction.get("outcome") or "?"
    claim = escape(prediction["claim"], _SECTION_LIMIT)
    fields = [f"*Due*\n{escape(due_label(prediction, tz))}"]
    if resolution.get("resolved_by"):
        fields.append(f"*Resolved by*\n{escape(resolution['resolved_by'], _FIELD_LIMIT)}")
    if forecasts_line(data):
        fields.append(f"*Forecasts*\n{escape(forecasts_line(data), _FIELD_LIMIT)}")
    blocks = [
        _header(f"Resolved: {outcome}"),
        _section(f"*{claim}*"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if resolution.get("note"):
        blocks.append(_section(f"*Note:* {escape(resolution['note'], _SECTION_LIMIT)}"))
    if resolution.get("evidence_url"):
        blocks.append(_section(f"*Evidence:* {_link(resolution['evidence_url'], None)}"))
    return f"Resolved {escape(outcome)}: {claim}", blocks


def _source_link(source: dict[str, Any] | None) -> str:
    if not source or not (source.get("title") or source.get("url")):
        return ""
    link = _link(source.get("url"), source.get("title"))
    publisher = source.get("publisher")
    return f"{link} ({escape(publisher, _FIELD_LIMIT)})" if publisher else link


def _link(url: str | None, title: str | None) -> str:
    shown = escape(title, _FIELD_LIMIT) if title else None
    if not url:
        return shown or ""
    # "|" would end the address early inside <url|title>; %7C is the same URL.
    target = escape(url.replace("|", "%7C"))
    return f"<{target}|{shown}>" if shown else f"<{target}>"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


# Button action ids: what POST /slack/actions does for each.
ACTION_OUTCOMES = {"tracker_yes": "yes", "tracker_no": "no", "tracker_annulled": "annulled"}
ACTION_SNOOZE = "tracker_snooze_7d"
RESPONSE_URL_PREFIXES: tuple[str, ...] = ("https://hooks.slack.com/",)
SNOOZE_DAYS = 7


def action_buttons(key: str, *, snooze: bool = True) -> dict[str, Any]:
    """Yes / No / Annulled / Snooze 7 days; each button's value is the prediction's key."""

    def button(action_id: str, label: str, style: str | None = None) -> dict[str, Any]:
        element: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": label},
            "value": key,
        }
        if style:
            element["style"] = style
        return element

    elements = [
        button("tracker_yes", "Yes", "primary"),
        button("tracker_no", "No", "danger"),
        button("tracker_annulled", "Annulled"),
    ]
    if snooze:
        elements.append(button(ACTION_SNOOZE, f"Snooze {SNOOZE_DAYS} days"))
    return {"type": "actions", "block_id": "tracker_actions", "elements": elements}


def resolved_by_click(prediction: dict[str, Any], user: str, tz: ZoneInfo) -> dict[str, Any]:
    """The reminder, replaced after a click resolved it: no buttons left to press."""
    outcome = prediction.get("outcome") or prediction.get("status")
    claim = escape(prediction["claim"], _SECTION_LIMIT)
    text = f"Resolved {outcome} by {escape(user)}: {claim}"
    blocks = [
        _header(f"Resolved: {outcome}"),
        _section(f"*{claim}*"),
        _context(f"Due {escape(due_label(prediction, tz))} · resolved {outcome} by "
                 f"{escape(user)} in Slack"),
    ]  # fmt: skip
    return {"replace_original": True, "text": text, "blocks": blocks}


def snoozed_by_click(
    prediction: dict[str, Any], user: str, until: dt.datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """The reminder, replaced after a snooze: it can still be resolved from here."""
    claim = escape(prediction["claim"], _SECTION_LIMIT)
    day = until.astimezone(tz).strftime("%Y-%m-%d")
    text = f"Snoozed until {day} by {escape(user)}: {claim}"
    blocks = [
        _header(f"Snoozed until {day}"),
        _section(f"*{claim}*"),
        _context(f"Due {escape(due_label(prediction, tz))} · snoozed by {escape(user)}; "
                 "the next reminder comes then"),
        action_buttons(prediction["key"], snooze=False),
    ]  # fmt: skip
    return {"replace_original": True, "text": text, "blocks": blocks}


def private_note(text: str) -> dict[str, Any]:
    """A reply only the clicking user sees; the reminder itself stays as it is."""
    return {"response_type": "ephemeral", "replace_original": False, "text": escape(text)}


async def respond(
    response_url: str, message: dict[str, Any], *, now: dt.datetime, timeout: float
) -> str | None:
    """POST a reply to a Slack action's response_url. Returns an error text, None when Slack
    took it; never raises (the click was already recorded) and never shows the URL."""
    # Only Slack's own address: the URL comes in a signed payload, but a leaked signing secret
    # must not make this server post wherever it is told (its loopback, its network).
    if not response_url.startswith(RESPONSE_URL_PREFIXES):
        return "the response_url is not Slack's (https://hooks.slack.com/...); not answered"
    try:
        validate_url(response_url)
    except ConfigError as exc:
        return f"the response_url is unusable: {exc}"
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    async with new_client(connect_timeout=timeout, request_timeout=timeout) as client:
        attempt = await post_json(
            client,
            response_url,
            body,
            {"content-type": "application/json", "user-agent": USER_AGENT},
            now=now,
            total_timeout=timeout,
            secrets=url_secrets(response_url),
        )
    if attempt.outcome is AttemptOutcome.DELIVERED:
        return None
    code = f"{attempt.status_code} " if attempt.status_code else ""
    return f"{code}{attempt.error or ''}".strip() or "not delivered"


def _context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}
