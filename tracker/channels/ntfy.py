"""ntfy (https://ntfy.sh or a self-hosted server): a POST to the topic URL with the message as
plain text and its title, priority, tags and click link in headers.

The topic URL is a credential on a public server (whoever knows the topic can read and post),
and so is the optional access token (sent as `Authorization: Bearer`): both are masked
everywhere. Priority rises with urgency: 4 (high) overdue, 3 (default) due, 2 (low) upcoming
and resolved.
"""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from tracker.channels.base import Attempt, OutgoingMessage
from tracker.channels.chat import Notice, notice, one_line
from tracker.channels.http import USER_AGENT, post_json, redact_url, secret_forms, url_secrets
from tracker.channels.text import UTC_ZONE
from tracker.domain.channel_rules import validate_url

# ntfy's priorities: 1 min, 2 low, 3 default, 4 high, 5 max (urgent).
PRIORITIES = {"overdue": 4, "due": 3, "upcoming": 2, "resolved": 2, "test": 3, "other": 3}
# Tags that match an emoji short code are shown as that emoji before the title.
EMOJI = {
    "overdue": "rotating_light",
    "due": "alarm_clock",
    "upcoming": "hourglass_flowing_sand",
    "resolved": "white_check_mark",
    "test": "test_tube",
    "other": "bell",
}
_BODY_BYTES = 4000  # ntfy turns a message over 4096 bytes into an attachment
_TITLE_LIMIT = 250
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


class NtfyChannel:
    kind: str = "ntfy"

    def __init__(
        self,
        name: str,
        url: str,
        token: str | None = None,
        *,
        total_timeout: float = 15.0,
        timezone: ZoneInfo = UTC_ZONE,
    ) -> None:
        validate_url(url)
        self.name = name
        self._url = url
        self._token = token
        self._total_timeout = total_timeout
        self._tz = timezone
        self._secrets = (*url_secrets(url), *([] if token is None else secret_forms(token)))

    @property
    def rate_key(self) -> str | None:
        return None  # ntfy.sh allows bursts; a 429 is retried after its Retry-After

    def describe(self) -> str:
        token = " (with an access token)" if self._token else ""
        return f"ntfy {redact_url(self._url)}{token}"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        item = notice(message, now=now, tz=self._tz)
        headers = ntfy_headers(item)
        headers["user-agent"] = USER_AGENT
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        return await post_json(
            client,
            self._url,
            ntfy_body(item),
            headers,
            now=now,
            total_timeout=self._total_timeout,
            secrets=self._secrets,
        )


def ntfy_headers(item: Notice) -> dict[str, str]:
    """Title, Priority, Tags and (when there is a link) Click; never the token."""
    headers = {
        "content-type": "text/plain; charset=utf-8",
        "Title": _header_value(item.title[:_TITLE_LIMIT]),
        "Priority": str(PRIORITIES.get(item.level, 3)),
        "Tags": f"{EMOJI.get(item.level, 'bell')},{item.level}",
    }
    if item.link:
        headers["Click"] = quote(item.link, safe=_URL_SAFE)  # headers are ASCII
    return headers


def ntfy_body(item: Notice) -> bytes:
    """The message: the claim, the deadline and forecasts, then the resolve command."""
    lines = [item.claim] if item.claim else []
    lines += [f"{name}: {value}" for name, value in item.facts]
    if item.forecasts:
        lines.append("Forecasts: " + " \N{MIDDLE DOT} ".join(f"{n} {p}" for n, p in item.forecasts))
    if item.note:
        lines.append(f"Note: {item.note}")
    if item.command:
        lines.append(f"Resolve: {item.command}")
    data = "\n".join(lines or [item.title]).encode()
    if len(data) <= _BODY_BYTES:
        return data
    return (
        data[: _BODY_BYTES - 3].decode(errors="ignore").encode()
        + "\N{HORIZONTAL ELLIPSIS}".encode()
    )


def _header_value(text: str) -> str:
    """ASCII as is; anything else as an RFC 2047 encoded word, which ntfy decodes."""
    flat = one_line(text)
    if flat.isascii():
        return flat
    return f"=?UTF-8?B?{base64.b64encode(flat.encode()).decode('ascii')}?="
