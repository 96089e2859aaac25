"""What the channels that POST one JSON body to a secret URL share (Slack, Discord, Teams):
the URL kept as the credential it is (masked in every error and description), the pace key,
and the one request. Each kind says how a message looks (`payload`) and, where its service
has them, its own answers (`post_options`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tracker.channels.base import Attempt, OutgoingMessage
from tracker.channels.http import USER_AGENT, post_json, redact_url, url_secrets
from tracker.channels.text import UTC_ZONE
from tracker.domain.channel_rules import validate_url


class JsonPostChannel:
    kind: str = ""
    paced: bool = False  # one message per TRACKER_SLACK_MIN_INTERVAL per URL, across workers

    def __init__(
        self, name: str, url: str, *, total_timeout: float = 15.0, timezone: ZoneInfo = UTC_ZONE
    ) -> None:
        validate_url(url)
        self.name = name
        self._url = url
        self._total_timeout = total_timeout
        self._tz = timezone
        self._secrets = url_secrets(url)

    @property
    def rate_key(self) -> str | None:
        # The URL is a secret: the dispatcher may key on it (hashed where stored), never show it.
        return self._url if self.paced else None

    def describe(self) -> str:
        return f"{self.kind} {redact_url(self._url)}"

    def payload(self, message: OutgoingMessage, *, now: dt.datetime) -> dict[str, Any]:
        raise NotImplementedError

    def post_options(self) -> dict[str, Any]:
        return {}

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        return await post_json(
            client,
            self._url,
            json.dumps(
                self.payload(message, now=now), separators=(",", ":"), ensure_ascii=False
            ).encode(),
            {"content-type": "application/json", "user-agent": USER_AGENT},
            now=now,
            total_timeout=self._total_timeout,
            secrets=self._secrets,
            **self.post_options(),
        )
