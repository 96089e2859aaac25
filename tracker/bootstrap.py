"""The one composition root: settings become a database engine, channels and a worker here.

The command line, the web server's launcher and the benchmarks build what they run through
these functions, so that how the service is wired is written once. Nothing below this layer
reads settings to decide what to build.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.channels.base import Channel
    from tracker.config import Settings
    from tracker.delivery.scheduler import Service
    from tracker.delivery.worker import Worker
    from tracker.domain.routing import Route


def open_database(settings: Settings, *, migrate: bool = True, create: bool = False) -> Engine:
    """The configured database, brought to the latest migration. Only `create` may make a
    SQLite file that is not there (commands that store what they are given)."""
    from tracker.persistence.db import make_engine, upgrade_to_head

    engine = make_engine(settings.database_url, create=create)
    if migrate:
        upgrade_to_head(engine, timezone=settings.timezone)
    return engine


def configured_channels(settings: Settings) -> dict[str, Channel]:
    """The channels the settings name; a bad one (or a route naming an unknown channel) is
    refused here, before any database opens."""
    from tracker.channels import build_channels

    channels = build_channels(settings)
    configured_routes(settings, list(channels))
    return channels


def configured_routes(
    settings: Settings, channel_names: Sequence[str] | None = None
) -> list[Route]:
    """The [[routes]], checked against the channels (default: the configured ones)."""
    from tracker.config import channel_settings
    from tracker.domain.routing import Route, check_routes

    routes = [
        Route(
            channels=tuple(r.channels),
            match_tags=tuple(r.match_tags),
            match_forecasters=tuple(r.match_forecasters),
            match_keys=tuple(r.match_keys),
            match_kinds=tuple(r.match_kinds),
            continue_=r.continue_,
            digest=r.digest,
            timezone=r.timezone,
        )
        for r in settings.routes
    ]
    names = channel_names or [c.name for c in channel_settings(settings)]
    check_routes(routes, names)
    return routes


def build_worker(
    settings: Settings, engine: Engine, *, channels: Mapping[str, Channel] | None = None
) -> Worker:
    """The delivery worker: passes that queue what is due and send what is pending."""
    from tracker.config import channel_settings
    from tracker.delivery.worker import Worker

    chosen = channels if channels is not None else configured_channels(settings)
    routes = configured_routes(settings, list(chosen))
    worker = Worker(engine=engine, settings=settings, channels=chosen, routes=routes)
    # Followers are mailed through the first email channel's server, from its address.
    mail = next((c for c in channel_settings(settings) if c.kind == "email"), None)
    if mail is not None and mail.name in chosen:
        from tracker import follows
        from tracker.channels import email_channel

        worker.follow_hook = follows.follower_hook(follows.follower_channel_name)
        worker.follower_channels = lambda now: follows.follower_channels(
            engine, lambda name, address: email_channel(mail, settings, name, [address]), now=now
        )
    return worker


def build_service(settings: Settings, worker: Worker) -> Service:
    """The long-running service: a pass at start, then every TRACKER_CHECK_INTERVAL and at
    each reminder or retry time the worker reports; beside it, a poll of the feeds that are
    due, as often and at each feed's own time."""
    from tracker.clock import utcnow
    from tracker.delivery.scheduler import FeedJob, Service
    from tracker.news.polling import FeedPoller

    poller = FeedPoller(engine=worker.engine, settings=settings)
    return Service(
        run_pass=worker.run_pass,
        next_wake_at=worker.next_wake_at,
        interval=settings.check_interval,
        clock=utcnow,
        stop=worker.stop,
        feeds=FeedJob(poll=poller.poll, next_poll_at=poller.next_poll_at),
    )
