"""How each channel kind lays out a digest: one message, a line per item."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tracker.channels.base import OutgoingMessage
from tracker.channels.chat import notice
from tracker.channels.console import ConsoleChannel
from tracker.channels.discord import format_discord
from tracker.channels.email_text import compose
from tracker.channels.ntfy import ntfy_body
from tracker.channels.slack import format_slack
from tracker.channels.teams import format_teams
from tracker.channels.webhook import webhook_body

pytestmark = pytest.mark.no_database

NOW = dt.datetime(2026, 12, 3, 7, tzinfo=dt.UTC)
TZ = ZoneInfo("Europe/Berlin")


def item(key: str, kind: str, claim: str, *, outcome: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reminder": {"kind": kind, "key": kind},
        "prediction": {
            "key": key, "claim": claim, "due_at": "2026-12-02T10:00:00+00:00",
            "window_start": None, "precision": "day", "tz": "UTC",
        },
        "forecasts": [{"forecaster": "ISW", "probability": 0.35}],
    }  # fmt: skip
    if outcome is not None:
        data["resolution"] = {"outcome": outcome}
    return data


def digest(count: int = 3) -> OutgoingMessage:
    items = [item(f"q{n}", "due", f"Claim <{n}>\nwith a newline") for n in range(count - 1)]
    items.append(item("settled", "resolved", "Talks end", outcome="yes"))
    return OutgoingMessage(
        webhook_id="msg_digest",
        event_type="prediction.digest",
        occurred_at=NOW,
        data={
            "reminder": {"kind": "digest", "key": "digest-1-20261203T0700Z"},
            "digest": {"route": 1, "schedule": "daily 08:00 (Europe/Berlin)", "count": count},
            "items": items,
        },
    )


def test_webhook_sends_the_items_as_json() -> None:
    body = json.loads(webhook_body(digest()))
    assert body["type"] == "prediction.digest"
    assert [i["prediction"]["key"] for i in body["data"]["items"]] == ["q0", "q1", "settled"]


def test_slack_is_one_message_with_a_line_per_item() -> None:
    payload = format_slack(digest(), now=NOW, tz=TZ)
    assert payload["text"] == "Digest: 3 items (daily 08:00 (Europe/Berlin))"
    [section] = [b for b in payload["blocks"] if b["type"] == "section"]
    lines = section["text"]["text"].splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("\N{BULLET} Overdue by 21 hours: Claim &lt;0&gt; with a newline")
    assert "ISW 35%" in lines[0]
    assert lines[0].endswith("[q0]")
    assert lines[2].startswith("\N{BULLET} Resolved yes: Talks end")


def test_slack_keeps_a_long_digest_within_its_block_limit() -> None:
    payload = format_slack(digest(2000), now=NOW, tz=TZ)
    assert len(payload["blocks"]) <= 50
    assert payload["blocks"][-1]["text"]["text"].endswith("more")
    assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"])


def test_console_logs_a_line_per_item(caplog: pytest.LogCaptureFixture) -> None:
    channel = ConsoleChannel(timezone=TZ)
    with caplog.at_level(logging.INFO, logger="tracker.reminders"):

        async def send() -> None:
            async with httpx.AsyncClient() as client:
                await channel.send(client, digest(), now=NOW)

        asyncio.run(send())
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "Digest: 3 items (daily 08:00 (Europe/Berlin))"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  Overdue by 21 hours", "  Overdue by 21 hours", "  Resolved yes",
    ]  # fmt: skip


def test_email_lists_each_item() -> None:
    mail = compose(digest(), now=NOW, tz=TZ, channel="desk-mail")
    assert mail.subject == "[tracker] Digest: 3 items (daily 08:00 (Europe/Berlin))"
    assert "3:           Resolved yes: Talks end" in mail.text
    assert "Claim &lt;0&gt;" in mail.html


def test_discord_teams_and_ntfy_list_each_item() -> None:
    shown = notice(digest(), now=NOW, tz=TZ)
    assert shown.title == "Digest: 3 items (daily 08:00 (Europe/Berlin))"
    assert shown.note is not None
    assert len(shown.note.splitlines()) == 3
    assert "Talks end" in json.dumps(format_discord(digest(), now=NOW, tz=TZ))
    assert "Talks end" in json.dumps(format_teams(digest(), now=NOW, tz=TZ))
    assert "Talks end" in ntfy_body(shown).decode()
