"""Use cases for predictions: add, list, show, resolve, snooze, reopen. Each is one
transaction: it commits whole or changes nothing. (Seeding, importing and exporting many at
once are in tracker.importing, which an everyday command does not load.)

Resolving cancels the prediction's waiting reminders and queues a "resolved" event for every
channel in the same transaction; adding and reopening schedule reminders.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.domain.forecasts import check_made_at, first_forecast, stated_at
from tracker.domain.inputs import (
    PredictionInput,
    ResolutionInput,
    check_occurred_on,
)
from tracker.domain.people import Actor
from tracker.domain.reminders import ReminderPolicy, first_reminder_at, next_reminder_after
from tracker.enums import ListStatus
from tracker.errors import AlreadyResolved, Conflict, InvalidInput, KeyTaken
from tracker.persistence import audit, inbound, paging, questions, scores, store
from tracker.persistence.db import transaction
from tracker.persistence.models import (
    Outcome,
    Prediction,
    PredictionRecord,
    PredictionStatus,
    Resolution,
    ResolvedVia,
)
from tracker.persistence.rows import prediction_columns

DEFAULT_POLICY = ReminderPolicy()


def add_prediction(
    engine: Engine,
    *,
    data: PredictionInput,
    now: dt.datetime,
    actor: Actor,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> PredictionRecord:
    with transaction(engine) as session:
        existing = store.find_by_key(session, key=data.key)
        if existing is not None:
            raise KeyTaken(key=data.key, existing_id=existing.id)
        prediction = _create(session, data=data, now=now, policy=policy)
        record = store.load_records(session, predictions=[prediction])[0]
        audit.record(
            session, actor=actor, action="question.add", now=now,
            prediction_id=prediction.id, subject=prediction.key,
            after=audit.question_fields(record),
        )  # fmt: skip
        return record


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
    # Made when stated, else when its source was published (as an import reads it), else now.
    made_at = min(stated_at(data, now=now), now)
    forecast = first_forecast(data, made_at=made_at)
    if forecast is not None:
        if data.made_at is not None:
            # A time stated for it must fall before the deadline; made now, it is kept even
            # past the deadline (a question added late), and the scores leave it out.
            check_made_at(data.made_at, close=data.due.due_at, now=now)
        questions.add_forecast(
            session, prediction=prediction, forecast=forecast, made_at=made_at, now=now
        )
    return prediction


def list_predictions(
    engine: Engine,
    *,
    status: ListStatus,
    now: dt.datetime,
    due_soon: dt.timedelta,
    forecaster: str | None = None,
    tag: str | None = None,
    search: str | None = None,
    limit: int = paging.MAX_LIMIT,
    cursor: str | None = None,
) -> paging.Page[PredictionRecord]:
    """A page of predictions in list order (soonest deadline, then id), after the one
    `cursor` names; BadCursor for a cursor this list did not hand out."""
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
    after = paging.decode_cursor(cursor, "q", (dt.datetime, int)) if cursor else None
    with transaction(engine) as session:
        predictions = store.list_predictions(
            session, statuses=statuses, due_after=due_after, due_before=due_before,
            forecaster=forecaster, tag=tag, search=search, after=after,
            limit=paging.check_limit(limit) + 1,
        )  # fmt: skip
        page = paging.page_of(predictions, limit, lambda p: (p.due_at, p.id), "q")
        return paging.Page(store.load_records(session, predictions=page.items), page.next)


def open_predictions(
    engine: Engine, *, now: dt.datetime, overdue: bool, limit: int, cursor: str | None = None
) -> paging.Page[PredictionRecord]:
    """A page of `limit` open predictions past their deadline (or, with overdue=False, not
    yet at it), soonest deadline first, after the one `cursor` names: a page shows a
    screenful, whatever the database holds. Its cursors are the list's own."""
    after = paging.decode_cursor(cursor, "q", (dt.datetime, int)) if cursor else None
    with transaction(engine) as session:
        predictions = store.list_predictions(
            session,
            statuses=[PredictionStatus.OPEN],
            due_before=now if overdue else None,
            due_after=None if overdue else now,
            after=after,
            limit=limit + 1,
        )
        page = paging.page_of(predictions, limit, lambda p: (p.due_at, p.id), "q")
        return paging.Page(store.load_records(session, predictions=page.items), page.next)


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
    actor: Actor,
) -> PredictionRecord:
    """Record an outcome. The prediction's unsent reminders are cancelled in the same
    transaction, and the resolution row itself is the intent to announce it: the service's
    next pass queues its event for every channel the service has."""
    resolution = _new_resolution(
        outcome, now=now, tz=tz, occurred_on=occurred_on, note=note,
        evidence_url=evidence_url, resolved_by=resolved_by or actor.name, via=via,
    )  # fmt: skip
    with transaction(engine) as session:
        return _resolve(session, ref=ref, resolution=resolution, tz=tz, force=force, actor=actor)


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
    actor: Actor,
) -> PredictionRecord | None:
    """Resolve as a signed request asks (a webhook, a Slack click), once per request id:
    None when that id was seen, even if the prediction was reopened since.

    The id is written in the resolution's transaction, so a request that failed (unknown
    prediction, already resolved) can be sent again, and one that succeeded counts once."""
    resolution = _new_resolution(
        outcome, now=now, tz=tz, occurred_on=occurred_on, note=note,
        evidence_url=evidence_url, resolved_by=resolved_by or actor.name, via=via,
    )  # fmt: skip
    with transaction(engine) as session:
        if _first_time(session, request_id=request_id, ref=ref, now=now) is None:
            return None
        record = _resolve(session, ref=ref, resolution=resolution, tz=tz, force=False, actor=actor)
        _remember(session, request_id=request_id, record=record, what=outcome.value, now=now)
        return record


def snooze_once(
    engine: Engine,
    *,
    request_id: str,
    ref: str,
    until: dt.datetime,
    now: dt.datetime,
    actor: Actor,
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
        before = {"snoozed_until": prediction.snoozed_until}
        prediction.snoozed_until = until
        prediction.next_reminder_at = until
        prediction.updated_at = now
        outbox.hold_reminders(session, prediction_id=prediction.id, now=now)
        audit.record(
            session, actor=actor, action="question.snooze", now=now,
            prediction_id=prediction.id, subject=prediction.key,
            before=before, after={"snoozed_until": until},
        )  # fmt: skip
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
    inbound.forget_requests(session, before=now - REQUEST_MEMORY)
    return None if inbound.was_seen(session, request_id=request_id) else prediction


def _remember(
    session: Session, *, request_id: str, record: PredictionRecord, what: str, now: dt.datetime
) -> None:
    inbound.remember(
        session, request_id=request_id, prediction_id=record.prediction.id, what=what, now=now
    )


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
    actor: Actor,
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
    before = audit.resolution_fields(current) if current is not None else None
    added = store.add_resolution(session, prediction=prediction, resolution=resolution)
    audit.record(
        session, actor=actor, action="question.resolve", now=now, prediction_id=prediction.id,
        subject=prediction.key, before=before, after=audit.resolution_fields(added),
    )  # fmt: skip
    prediction.status = _status_for(outcome).value
    prediction.updated_at = now
    prediction.next_reminder_at = None
    prediction.snoozed_until = None
    outbox.cancel_reminders(session, prediction_id=prediction.id, now=now)
    scores.rescore(session, [prediction.id])  # yes/no: scored; annulled: no rows
    return store.load_records(session, predictions=[prediction], with_history=True)[0]


def reopen(
    engine: Engine,
    *,
    ref: str,
    now: dt.datetime,
    note: str | None = None,
    policy: ReminderPolicy = DEFAULT_POLICY,
    actor: Actor,
) -> PredictionRecord:
    with transaction(engine) as session:
        prediction = store.get_prediction(session, ref=ref, for_update=True)
        assert prediction.id is not None
        current = store.current_resolution(session, prediction_id=prediction.id)
        if current is None:
            raise Conflict(f"prediction {prediction.key!r} is open already; nothing to reopen")
        before = audit.resolution_fields(current)
        current.superseded_at = now
        current.superseded_note = note or "reopened"
        _unannounced_stays_so(current, now)
        audit.record(
            session, actor=actor, action="question.reopen", now=now,
            prediction_id=prediction.id, subject=prediction.key, before=before,
            after={"status": PredictionStatus.OPEN.value, "note": note},
        )  # fmt: skip
        prediction.status = PredictionStatus.OPEN.value
        prediction.updated_at = now
        prediction.snoozed_until = None
        prediction.next_reminder_at = next_reminder_after(prediction.due_at, policy, now)
        scores.rescore(session, [prediction.id])  # open again: its rows go
        return store.load_records(session, predictions=[prediction], with_history=True)[0]


def _unannounced_stays_so(resolution: Resolution, now: dt.datetime) -> None:
    """A resolution replaced before the service announced it is not announced at all."""
    if resolution.events_queued_at is None:
        resolution.events_queued_at = now


def _status_for(outcome: Outcome) -> PredictionStatus:
    return PredictionStatus.ANNULLED if outcome is Outcome.ANNULLED else PredictionStatus.RESOLVED


# For use cases that resolve inside their own transaction (accepting evidence from the news).
new_resolution = _new_resolution
resolve_in = _resolve
