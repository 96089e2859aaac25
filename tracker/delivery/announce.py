"""Announcements of new proposals: forecasts found in news, waiting for a person.

Each pass turns the pending proposals not yet announced into Delivery rows of kind "proposal"
(event type "proposal.created") and marks them announced, in ONE transaction: a crash before
the commit leaves both undone, so the next pass announces them; after it, the rows are in the
outbox and the sender takes them from there (leases, retries, at least once). A proposal
accepted or rejected before any pass saw it (a feed that auto-accepts) is not pending, so it
is never announced: it is no longer waiting for anyone.

One message per article and channel, listing the article's proposals routed there: a feed
item with 30 forecasts must not become 30 Slack messages a second apart. Each proposal is
routed on its own (kind "proposal", its tags and forecaster, the key of the question it
matches), so a channel gets only the proposals its routes ask for; channels given the same
proposals share one message. The row names the first proposal it lists, and a unique index on
(proposal_id, channel) for this kind keeps that to one row, whichever worker writes it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.delivery.routed import Routing, Targets, enqueue_routed
from tracker.domain.routing import PROPOSAL, Event
from tracker.io.proposals import article_json, proposal_json
from tracker.io.records import iso
from tracker.persistence import news
from tracker.persistence.models import DeliveryStatus, Prediction
from tracker.persistence.news_models import Proposal

EVENT_TYPE = "proposal.created"


def accept_command(proposal_id: int | None) -> str:
    return f"tracker proposals accept {proposal_id}"


def proposal_event(proposal: Proposal, match: Prediction | None) -> Event:
    """What a route matches a proposal on: its tags (the feed's among them), its forecaster,
    and the key of the question it matches ("" when none)."""
    tags = json.loads(proposal.record).get("tags") or []
    return Event(
        kind=PROPOSAL,
        key="" if match is None else match.key,
        tags=tuple(str(tag) for tag in tags),
        forecasters=() if proposal.forecaster is None else (proposal.forecaster,),
    )


def queue_proposal_announcements(
    session: Session,
    *,
    routing: Routing,
    tz: ZoneInfo,
    now: dt.datetime,
    limit: int,
    public_url: str | None = None,
) -> list[dict[str, Any]]:
    """Queue an announcement of up to `limit` pending proposals not announced yet, and mark
    them announced (those routed nowhere too: the routes decided). One report entry per
    article: {"article", "proposals", "deliveries"}."""
    proposals = news.proposals_to_announce(session, limit=limit)
    if not proposals:
        return []
    articles = news.articles_by_id(
        session, ids=sorted({p.article_id for p in proposals if p.article_id is not None})
    )
    matches = news.predictions_by_ids(
        session, ids=sorted({p.match_prediction_id for p in proposals if p.match_prediction_id})
    )
    feeds = news.feeds_by_id(
        session, ids=sorted({a.feed_id for a in articles.values() if a.feed_id is not None})
    )
    groups: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in proposals:  # by article; one without an article is a group of its own
        assert proposal.id is not None
        groups[proposal.article_id if proposal.article_id is not None else -proposal.id].append(
            proposal
        )
    # The page lists every proposal waiting, with its Accept and Reject buttons.
    page = None if not public_url else f"{public_url.rstrip('/')}/#proposed"
    queued: list[tuple[outbox.Queued, Sequence[str]]] = []
    report = []
    for group in groups.values():
        article = articles.get(group[0].article_id or 0)
        feed = feeds.get(article.feed_id or 0) if article is not None else None
        about = {
            "article": None if article is None else {**article_json(article),
                                                     "feed": feed.name if feed else None},
            "page": page,
        }  # fmt: skip
        messages = _messages(group, about, matches=matches, routing=routing, tz=tz, now=now)
        queued += messages
        report.append(
            {"article": None if article is None else article.url,
             "proposals": [p.id for p in group], "deliveries": sum(len(t) for _, t in messages)}
        )  # fmt: skip
    enqueue_routed(session, queued=queued, now=now)
    for proposal in proposals:
        proposal.announced_at = now
        session.add(proposal)
    session.flush()
    return report


def _messages(
    group: Sequence[Proposal],
    about: dict[str, Any],
    *,
    matches: Mapping[int, Prediction],
    routing: Routing,
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[tuple[outbox.Queued, Sequence[str]]]:
    """One article's announcements: a message per set of channels routed the same proposals.
    `about`: what each says of the article, and the page's address."""
    wanted: dict[str, list[Proposal]] = defaultdict(list)
    holds: dict[str, outbox.Hold] = {}
    for proposal in group:
        match = matches.get(proposal.match_prediction_id or 0)
        targets = routing.routed(proposal_event(proposal, match), now=now)
        for channel in targets:
            wanted[channel].append(proposal)
        holds.update(targets.holds)
    channels_by_listing: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for channel, listed in wanted.items():
        channels_by_listing[tuple(p.id for p in listed if p.id is not None)].append(channel)
    messages: list[tuple[outbox.Queued, Sequence[str]]] = []
    for ids, channels in channels_by_listing.items():
        listed = [p for p in group if p.id in ids]
        data = {
            "reminder": {
                "kind": PROPOSAL,
                "key": f"{PROPOSAL}-{ids[0]}",
                "scheduled_for": iso(now),
            },
            **about,
            "proposals": [_entry(p, matches.get(p.match_prediction_id or 0), tz) for p in listed],
        }
        item = outbox.NewDelivery(
            prediction_id=None,
            proposal_id=ids[0],
            reminder=f"{PROPOSAL}-{ids[0]}"[:40],
            kind=PROPOSAL,
            due_at=min(p.due_at for p in listed),
            event_type=EVENT_TYPE,
            data=data,
            scheduled_for=now,
        )
        targets = Targets(channels, {c: holds[c] for c in channels if c in holds})
        messages.append((outbox.Queued(item=item, status=DeliveryStatus.PENDING), targets))
    return messages


def _entry(proposal: Proposal, match: Prediction | None, tz: ZoneInfo) -> dict[str, Any]:
    """A proposal as `tracker proposals --json` shows it (its article is the message's, given
    once), with the command that accepts it."""
    entry = proposal_json(proposal, article=None, match=match, tz=tz)
    del entry["article"]
    return {**entry, "accept": accept_command(proposal.id)}
