"""Generic webhooks, signed per the Standard Webhooks spec (https://www.standardwebhooks.com/).

The receiver checks `webhook-signature` = "v1," + base64 HMAC-SHA256 of "id.timestamp.body" and
deduplicates on `webhook-id`, which is the message's own id and so the same on every retry.
"""

from __future__ import annotations

import datetime as dt
import json

import httpx
from standardwebhooks import Webhook

from tracker.channels.base import Attempt, OutgoingMessage
from tracker.channels.http import USER_AGENT, post_json, redact_url, secret_forms, url_secrets
from tracker.domain.channel_rules import SECRET_PREFIX, validate_url, validate_webhook_secret

__all__ = ["SECRET_PREFIX", "WebhookChannel", "validate_url", "validate_webhook_secret"]


class WebhookChannel:
    kind: str = "webhook"

    def __init__(
        self, name: str, url: str, secret: str | None, *, total_timeout: float = 15.0
    ) -> None:
        validate_url(url)
        if secret is not None:
            validate_webhook_secret(secret)
        self.name = name
        self._url = url
        self._secret = secret
        self._total_timeout = total_timeout
        # The key alone counts too: a receiver's error page might quote it without the prefix.
        keys = [] if secret is None else secret_forms(secret)
        keys += [] if secret is None else secret_forms(secret.removeprefix(SECRET_PREFIX))
        self._secrets = (*url_secrets(url), *keys)

    @property
    def rate_key(self) -> str | None:
        return None

    def describe(self) -> str:
        signed = "unsigned" if self._secret is None else "signed"
        return f"webhook {redact_url(self._url)} ({signed})"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        body = webhook_body(message)
        return await post_json(
            client,
            self._url,
            body,
            webhook_headers(message.webhook_id, body, now, self._secret),
            now=now,
            total_timeout=self._total_timeout,
            secrets=self._secrets,
        )


def webhook_headers(
    msg_id: str, body: bytes, now: dt.datetime, secret: str | None
) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt, signed when there is a secret."""
    # The timestamp is the attempt's, not the event's: receivers refuse signatures older than a
    # few minutes, and a retry can come hours later.
    seconds = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(seconds),
    }
    if secret is not None:
        # sign() reads the datetime as UTC whatever its tzinfo says, so hand it UTC.
        signed_at = dt.datetime.fromtimestamp(seconds, dt.UTC)
        headers["webhook-signature"] = Webhook(secret).sign(msg_id, signed_at, body.decode())
    return headers


def webhook_body(message: OutgoingMessage) -> bytes:
    """The JSON body: the same bytes for every attempt at one message, so retries are identical."""
    envelope = {
        "type": message.event_type,
        "timestamp": message.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": message.data,
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
