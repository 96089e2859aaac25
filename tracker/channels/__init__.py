"""Channels: where reminders go. Only this package speaks HTTP."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tracker.channels.base import Attempt, Channel, OutgoingMessage
from tracker.config import channel_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracker.config import ChannelSettings, Settings

__all__ = ["Attempt", "Channel", "OutgoingMessage", "build_channels", "send_once", "test_message"]


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Every configured channel, by name; a bad one stops here with one ConfigError line."""
    from tracker.channels.console import ConsoleChannel
    from tracker.channels.slack import SlackChannel
    from tracker.channels.webhook import WebhookChannel
    from tracker.domain.channel_rules import plain

    built: dict[str, Channel] = {}
    for config in channel_settings(settings):  # validated there, for every command alike
        url, secret = plain(config.url), plain(config.secret)
        if config.kind == "console":
            built[config.name] = ConsoleChannel(config.name, timezone=settings.tz)
            continue
        assert url is not None  # channel_settings refuses a channel without one
        if config.kind == "email":
            assert config.to  # checked there too
            built[config.name] = email_channel(config, settings, config.name, config.to)
        elif config.kind == "webhook":
            built[config.name] = WebhookChannel(
                config.name, url, secret, total_timeout=settings.request_timeout
            )
        elif config.kind in ("discord", "teams", "ntfy"):
            built[config.name] = chat_channel(config.kind, config.name, url, secret, settings)
        else:
            built[config.name] = SlackChannel(
                config.name,
                url,
                total_timeout=settings.request_timeout,
                timezone=settings.tz,
                buttons=settings.slack_signing_secret is not None,
            )
    return built


def email_channel(
    config: ChannelSettings, settings: Settings, name: str, recipients: Sequence[str]
) -> Channel:
    """An email channel on a configured one's server and from address (a follower's own, to
    their address, or the configured one itself)."""
    from tracker.channels.email import EmailChannel
    from tracker.domain.channel_rules import plain

    url = plain(config.url)
    assert url is not None  # channel_settings checked both
    assert config.from_address is not None
    return EmailChannel(
        name,
        url,
        sender=config.from_address,
        recipients=recipients,
        connect_timeout=settings.connect_timeout,
        total_timeout=settings.request_timeout,
        timezone=settings.tz,
    )


def chat_channel(kind: str, name: str, url: str, secret: str | None, settings: Settings) -> Channel:
    """A Discord, Teams or ntfy channel (ntfy's secret is its access token)."""
    from tracker.channels.discord import DiscordChannel
    from tracker.channels.ntfy import NtfyChannel
    from tracker.channels.teams import TeamsChannel

    timeout, tz = settings.request_timeout, settings.tz
    if kind == "discord":
        return DiscordChannel(name, url, total_timeout=timeout, timezone=tz)
    if kind == "teams":
        return TeamsChannel(name, url, total_timeout=timeout, timezone=tz)
    return NtfyChannel(name, url, secret, total_timeout=timeout, timezone=tz)


def test_message(now: dt.datetime) -> OutgoingMessage:
    """What `tracker channels test` sends."""
    from tracker.signatures import new_webhook_id

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
