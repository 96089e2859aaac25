"""Use cases that move many predictions at once: seed a folder, import a file, store what
`tracker extract --add` accepted, export everything. Each is one transaction.

New keys are inserted in bulk (persistence.bulk); keys already stored are updated one by one
through the same columns adding writes (persistence.rows), so a repeated import changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain.deadlines import restate, stored_zone
from tracker.domain.forecasts import first_forecast, stated_at
from tracker.domain.inputs import ImportedPrediction, PredictionInput
from tracker.domain.people import Actor
from tracker.domain.reminders import ReminderPolicy, first_reminder_at
from tracker.enums import AuditVia
from tracker.io import transfer
from tracker.persistence import audit, bulk, questions, scores, store
from tracker.persistence.db import transaction
from tracker.persistence.models import Outcome, Prediction, PredictionRecord, PredictionStatus

DEFAULT_POLICY = ReminderPolicy()  # the policy's own defaults, as tracker.service's


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def seed(
    engine: Engine,
    *,
    directory: Path,
    tz: ZoneInfo,
    now: dt.datetime,
    actor: Actor,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> ImportReport:
    """Load every seeds file in a folder; running it twice changes nothing."""
    items = transfer.read_seed_dir(directory, tz=tz, now=now)
    change = Change(
        actor=dc_replace(actor, via=AuditVia.SEED), action="seed", source=_as_text(directory)
    )
    return _store_all(engine, items=items, now=now, policy=policy, tz=tz, change=change)


def import_file(
    engine: Engine,
    *,
    path: Path,
    tz: ZoneInfo,
    now: dt.datetime,
    actor: Actor,
    file_format: str | None = None,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> ImportReport:
    with _collector_paused():
        items = transfer.read_export(path, tz=tz, now=now, file_format=file_format)
        change = Change(
            actor=dc_replace(actor, via=AuditVia.IMPORT), action="import", source=_as_text(path)
        )
        return _store_all(engine, items=items, now=now, policy=policy, tz=tz, change=change)


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
    actor: Actor,
    source: str | None = None,
    policy: ReminderPolicy = DEFAULT_POLICY,
    tz: ZoneInfo,
) -> ImportReport:
    """Store validated predictions (from `tracker extract --add`) as seed and import do."""
    change = Change(actor=actor, action="extract.add", source=source)
    return _store_all(engine, items=items, now=now, policy=policy, tz=tz, change=change)


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
    change: Change,
) -> ImportReport:
    """Create new keys, update changed ones; resolution history and versions are taken only
    for new keys, so an import never rewrites how a stored question resolved or was edited.
    A stored question gains the forecasts and sources it lacks."""
    with transaction(engine) as session:
        return store_in(session, items=items, now=now, policy=policy, tz=tz, change=change)


def store_in(
    session: Session,
    *,
    items: Sequence[ImportedPrediction],
    now: dt.datetime,
    policy: ReminderPolicy,
    tz: ZoneInfo,
    change: Change,
    audited: bool = True,
) -> ImportReport:
    """_store_all inside a transaction the caller owns (accepting a proposal stores its
    question and marks it accepted in one)."""
    report = ImportReport()
    stored = store.predictions_by_key(session, keys=[i.prediction.key for i in items])
    new = [item for item in items if item.prediction.key not in stored]
    new_ids = bulk.insert_imported(session, items=new, now=now, policy=policy, tz=tz)
    report.created = [item.prediction.key for item in new]
    known = questions.forecast_keys(
        session,
        prediction_ids=[
            stored[i.prediction.key].id  # type: ignore[misc]
            for i in items
            if i.prediction.key in stored and i.forecasts is not None
        ],
    )
    added: list[dict[str, Any]] = []
    for item in items:
        prediction = stored.get(item.prediction.key)
        if prediction is None:
            continue
        if _update(session, prediction=prediction, item=item, known=known, added=added,
                   now=now, policy=policy):  # fmt: skip
            report.updated.append(item.prediction.key)
        else:
            report.unchanged.append(item.prediction.key)
    bulk.insert_forecasts(session, rows=added)
    scores.rescore(session, _to_rescore(new, new_ids, stored, report.updated))
    if audited:  # a caller that writes its own entry (accepting a proposal) says not
        _audit(session, change, report, now=now)
    return report


@dataclass(frozen=True)
class Change:
    """Who stores many questions at once, how, and from what (a file, a folder)."""

    actor: Actor
    action: str  # "import", "seed", "extract.add"
    source: str | None


def _as_text(path: Path) -> str:
    """A path as stored text: a file name that is not UTF-8 keeps its bytes escaped."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


LISTED_KEYS = 100  # an entry names this many keys of each kind, and counts the rest


def _audit(session: Session, change: Change, report: ImportReport, *, now: dt.datetime) -> None:
    """One entry for the whole import, when it changed anything (a repeat changes nothing)."""
    if not report.created and not report.updated:
        return
    audit.record(
        session, actor=change.actor, action=change.action, now=now, subject=change.source,
        after={
            "source": change.source,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "created_keys": report.created[:LISTED_KEYS],
            "updated_keys": report.updated[:LISTED_KEYS],
        },
    )  # fmt: skip


def _to_rescore(
    new: Sequence[ImportedPrediction],
    new_ids: dict[str, int],
    stored: dict[str, Prediction],
    updated: list[str],
) -> list[int]:
    """The imported questions whose scores may have changed: the new ones resolved yes or
    no, and the stored ones resolved that gained forecasts or a new deadline. (Open ones
    have no scores, so an import of open questions stays as fast as it was.)"""
    scored = (Outcome.YES, Outcome.NO)
    ids = [
        new_ids[item.prediction.key]
        for item in new
        if any(r.superseded_at is None and r.outcome in scored for r in item.history)
    ]
    for key in updated:
        prediction = stored[key]
        if prediction.status == PredictionStatus.RESOLVED and prediction.id is not None:
            ids.append(prediction.id)
    return ids


def _update(
    session: Session,
    *,
    prediction: Prediction,
    item: ImportedPrediction,
    known: dict[int, set[questions.ForecastKey]],
    added: list[dict[str, Any]],
    now: dt.datetime,
    policy: ReminderPolicy,
) -> bool:
    """Bring a stored question up to its record; True when anything changed. Its new
    forecasts are appended to `added`, to be stored in bulk."""
    old_due = prediction.due_at
    data = _in_stored_zone(item.prediction, prediction)
    changed = store.apply_prediction(session, prediction=prediction, data=data, now=now)
    if item.forecasts is None:
        changed = _add_first_forecast(session, prediction=prediction, data=data, now=now) or changed
    else:
        changed = _add_listed(session, prediction, dc_replace(item, prediction=data), known,
                              added, now) or changed  # fmt: skip
    if changed and prediction.due_at != old_due and prediction.status == PredictionStatus.OPEN:
        # A moved deadline has a schedule of its own (the ledger keys reminders by
        # deadline), so its reminders start over.
        prediction.next_reminder_at = first_reminder_at(prediction.due_at, policy)
    return changed


def _add_listed(
    session: Session,
    prediction: Prediction,
    item: ImportedPrediction,
    known: dict[int, set[questions.ForecastKey]],
    added: list[dict[str, Any]],
    now: dt.datetime,
) -> bool:
    """The record's forecasts this question lacks (told apart by forecaster, made_at and
    probability) and the sources it cites beside its first; True when there were any."""
    assert prediction.id is not None
    assert item.forecasts is not None
    data, stored = item.prediction, known.get(prediction.id, set())
    missing = tuple(
        f for f in item.forecasts
        if (f.forecaster, f.made_at or stated_at(data, now=prediction.created_at),
            f.probability) not in stored
    )  # fmt: skip
    more_sources = [s for s in bulk.citing(dc_replace(item, forecasts=missing)) if s != data.source]
    if not missing and not more_sources:
        return False
    item = dc_replace(item, forecasts=missing)
    source_ids = bulk.store_sources(session, items=[item])
    cited = [
        questions.cite_source(session, prediction_id=prediction.id, source_id=source_ids[s])
        for s in more_sources
    ]
    added += bulk.forecast_rows(
        prediction.id, item, source_ids, stored_at=prediction.created_at, now=now
    )
    return bool(missing) or any(cited)


def _add_first_forecast(
    session: Session, *, prediction: Prediction, data: PredictionInput, now: dt.datetime
) -> bool:
    """A stored question gets the forecast its record states when it lacks one by that
    forecaster at that time (a question seeded before forecasts had probabilities); True
    when it was added. Seeding or importing again adds nothing."""
    assert prediction.id is not None
    forecast = first_forecast(data, made_at=stated_at(data, now=prediction.created_at))
    if forecast is None or forecast.made_at is None:
        return False
    if questions.has_forecast(
        session, prediction_id=prediction.id, forecaster=forecast.forecaster, at=forecast.made_at
    ):
        return False
    questions.add_forecast(
        session, prediction=prediction, forecast=forecast, made_at=forecast.made_at, now=now
    )
    return True
