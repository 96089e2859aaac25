"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
received"): a message carrying one Adaptive Card (schema 1.4, what Teams renders).

The workflow URL carries its signature in the query (`sig=...`): it is the credential, masked
everywhere. Teams answers 202 Accepted; the usual classes apply to everything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tracker.channels.base import OutgoingMessage
from tracker.channels.chat import Notice, cut, notice
from tracker.channels.json_post import JsonPostChannel

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
# The headline's colour by level: Adaptive Cards name colours by meaning, not by value.
COLORS = {"overdue": "Attention", "due": "Warning", "upcoming": "Accent", "resolved": "Good"}
_TEXT_LIMIT = 3000  # Teams refuses messages over about 28 KB; a claim never needs more
# The markdown TextBlocks read is bold, italic, lists and links. Only their marks are escaped:
# Teams clients have disagreed on backslashes (microsoft/AdaptiveCards#4677, #5590), so the
# fewer the better, and a backslash itself is left alone.
_MARKDOWN = str.maketrans({char: f"\\{char}" for char in "*_["})


class TeamsChannel(JsonPostChannel):
    kind: str = "teams"  # not paced: no documented per-URL pace; a 429 waits its Retry-After

    def payload(self, message: OutgoingMessage, *, now: dt.datetime) -> dict[str, Any]:
        return format_teams(message, now=now, tz=self._tz)


def format_teams(message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The Workflows webhook body: {"type": "message", "attachments": [one Adaptive Card]}."""
    return {
        "type": "message",
        "attachments": [
            {"contentType": CARD_CONTENT_TYPE, "contentUrl": None,
             "content": card(notice(message, now=now, tz=tz))}
        ],
    }  # fmt: skip


def card(item: Notice) -> dict[str, Any]:
    """Headline (coloured by level), the claim, a FactSet of the deadline and the forecasts
    in force, the resolve command, and a button to the source when there is one."""
    body: list[dict[str, Any]] = [
        _text(item.title, weight="Bolder", size="Medium", color=COLORS.get(item.level)),
    ]
    if item.claim:
        body.append(_text(escape(cut(item.claim, _TEXT_LIMIT)), weight="Bolder"))
    facts = [*item.facts, *item.forecasts]
    if facts:
        body.append(
            {"type": "FactSet",
             "facts": [{"title": cut(t, 200), "value": escape(cut(v, 500))} for t, v in facts]}
        )  # fmt: skip
    if item.note:
        body.append(_text(escape(cut(item.note, _TEXT_LIMIT))))
    if item.command:
        body.append(_text(f"Resolve: {escape(item.command)}", font="Monospace", subtle=True))
    content: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if item.link:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Source", "url": item.link}]
    return content


def escape(text: str) -> str:
    """User text shown as written: the markdown TextBlocks understand, backslashed."""
    return text.translate(_MARKDOWN)


def _text(
    text: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    color: str | None = None,
    font: str | None = None,
    subtle: bool = False,
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    for name, value in (("weight", weight), ("size", size), ("color", color), ("fontType", font)):
        if value is not None:
            block[name] = value
    if subtle:
        block["isSubtle"] = True
    return block
