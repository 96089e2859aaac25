"""Checking the signatures of requests that come to us. Pure: `now` is a parameter.

Both schemes sign the raw body with a timestamp, and refuse requests whose timestamp is more
than five minutes from our clock, so a captured request cannot be replayed later. Within that
window the callers remember what they accepted (a Standard Webhooks webhook-id, a Slack
request's signature), so a replay changes nothing either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import uuid
from collections.abc import Mapping

from tracker.errors import TrackerError

TOLERANCE = dt.timedelta(minutes=5)


class BadSignature(TrackerError):
    """The request is not signed by whoever holds the secret, or not recently."""


def _timestamp(value: str | None, header: str, now: dt.datetime) -> int:
    if not value:
        raise BadSignature(f"the {header} header is missing")
    # At most 12 digits: a thousand-digit number would overflow the float it is compared with.
    if not re.fullmatch(r"[0-9]{1,12}", value.strip()):
        raise BadSignature(f"the {header} header is not a number of seconds")
    seconds = int(value.strip())
    if abs(now.timestamp() - seconds) > TOLERANCE.total_seconds():
        raise BadSignature(f"the {header} is more than 5 minutes from the server's clock")
    return seconds


def verify_slack(
    *, body: bytes, headers: Mapping[str, str], signing_secret: str, now: dt.datetime
) -> None:
    """Slack's v0 scheme: X-Slack-Signature = "v0=" + hex HMAC-SHA256 of "v0:{ts}:{body}"."""
    seconds = _timestamp(headers.get("x-slack-request-timestamp"), "X-Slack-Request-Timestamp",
                         now)  # fmt: skip
    given = headers.get("x-slack-signature") or ""
    expected = sign_slack(body=body, signing_secret=signing_secret, timestamp=seconds)
    if not hmac.compare_digest(given.encode(), expected["x-slack-signature"].encode()):
        raise BadSignature("the X-Slack-Signature does not match")


def sign_slack(*, body: bytes, signing_secret: str, timestamp: int) -> dict[str, str]:
    """The headers Slack sends with `body`: what verify_slack expects (and tests send)."""
    digest = hmac.new(
        signing_secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    return {"x-slack-request-timestamp": str(timestamp), "x-slack-signature": f"v0={digest}"}


def verify_standard_webhook(
    *, body: bytes, headers: Mapping[str, str], secret: str, now: dt.datetime
) -> str:
    """Standard Webhooks: webhook-signature holds space-separated "v1,<base64 HMAC>" of
    "{id}.{timestamp}.{body}". Returns the webhook-id."""
    from standardwebhooks import Webhook

    msg_id = headers.get("webhook-id") or ""
    if not msg_id or len(msg_id) > 190:
        raise BadSignature("the webhook-id header is missing or longer than 190 characters")
    seconds = _timestamp(headers.get("webhook-timestamp"), "webhook-timestamp", now)
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise BadSignature("the body is not UTF-8") from None
    expected = Webhook(secret).sign(msg_id, dt.datetime.fromtimestamp(seconds, dt.UTC), text)
    expected_mac = expected.partition(",")[2].encode()
    for candidate in (headers.get("webhook-signature") or "").split():
        version, _, mac = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(mac.encode(), expected_mac):
            return msg_id
    raise BadSignature("no webhook-signature matches")


def new_webhook_id() -> str:
    """A Standard Webhooks message id: the same across a delivery's retries, so that receivers
    can deduplicate."""
    return f"msg_{uuid.uuid4().hex}"
