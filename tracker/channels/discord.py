"""Discord incoming webhooks: one embed per message.

The webhook URL (https://discord.com/api/webhooks/ID/TOKEN) is the credential, so it is masked
everywhere. Discord refuses with 429 and a JSON body whose "retry_after" (seconds, a float) is
more precise than its Retry-After header; the longer of the two is honoured. Deliveries to one
URL are paced like Slack's (rate_key), pausing after a 429.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any
from zoneinfo import ZoneInfo

from tracker.channels.base import OutgoingMessage
from tracker.channels.chat import Notice, cut, notice
from tracker.channels.json_post import JsonPostChannel

# Embed colours (0xRRGGBB) by how urgent the message reads.
COLORS = {
    "overdue": 0xD83C3E,  # red
    "due": 0xF0A020,  # amber
    "upcoming": 0x3B82F6,  # blue
    "resolved": 0x2E9E5B,  # green
    "test": 0x808890,  # grey
    "other": 0x808890,
}
# Discord's embed limits: title 256, description 4096, field name 256 and value 1024, 25
# fields, footer 2048, and 6000 characters in all; ours stay well inside them together.
_TITLE, _DESCRIPTION, _NAME, _VALUE, _FIELDS, _FOOTER = 256, 4000, 256, 1024, 20, 300
_CLAIM = 2400
_DAY = 86400.0
_MARKDOWN = str.maketrans({char: f"\\{char}" for char in "\\*_~`|>[]"})


class DiscordChannel(JsonPostChannel):
    kind: str = "discord"
    paced = True

    def payload(self, message: OutgoingMessage, *, now: dt.datetime) -> dict[str, Any]:
        return format_discord(message, now=now, tz=self._tz)

    def post_options(self) -> dict[str, Any]:
        return {"body_retry_after": discord_retry_after}


def format_discord(message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The webhook body: one embed, and no pings (a claim quoting "@everyone" stays text)."""
    return {
        "username": "tracker",
        "embeds": [embed(notice(message, now=now, tz=tz), message.occurred_at)],
        "allowed_mentions": {"parse": []},
    }


def embed(item: Notice, occurred_at: dt.datetime) -> dict[str, Any]:
    """Title: the reminder; description: the claim (and a resolution's note); fields: the
    deadline and each forecast in force; colour by level; url: the source, when known."""
    # Escaped first, then cut: the limit counts the backslashes, and claim and note together
    # stay under Discord's 4096 (a longer description is refused with a 400, for good).
    description = [f"**{cut(escape(item.claim), _CLAIM)}**"] if item.claim else []
    if item.note:
        description.append(cut(escape(item.note), _DESCRIPTION - _CLAIM - 8))
    fields = [_field(name, value, inline=False) for name, value in item.facts]
    fields += [_field(name, value, inline=True) for name, value in item.forecasts]
    body: dict[str, Any] = {
        "title": cut(item.title, _TITLE),
        "color": COLORS.get(item.level, COLORS["other"]),
        "timestamp": occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    if description:
        body["description"] = "\n\n".join(description)
    if fields:
        body["fields"] = fields[:_FIELDS]
    if item.link:
        body["url"] = item.link
    if item.command:
        body["footer"] = {"text": cut(f"Resolve: {item.command}", _FOOTER)}
    return body


def discord_retry_after(text: str) -> dt.timedelta | None:
    """The wait in a 429's JSON body ({"retry_after": 1.234, ...}), in seconds; None when the
    body says nothing usable."""
    try:
        value = json.loads(text).get("retry_after")
    except (ValueError, AttributeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return dt.timedelta(seconds=min(max(float(value), 0.0), _DAY))


def escape(text: str) -> str:
    """User text shown as written: Discord's markdown characters backslashed."""
    return text.translate(_MARKDOWN)


def _field(name: str, value: str, *, inline: bool) -> dict[str, Any]:
    value = cut(escape(value), _VALUE)  # escaped first: the limit counts the backslashes
    return {"name": cut(name, _NAME), "value": value or "-", "inline": inline}
