"""Channels: where reminders go. Only this package speaks HTTP."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tracker.channels.base import Attempt, Channel, OutgoingMessage
from tracker.config import channel_settings

if TYPE_CHECKING:
    from tracker.config import Settings

__all__ = ["Attempt", "Channel", "OutgoingMessage", "build_channels", "send_once", "test_message"]


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Every configured channel, by name; a bad one stops here with one ConfigError line."""
    from tracker.channels.console import ConsoleChannel
    from tracker.channels.slack import SlackChannel
    from tracker.channels.webhook import WebhookChannel
    from tracker.errors import ConfigError

    built: dict[str, Channel] = {}
    for config in channel_settings(settings):
        url = config.url.get_secret_value().strip() if config.url else None
        secret = config.secret.get_secret_value().strip() if config.secret else None
        where = f"channel {config.name!r}"
        if config.kind == "console":
            built[config.name] = ConsoleChannel(config.name, timezone=settings.tz)
            continue
        if not url:
            raise ConfigError(f"{where} ({config.kind}) needs a url")
        try:
            if config.kind == "webhook":
                built[config.name] = WebhookChannel(
                    config.name, url, secret or None, total_timeout=settings.request_timeout
                )
            else:
                if secret:
                    raise ConfigError("a Slack incoming webhook takes no secret")
                built[config.name] = SlackChannel(
                    config.name,
                    url,
                    total_timeout=settings.request_timeout,
                    timezone=settings.tz,
                    buttons=settings.slack_signing_secret is not None,
                )
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return built


def test_message(now: dt.datetime) -> OutgoingMessage:
    """What `tracker channels test` sends."""
    from tracker.outbox import new_webhook_id

    return OutgoingMessage(
        webhook_id=new_webhook_id(),
        event_type="tracker.test",
        occurred_at=now,
        data={"reminder": {"kind": "test", "key": "test"}, "prediction": None},
    )


async def send_once(
    channel: Channel,
    message: OutgoingMessage,
    *,
    now: dt.datetime,
    connect_timeout: float,
    request_timeout: float,
) -> Attempt:
    """One attempt outside the ledger, for `tracker channels test`."""
    from tracker.channels.http import new_client

    async with new_client(
        connect_timeout=connect_timeout, request_timeout=request_timeout
    ) as client:
        return await channel.send(client, message, now=now)
