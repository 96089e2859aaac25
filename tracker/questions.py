"""Use cases for a question's forecasts and edits: add a forecast, edit a question. Each is one
transaction: it commits whole or changes nothing. (Adding, listing, showing and resolving
questions are in tracker.service.)

A forecast is never edited: a revision is a new forecast, refused once the question has closed.
An edit keeps the question as it was in a version; a moved deadline starts its reminders over.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.delivery import ledger as outbox
from tracker.domain.deadlines import DueWindow, Precision, stored_zone
from tracker.domain.forecasts import ForecastInput, check_made_at, close_time
from tracker.domain.people import Actor
from tracker.domain.questions import QuestionChanges, QuestionFields, edited
from tracker.domain.reminders import ReminderPolicy, next_reminder_after
from tracker.errors import AlreadyResolved, InvalidInput
from tracker.persistence import audit, questions, scores, store
from tracker.persistence.db import transaction
from tracker.persistence.models import (
    Forecast,
    Prediction,
    PredictionRecord,
    PredictionStatus,
    Resolution,
)

DEFAULT_POLICY = ReminderPolicy()  # the policy's own defaults, as tracker.service's


@dataclass(frozen=True)
class AddedForecast:
    record: PredictionRecord  # the question, with every forecast (the new one included)
    forecast: Forecast  # the new one


def add_forecast(
    engine: Engine, *, ref: str, forecast: ForecastInput, now: dt.datetime, actor: Actor
) -> AddedForecast:
    """Record a forecast on a question, made at forecast.made_at (None: now). Refused when
    that is at or after the question's close (its deadline, or when it was resolved or the
    event happened), or ahead of the clock."""
    with transaction(engine) as session:
        prediction = store.get_prediction(session, ref=ref, for_update=True)
        assert prediction.id is not None
        current = store.current_resolution(session, prediction_id=prediction.id)
        made_at = check_made_at(
            forecast.made_at or now, close=question_close(prediction, current), now=now
        )
        row = questions.add_forecast(
            session, prediction=prediction, forecast=forecast, made_at=made_at, now=now
        )
        _state_first(prediction, row)
        audit.record(
            session, actor=actor, action="forecast.add", now=now, prediction_id=prediction.id,
            subject=prediction.key, after=audit.forecast_fields(row),
        )  # fmt: skip
        if current is not None:  # a backdated forecast on a resolved question
            scores.rescore(session, [prediction.id])
        record = store.load_records(session, predictions=[prediction], with_history=True)[0]
        return AddedForecast(record=record, forecast=row)


def question_close(prediction: Prediction, current: Resolution | None) -> dt.datetime:
    """When a question closes, given its current resolution (if any)."""
    return close_time(
        prediction.due_at,
        current.resolved_at if current else None,
        current.occurred_on if current else None,
        stored_zone(prediction.timezone),
    )


def _state_first(prediction: Prediction, forecast: Forecast) -> None:
    """A question that states no probability yet takes this forecast as its first stated one
    (what older readers of prediction.forecaster and probability see)."""
    if prediction.probability is not None:
        return
    if prediction.forecaster not in (None, forecast.forecaster):
        return
    prediction.forecaster = forecast.forecaster
    prediction.probability = forecast.probability
    prediction.quote = prediction.quote or forecast.quote


def edit_question(
    engine: Engine,
    *,
    ref: str,
    changes: QuestionChanges,
    note: str,
    now: dt.datetime,
    actor: Actor,
    policy: ReminderPolicy = DEFAULT_POLICY,
    force: bool = False,
) -> PredictionRecord:
    """Change a question's claim, criteria, deadline or tags, keeping how it was as a
    version. A moved deadline reschedules the reminders and cancels those waiting; a
    resolved question's deadline moves only with force. No change at all is refused."""
    if not note.strip():
        raise InvalidInput("an edit needs a note saying why")
    with transaction(engine) as session:
        prediction = store.get_prediction(session, ref=ref, for_update=True)
        assert prediction.id is not None
        record = store.load_records(session, predictions=[prediction])[0]
        before = _fields(record)
        after = edited(before, changes)
        moved = after.deadline() != before.deadline()
        if moved and prediction.status != PredictionStatus.OPEN and not force:
            _refuse_moving_a_resolved_deadline(prediction, record.resolution)
        questions.add_version(
            session, prediction_id=prediction.id, snapshot=before.snapshot(), note=note,
            changed_at=now,
        )  # fmt: skip
        _apply(session, prediction, after, record.tags, now)
        _audit_edit(session, prediction, before, after, note=note, actor=actor, now=now)
        if moved:
            _reschedule(session, prediction, policy, now)
            if prediction.status != PredictionStatus.OPEN:  # forced: the close moves
                scores.rescore(session, [prediction.id])
        return store.load_records(session, predictions=[prediction], with_history=True)[0]


def _audit_edit(
    session: Session,
    prediction: Prediction,
    before: QuestionFields,
    after: QuestionFields,
    *,
    note: str,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """The fields that changed, as they were and as they are, and why."""
    old, new = json.loads(before.snapshot()), json.loads(after.snapshot())
    changed = sorted(name for name in new if new[name] != old.get(name))
    audit.record(
        session, actor=actor, action="question.edit", now=now, prediction_id=prediction.id,
        subject=prediction.key, before={name: old.get(name) for name in changed},
        after={name: new[name] for name in changed} | {"note": note},
    )  # fmt: skip


def _fields(record: PredictionRecord) -> QuestionFields:
    p = record.prediction
    window = DueWindow(
        due_at=p.due_at,
        window_start=p.window_start,
        precision=Precision(p.precision),
        tz=stored_zone(p.timezone),
    )
    tags = tuple(sorted(record.tags))
    return QuestionFields(
        claim=p.claim, criteria=p.criteria, due=window, due_text=p.due_text, tags=tags
    )


def _refuse_moving_a_resolved_deadline(
    prediction: Prediction, resolution: Resolution | None
) -> None:
    outcome = resolution.outcome if resolution else prediction.status
    raise AlreadyResolved(
        f"question {prediction.key!r} is resolved {outcome}; its deadline stays as it was",
        key=prediction.key,
        outcome=outcome,
        resolved_by=resolution.resolved_by if resolution else None,
        resolved_at=resolution.resolved_at if resolution else None,
    )


def _apply(
    session: Session,
    prediction: Prediction,
    after: QuestionFields,
    stored_tags: list[str],
    now: dt.datetime,
) -> None:
    assert prediction.id is not None
    prediction.claim = after.claim
    prediction.criteria = after.criteria
    prediction.due_at = after.due.due_at
    prediction.window_start = after.due.window_start
    prediction.precision = after.due.precision.value
    prediction.timezone = after.due.zone
    prediction.due_text = after.due_text
    prediction.updated_at = now
    if set(after.tags) != set(stored_tags):
        store.replace_tags(session, prediction_id=prediction.id, tags=after.tags)
    session.flush()


def _reschedule(
    session: Session, prediction: Prediction, policy: ReminderPolicy, now: dt.datetime
) -> None:
    """Reminders for the old deadline that are still waiting go; the new deadline's are
    planned from now (a snooze still holds them back). A resolved question has none."""
    assert prediction.id is not None
    outbox.cancel_reminders(
        session, prediction_id=prediction.id, now=now, reason="the deadline moved"
    )
    if prediction.status != PredictionStatus.OPEN:
        return
    upcoming = next_reminder_after(prediction.due_at, policy, now)
    snoozed = prediction.snoozed_until
    if upcoming is not None and snoozed is not None and snoozed > now:
        upcoming = max(upcoming, snoozed)
    prediction.next_reminder_at = upcoming
