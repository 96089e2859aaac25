"""Use cases for predictions. Each is one transaction: it commits whole or changes nothing.

Resolving cancels the prediction's waiting reminders and queues a "resolved" event for every
channel in the same transaction; adding and reopening schedule reminders.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.domain.deadlines import restate, stored_zone
from tracker.domain.inputs import (
    ImportedPrediction,
    PredictionInput,
    ResolutionInput,
    check_occurred_on,
)
from tracker.domain.reminders import ReminderPolicy, first_reminder_at, next_reminder_after
from tracker.enums import ListStatus
from tracker.errors import AlreadyResolved, Conflict, InvalidInput, KeyTaken
from tracker.io import transfer
from tracker.persistence import bulk, store
from tracker.persistence.db import transaction
from tracker.persistence.models import (
    InboundWebhook,
    Outcome,
    Prediction,
    PredictionRecord,
    PredictionStatus,
    Resolution,
    ResolvedVia,
)
from tracker.persistence.rows import prediction_columns

DEFAULT_POLICY = ReminderPolicy()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def add_prediction(
    engine: Engine,
    *,
    data: PredictionInput,
    now: dt.datetime,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> PredictionRecord:
    with transaction(engine) as session:
        existing = store.find_by_key(session, key=data.key)
        if existing is not None:
            raise KeyTaken(key=data.key, existing_id=existing.id)
        prediction = _create(session, data=data, now=now, policy=policy)
        return store.load_records(session, predictions=[prediction])[0]


def _create(
    session: Session, *, data: PredictionInput, now: dt.datetime, policy: ReminderPolicy
) -> Prediction:
    # The columns are the input's, as an import's (rows.prediction_columns); apply_prediction
    # adds the source, tags and times.
    prediction = Prediction(
        key=data.key,
        next_reminder_at=first_reminder_at(data.due.due_at, policy),
        **prediction_columns(data, source_id=None),
    )
    store.apply_prediction(session, prediction=prediction, data=data, now=now)
    return prediction


def list_predictions(
    engine: Engine,
    *,
    status: ListStatus,
    now: dt.datetime,
    due_soon: dt.timedelta,
    forecaster: str | None = None,
    tag: str | None = None,
) -> list[PredictionRecord]:
    statuses: list[PredictionStatus] | None = {
        ListStatus.OPEN: [PredictionStatus.OPEN],
        ListStatus.DUE_SOON: [PredictionStatus.OPEN],
        ListStatus.OVERDUE: [PredictionStatus.OPEN],
        ListStatus.RESOLVED: [PredictionStatus.RESOLVED],
        ListStatus.ANNULLED: [PredictionStatus.ANNULLED],
        ListStatus.ALL: None,
    }[status]
    due_after = now if status is ListStatus.DUE_SOON else None
    due_before = {ListStatus.DUE_SOON: now + due_soon, ListStatus.OVERDUE: now}.get(status)
    with transaction(engine) as session:
        predictions = store.list_predictions(
            session,
            statuses=statuses,
            due_after=due_after,
            due_before=due_before,
            forecaster=forecaster,
            tag=tag,
        )
        return store.load_records(session, predictions=predictions)


def open_predictions(
    engine: Engine, *, now: dt.datetime, overdue: bool, limit: int
) -> list[PredictionRecord]:
    """The first `limit` open predictions past their deadline (or, with overdue=False, not yet
    at it), soonest deadline first: a page shows a screenful, whatever the database holds."""
    with transaction(engine) as session:
        predictions = store.list_predictions(
            session,
            statuses=[PredictionStatus.OPEN],
            due_before=now if overdue else None,
            due_after=None if overdue else now,
            limit=limit,
        )
        return store.load_records(session, predictions=predictions)


def show_prediction(engine: Engine, *, ref: str) -> PredictionRecord:
    with transaction(engine) as session:
        prediction = store.get_prediction(session, ref=ref)
        return store.load_records(session, predictions=[prediction], with_history=True)[0]


def resolve(
    engine: Engine,
    *,
    ref: str,
    outcome: Outcome,
    now: dt.datetime,
    tz: ZoneInfo,
    note: str | None = None,
    evidence_url: str | None = None,
    occurred_on: dt.date | None = None,
    resolved_by: str | None = None,
    via: ResolvedVia = ResolvedVia.CLI,
    force: bool = False,
) -> PredictionRecord:
    """Record an outcome. The prediction's unsent reminders are cancelled in the same
    transaction, and the resolution row itself is the intent to announce it: the service's
    next pass queues its event for every channel the service has."""
    resolution = _new_resolution(
        outcome, now=now, tz=tz, occurred_on=occurred_on, note=note,
        evidence_url=evidence_url, resolved_by=resolved_by, via=via,
    )  # fmt: skip
    with transaction(engine) as session:
        return _resolve(session, ref=ref, resolution=resolution, tz=tz, force=force)


def resolve_once(
    engine: Engine,
    *,
    request_id: str,
    ref: str,
    outcome: Outcome,
    via: ResolvedVia,
    now: dt.datetime,
    tz: ZoneInfo,
    note: str | None = None,
    evidence_url: str | None = None,
    occurred_on: dt.date | None = None,
    resolved_by: str | None = None,
) -> PredictionRecord | None:
    """Resolve as a signed request asks (a webhook, a Slack click), once per request id:
    None when that id was seen, even if the prediction was reopened since.

    The id is written in the resolution's transaction, so a request that failed (unknown
    prediction, already resolved) can be sent again, and one that succeeded counts once."""
    resolution = _new_resolution(
        outcome, now=now, tz=tz, occurred_on=occurred_on, note=note,
        evidence_url=evidence_url, resolved_by=resolved_by, via=via,
    )  # fmt: skip
    with transaction(engine) as session:
        if _first_time(session, request_id=request_id, ref=ref, now=now) is None:
            return None
        record = _resolve(session, ref=ref, resolution=resolution, tz=tz, force=False)
        _remember(session, request_id=request_id, record=record, what=outcome.value, now=now)
        return record


def snooze_once(
    engine: Engine, *, request_id: str, ref: str, until: dt.datetime, now: dt.datetime
) -> PredictionRecord | None:
    """Hold an open prediction's reminders back until `until` (those waiting are skipped),
    once per request id: None when that id was seen."""
    if until <= now:
        raise InvalidInput("a snooze must end in the future")
    with transaction(engine) as session:
        prediction = _first_time(session, request_id=request_id, ref=ref, now=now)
        if prediction is None:
            return None
        assert prediction.id is not None
        current = store.current_resolution(session, prediction_id=prediction.id)
        if current is not None:
            raise AlreadyResolved(
                f"prediction {prediction.key!r} is already resolved {current.outcome}; "
                "there is nothing to snooze",
                key=prediction.key,
                outcome=current.outcome,
                resolved_by=current.resolved_by,
            )
        prediction.snoozed_until = until
        prediction.next_reminder_at = until
        prediction.updated_at = now
        outbox.hold_reminders(session, prediction_id=prediction.id, now=now)
        record = store.load_records(session, predictions=[prediction], with_history=True)[0]
        _remember(session, request_id=request_id, record=record, what="snooze", now=now)
        return record


# Signed requests older than five minutes are refused anyway; a day leaves room for clocks.
REQUEST_MEMORY = dt.timedelta(days=1)


def _first_time(
    session: Session, *, request_id: str, ref: str, now: dt.datetime
) -> Prediction | None:
    """The prediction, locked, when this request id is new; None when it was seen."""
    # Lock the prediction first: a second request with the same id waits here, and then sees
    # the first one's row (on PostgreSQL as on SQLite).
    prediction = store.get_prediction(session, ref=ref, for_update=True)
    store.forget_requests(session, before=now - REQUEST_MEMORY)
    return prediction if session.get(InboundWebhook, request_id) is None else None


def _remember(
    session: Session, *, request_id: str, record: PredictionRecord, what: str, now: dt.datetime
) -> None:
    session.add(
        InboundWebhook(
            webhook_id=request_id, received_at=now, prediction_id=record.prediction.id,
            outcome=what,
        )
    )  # fmt: skip


def _new_resolution(
    outcome: Outcome,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    occurred_on: dt.date | None,
    note: str | None,
    evidence_url: str | None,
    resolved_by: str | None,
    via: ResolvedVia,
) -> ResolutionInput:
    if occurred_on is not None:
        check_occurred_on(occurred_on, tz=tz, now=now, name="occurred-on")
    return ResolutionInput(
        outcome=outcome,
        resolved_at=now,
        occurred_on=occurred_on,
        note=note,
        evidence_url=evidence_url,
        resolved_by=resolved_by,
        via=via.value,
    )


def _resolve(
    session: Session,
    *,
    ref: str,
    resolution: ResolutionInput,
    tz: ZoneInfo,
    force: bool,
) -> PredictionRecord:
    """Record an outcome inside the caller's transaction (see resolve)."""
    now = resolution.resolved_at
    outcome = resolution.outcome
    prediction = store.get_prediction(session, ref=ref, for_update=True)
    assert prediction.id is not None
    current = store.current_resolution(session, prediction_id=prediction.id)
    if current is not None:
        if not force:
            raise AlreadyResolved(
                f"prediction {prediction.key!r} is already resolved {current.outcome} "
                f"(on {current.resolved_at:%Y-%m-%d})",
                key=prediction.key,
                outcome=current.outcome,
                resolved_by=current.resolved_by,
                resolved_at=current.resolved_at,
            )
        current.superseded_at = now
        current.superseded_note = f"replaced by a new resolution ({outcome.value})"
        _unannounced_stays_so(current, now)
        session.flush()
    store.add_resolution(session, prediction=prediction, resolution=resolution)
    prediction.status = _status_for(outcome).value
    prediction.updated_at = now
    prediction.next_reminder_at = None
    prediction.snoozed_until = None
    outbox.cancel_reminders(session, prediction_id=prediction.id, now=now)
    return store.load_records(session, predictions=[prediction], with_history=True)[0]


def reopen(
    engine: Engine,
    *,
    ref: str,
    now: dt.datetime,
    note: str | None = None,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> PredictionRecord:
    with transaction(engine) as session:
        prediction = store.get_prediction(session, ref=ref, for_update=True)
        assert prediction.id is not None
        current = store.current_resolution(session, prediction_id=prediction.id)
        if current is None:
            raise Conflict(f"prediction {prediction.key!r} is open already; nothing to reopen")
        current.superseded_at = now
        current.superseded_note = note or "reopened"
        _unannounced_stays_so(current, now)
        prediction.status = PredictionStatus.OPEN.value
        prediction.updated_at = now
        prediction.snoozed_until = None
        prediction.next_reminder_at = next_reminder_after(prediction.due_at, policy, now)
        session.flush()
        return store.load_records(session, predictions=[prediction], with_history=True)[0]


def _unannounced_stays_so(resolution: Resolution, now: dt.datetime) -> None:
    """A resolution replaced before the service announced it is not announced at all."""
    if resolution.events_queued_at is None:
        resolution.events_queued_at = now


def _status_for(outcome: Outcome) -> PredictionStatus:
    return PredictionStatus.ANNULLED if outcome is Outcome.ANNULLED else PredictionStatus.RESOLVED


def seed(
    engine: Engine,
    *,
    directory: Path,
    tz: ZoneInfo,
    now: dt.datetime,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> ImportReport:
    """Load every seeds file in a folder; running it twice changes nothing."""
    items = transfer.read_seed_dir(directory, tz=tz, now=now)
    return _store_all(engine, items=items, now=now, policy=policy, tz=tz)


def import_file(
    engine: Engine,
    *,
    path: Path,
    tz: ZoneInfo,
    now: dt.datetime,
    file_format: str | None = None,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> ImportReport:
    with _collector_paused():
        items = transfer.read_export(path, tz=tz, now=now, file_format=file_format)
        return _store_all(engine, items=items, now=now, policy=policy, tz=tz)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """An import builds a few objects per row and no reference cycles, yet every so often
    the cycle collector walks all of them: a tenth of a 100,000-row import's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def export_records(engine: Engine) -> list[PredictionRecord]:
    with transaction(engine) as session:
        return store.load_records(
            session, predictions=store.all_predictions(session), with_history=True
        )


def store_predictions(
    engine: Engine,
    *,
    items: Sequence[ImportedPrediction],
    now: dt.datetime,
    policy: ReminderPolicy = DEFAULT_POLICY,
    tz: ZoneInfo,
) -> ImportReport:
    """Store validated predictions (from `tracker extract --add`) as seed and import do."""
    return _store_all(engine, items=items, now=now, policy=policy, tz=tz)


def _in_stored_zone(data: PredictionInput, prediction: Prediction) -> PredictionInput:
    """A record that names no zone (a seeds file, an older export) is read, for a key already
    stored, in the zone that prediction's deadline was stated in, not today's default: seeding
    again after TRACKER_TIMEZONE changed moves no deadline."""
    if data.zone_stated or prediction.timezone == data.due.zone:
        return data
    zone = stored_zone(prediction.timezone)
    source = data.source
    if source is not None and source.published_at is not None:
        # A publication day ("published = 2024-12-24") was read in the default zone too.
        local = source.published_at.astimezone(data.due.tz)
        if local.time() == dt.time():
            midnight = dt.datetime.combine(local.date(), dt.time(), zone)
            source = dc_replace(source, published_at=midnight.astimezone(dt.UTC))
    return dc_replace(data, due=restate(data.due, zone), source=source)


def _store_all(
    engine: Engine,
    *,
    items: Sequence[ImportedPrediction],
    now: dt.datetime,
    policy: ReminderPolicy,
    tz: ZoneInfo,
) -> ImportReport:
    """Create new keys, update changed ones; resolution history is taken only for new keys,
    so an import never rewrites how a stored prediction resolved."""
    report = ImportReport()
    with transaction(engine) as session:
        stored = store.predictions_by_key(session, keys=[i.prediction.key for i in items])
        new = [item for item in items if item.prediction.key not in stored]
        bulk.insert_imported(session, items=new, now=now, policy=policy, tz=tz)
        report.created = [item.prediction.key for item in new]
        for item in items:
            prediction = stored.get(item.prediction.key)
            if prediction is None:
                continue
            old_due = prediction.due_at
            data = _in_stored_zone(item.prediction, prediction)
            if store.apply_prediction(session, prediction=prediction, data=data, now=now):
                if prediction.due_at != old_due and prediction.status == PredictionStatus.OPEN:
                    # A moved deadline has a schedule of its own (the ledger keys reminders by
                    # deadline), so its reminders start over.
                    prediction.next_reminder_at = first_reminder_at(prediction.due_at, policy)
                report.updated.append(item.prediction.key)
            else:
                report.unchanged.append(item.prediction.key)
    return report
