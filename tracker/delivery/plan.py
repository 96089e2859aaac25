"""The first half of a pass: turn what has come due into Delivery rows.

Reminders: only predictions whose next_reminder_at has passed are read (an indexed range), so
a pass costs O(due predictions). What each one needs is planned against the ledger, so nothing
already queued is queued again, whatever the policy was when it was.
Resolution events: every resolution not yet announced becomes one row per channel of the
service doing the pass (the shell that resolved need not know the channels).
New proposals (forecasts found in news, waiting for a person) are announced once each
(announce.py).
Each reminder or event goes only to the channels its route names (domain/routing.py): with no
routes, to every channel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.delivery.announce import queue_proposal_announcements
from tracker.delivery.digests import send_digests
from tracker.delivery.evidence_announce import queue_evidence_announcements
from tracker.delivery.lookups import LedgerReminders, reminders_in_ledger
from tracker.delivery.nudges import queue_stale_nudges
from tracker.delivery.routed import Routing, enqueue_routed, event_for
from tracker.domain.reminders import ReminderPolicy, due_reminders, policy_fingerprint, schedule
from tracker.enums import REMINDER_KINDS
from tracker.io.questions import latest_forecasts_json
from tracker.io.records import iso, prediction_json, resolution_json
from tracker.persistence import state, store
from tracker.persistence.db import transaction
from tracker.persistence.models import DeliveryStatus, PredictionRecord, Resolution

QUEUE_BATCH = 500
# The first batch is small: its reminders go out while the rest are planned (see Worker).
FIRST_BATCH = 50
POLICY_STATE = "reminder_policy"
# A prediction whose reminders cannot be planned is looked at again this much later; the
# others in its batch go ahead.
RETRY_UNPLANNABLE_AFTER = dt.timedelta(hours=1)

log = logging.getLogger("tracker.queueing")


@dataclass
class QueueReport:
    queued: list[dict[str, Any]] = field(default_factory=list)  # {prediction, reminder, ...}
    skipped: int = 0
    superseded: int = 0
    predictions: int = 0
    events: int = 0  # resolution events queued
    nudges: list[dict[str, Any]] = field(default_factory=list)  # {prediction, forecaster, ...}
    digests: list[dict[str, Any]] = field(default_factory=list)  # {channel, digest, items}
    proposals: list[dict[str, Any]] = field(default_factory=list)  # {article, proposals, ...}
    evidence: list[dict[str, Any]] = field(default_factory=list)  # {evidence, question, ...}


def queue_due(
    engine: Engine,
    *,
    policy: ReminderPolicy,
    channels: Sequence[str] | Routing,
    tz: ZoneInfo,
    now: dt.datetime,
    dry_run: bool = False,
    stale_after: dt.timedelta | None = None,
    public_url: str | None = None,
    turns: AbstractContextManager[Any] | None = None,
    stop: threading.Event | None = None,
) -> QueueReport:
    """Queue every reminder and resolution event that is due, a batch per transaction.
    `channels`: every channel (no routes), or a Routing. `public_url`: where the page is, for
    announcements of new proposals to link to. `turns`: held around each batch's transaction,
    shared with the sends that run beside it (SQLite: see Worker)."""
    report = QueueReport()
    routing = channels if isinstance(channels, Routing) else Routing(channels=channels)
    with transaction(engine, commit=not dry_run) as session:
        _notice_policy_change(session, policy=policy, now=now)
        _queue_resolution_events(session, routing=routing, tz=tz, now=now, report=report)
        report.proposals += queue_proposal_announcements(
            session, routing=routing, tz=tz, now=now, limit=QUEUE_BATCH, public_url=public_url
        )
        report.evidence += queue_evidence_announcements(
            session, routing=routing, tz=tz, now=now, limit=QUEUE_BATCH
        )
        if stale_after is not None:
            report.nudges += queue_stale_nudges(
                session, stale_after=stale_after, routing=routing, tz=tz, now=now
            )
        if dry_run:  # one look, then roll back: the same rows would come back forever
            _queue_reminder_batch(session, policy=policy, routing=routing, tz=tz, now=now,
                                  report=report)  # fmt: skip
    batch = FIRST_BATCH
    turn = turns or contextlib.nullcontext()
    while not dry_run and not (stop is not None and stop.is_set()):  # the rest: next pass's
        with turn, transaction(engine) as session:
            count = _queue_reminder_batch(
                session, policy=policy, routing=routing, tz=tz, now=now, report=report,
                limit=batch,
            )  # fmt: skip
        if count < batch:
            break
        batch = min(4 * batch, QUEUE_BATCH)  # 50, 200, 500: the sends beside it wait less
    # After the reminders, so that one held at a period's very end is in its message.
    report.digests = send_digests(engine, routing=routing, now=now, dry_run=dry_run)
    return report


def _notice_policy_change(session: Session, *, policy: ReminderPolicy, now: dt.datetime) -> None:
    """When the reminder settings changed since the last pass, every open prediction is looked
    at again once (its stored next time came from the old policy)."""
    fingerprint = policy_fingerprint(policy)
    stored = state.get_state(session, name=POLICY_STATE)
    if stored == fingerprint:
        return
    if stored is not None:
        store.recheck_open_predictions(session)
    state.set_state(session, name=POLICY_STATE, value=fingerprint, now=now)


def _queue_reminder_batch(
    session: Session,
    *,
    policy: ReminderPolicy,
    routing: Routing,
    tz: ZoneInfo,
    now: dt.datetime,
    report: QueueReport,
    limit: int = QUEUE_BATCH,
) -> int:
    batch = store.due_for_reminder(session, now=now, limit=limit)
    records = store.load_records(session, predictions=batch)
    ledger = reminders_in_ledger(session, predictions=batch)
    queued: list[tuple[outbox.Queued, list[str]]] = []
    for record in records:
        assert record.prediction.id is not None
        targets = {
            kind: routing.targets(session, record, event_for(record, kind, now), now=now)
            for kind in REMINDER_KINDS
        }
        held = ledger[record.prediction.id]
        handled = {
            key for key, (kind, present) in held.on.items() if set(targets.get(kind, ())) <= present
        } | _superseded(record.prediction.due_at, policy, held)
        queued += [
            (q, routing.held_for(targets[q.item.kind], q.item.scheduled_for))
            for q in _plan_or_postpone(record, handled=handled, policy=policy, tz=tz, now=now)
        ]
    sending = [(q, t) for q, t in queued if q.status is DeliveryStatus.PENDING]
    # A later reminder makes the earlier ones stale wherever they were going, so they are
    # superseded even when the later one is routed nowhere.
    report.superseded += outbox.supersede_reminders(
        session,
        keeping=[(p, q.item.reminder) for q, _ in sending if (p := q.item.prediction_id)],
        now=now,
    )
    # Only what is sent costs a row: a reminder superseded before it was ever sent is named
    # in the row of the one that supersedes it (seven rows a reminder, when everything was
    # long past due, became one).
    enqueue_routed(session, queued=[(q, t) for q, t in sending], now=now)
    keys = {r.prediction.id: r.prediction.key for r in records}
    report.queued += [
        {"prediction": keys[q.item.prediction_id], "reminder": q.item.reminder,
         "deliveries": len(targets)}
        for q, targets in sending
    ]  # fmt: skip
    report.skipped += sum(len(t) for q, t in queued if q.status is not DeliveryStatus.PENDING)
    report.predictions += len(batch)
    return len(batch)


def _superseded(due_at: dt.datetime, policy: ReminderPolicy, held: LedgerReminders) -> set[str]:
    """The reminders of the schedule due no later than the latest in the ledger, and not in it
    themselves: superseded by it, and never to be sent, even if a new policy makes one of them
    the latest whose time has come (as dropping a lead time would)."""
    if held.latest_at is None:
        return set()
    latest = held.latest_at
    return {r.key for r in schedule(due_at, policy) if r.at <= latest and r.key not in held.on}


def _plan_or_postpone(
    record: PredictionRecord,
    *,
    handled: set[str],
    policy: ReminderPolicy,
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[outbox.Queued]:
    """One row an older release let in, that no rule here foresaw, must never stop every other
    prediction's reminders: it is logged and postponed, and the pass goes on."""
    prediction = record.prediction
    assert prediction.id is not None
    try:
        return _plan(record, handled=handled, policy=policy, tz=tz, now=now)
    except Exception as error:  # whatever it is, it is this row's alone
        prediction.next_reminder_at = now + RETRY_UNPLANNABLE_AFTER
        log.error(
            "prediction %s: its reminders could not be planned (%s: %s); trying again at %s",
            prediction.key,
            type(error).__name__,
            " ".join(str(error).split())[:200],
            iso(prediction.next_reminder_at),
        )
        return []


def _plan(
    record: PredictionRecord,
    *,
    handled: set[str],
    policy: ReminderPolicy,
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[outbox.Queued]:
    """The reminders of one prediction whose time has come and that the ledger lacks: the
    latest to send, the rest skipped; its next reminder time moves past them."""
    prediction = record.prediction
    assert prediction.id is not None
    plan = due_reminders(
        prediction.due_at, policy, handled=handled, now=now, snoozed_until=prediction.snoozed_until
    )
    prediction.next_reminder_at = plan.next_at
    if prediction.snoozed_until is not None and now >= prediction.snoozed_until:
        prediction.snoozed_until = None
    if plan.send is None and not plan.skipped:
        return []
    prediction_data = prediction_json(record, tz=tz, now=now)
    forecasts = latest_forecasts_json(record, now)
    queued = []
    for reminder in (*plan.skipped, *([plan.send] if plan.send else [])):
        item = outbox.NewDelivery(
            prediction_id=prediction.id,
            reminder=reminder.key,
            kind=reminder.kind.value,
            due_at=prediction.due_at,
            event_type="prediction.reminder",
            data={
                "reminder": {
                    "kind": reminder.kind.value,
                    "key": reminder.key,
                    "scheduled_for": iso(reminder.at),
                    "number": reminder.number,
                    # The earlier reminders this one makes stale: never sent, and (the ledger
                    # being lean) on record only here.
                    "skipped": [r.key for r in plan.skipped] if reminder is plan.send else [],
                },
                "prediction": prediction_data,
                # Each forecaster's forecast in force as the reminder is queued.
                "forecasts": forecasts,
            },
            scheduled_for=reminder.at,
        )
        status = DeliveryStatus.PENDING if reminder is plan.send else DeliveryStatus.SKIPPED
        queued.append(outbox.Queued(item=item, status=status))
    return queued


def _queue_resolution_events(
    session: Session,
    *,
    routing: Routing,
    tz: ZoneInfo,
    now: dt.datetime,
    report: QueueReport,
) -> None:
    resolutions = store.resolutions_to_announce(session, limit=QUEUE_BATCH)
    if not resolutions:
        return
    by_prediction: dict[int, list[Resolution]] = defaultdict(list)
    for resolution in resolutions:
        by_prediction[resolution.prediction_id].append(resolution)
    predictions = store.predictions_by_id(session, ids=list(by_prediction))
    queued: list[tuple[outbox.Queued, list[str]]] = []
    for record in store.load_records(session, predictions=predictions):
        prediction = record.prediction
        assert prediction.id is not None
        data = prediction_json(record, tz=tz, now=now)
        forecasts = latest_forecasts_json(record, now)
        targets = routing.targets(session, record, event_for(record, "resolved", now), now=now)
        for resolution in by_prediction[prediction.id]:
            item = outbox.NewDelivery(
                prediction_id=prediction.id,
                reminder=f"resolved-{resolution.id}",
                kind="resolved",
                due_at=prediction.due_at,
                event_type="prediction.resolved",
                data={
                    "reminder": {
                        "kind": "resolved",
                        "key": f"resolved-{resolution.id}",
                        "scheduled_for": iso(resolution.resolved_at),
                    },
                    "prediction": data,
                    "resolution": resolution_json(resolution),
                    "forecasts": forecasts,
                },
                scheduled_for=resolution.resolved_at,
            )
            queued.append((outbox.Queued(item=item, status=DeliveryStatus.PENDING), targets))
    enqueue_routed(session, queued=queued, now=now)
    for resolution in resolutions:
        resolution.events_queued_at = now
    report.events += len(queued)
