"""Queries and persistence. Keyword-only functions that take a session; no commits here."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.deadlines import stored_zone
from tracker.domain.inputs import PredictionInput, ResolutionInput, SourceInput
from tracker.domain.resolutions import resolution_row
from tracker.enums import REMINDER_KINDS
from tracker.errors import NotFound
from tracker.persistence.models import (
    Delivery,
    DeliveryStatus,
    InboundWebhook,
    Prediction,
    PredictionRecord,
    PredictionStatus,
    PredictionTag,
    Resolution,
    ServiceState,
    Source,
)
from tracker.persistence.rows import creation_times, prediction_columns

# Ids are INTEGER columns: 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1


def get_prediction(session: Session, *, ref: str, for_update: bool = False) -> Prediction:
    """A prediction by numeric id or by key."""
    text = ref.strip()
    query = select(Prediction)
    if text.isascii() and text.isdigit():
        if len(text) > 10 or int(text) > MAX_ID:  # no row has it; PostgreSQL would refuse it
            raise NotFound(f"no prediction has id {text}")
        query = query.where(Prediction.id == int(text))
        missing = f"no prediction has id {text}"
    else:
        query = query.where(Prediction.key == text.lower())
        missing = f"no prediction has key {text!r}"
    if for_update:
        query = query.with_for_update()
    prediction = session.exec(query).first()
    if prediction is None:
        raise NotFound(f"{missing} (see `tracker list --status all`)")
    return prediction


def find_by_key(session: Session, *, key: str) -> Prediction | None:
    return session.exec(select(Prediction).where(Prediction.key == key)).first()


def list_predictions(
    session: Session,
    *,
    statuses: Sequence[PredictionStatus] | None = None,
    due_after: dt.datetime | None = None,
    due_before: dt.datetime | None = None,
    forecaster: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
) -> list[Prediction]:
    query = select(Prediction)
    if statuses:
        query = query.where(col(Prediction.status).in_([s.value for s in statuses]))
    if due_after is not None:
        query = query.where(Prediction.due_at >= due_after)
    if due_before is not None:
        query = query.where(Prediction.due_at < due_before)
    if forecaster:
        # lower() on both sides: SQLite's lower() folds ASCII only, Python's folds everything.
        query = query.where(sa.func.lower(Prediction.forecaster) == sa.func.lower(forecaster))
    if tag:
        tagged = select(PredictionTag.prediction_id).where(PredictionTag.tag == tag.lower())
        query = query.where(col(Prediction.id).in_(tagged))
    query = query.order_by(col(Prediction.due_at), col(Prediction.id)).limit(limit)
    return list(session.exec(query).all())


def load_records(
    session: Session, *, predictions: Sequence[Prediction], with_history: bool = False
) -> list[PredictionRecord]:
    """Attach sources, tags and resolutions with one query each, not one per prediction."""
    ids = [p.id for p in predictions if p.id is not None]
    tags: dict[int, list[str]] = defaultdict(list)
    resolutions: dict[int, list[Resolution]] = defaultdict(list)
    sources: dict[int, Source] = {}
    for chunk in _chunks(ids):
        for row in session.exec(
            select(PredictionTag)
            .where(col(PredictionTag.prediction_id).in_(chunk))
            .order_by(col(PredictionTag.tag))
        ):
            tags[row.prediction_id].append(row.tag)
        query = select(Resolution).where(col(Resolution.prediction_id).in_(chunk))
        if not with_history:
            query = query.where(col(Resolution.superseded_at).is_(None))
        for res in session.exec(query.order_by(col(Resolution.resolved_at), col(Resolution.id))):
            resolutions[res.prediction_id].append(res)
    source_ids = sorted({p.source_id for p in predictions if p.source_id is not None})
    for chunk in _chunks(source_ids):
        for source in session.exec(select(Source).where(col(Source.id).in_(chunk))):
            assert source.id is not None
            sources[source.id] = source
    records = []
    for p in predictions:
        assert p.id is not None
        history = resolutions.get(p.id, [])
        current = next((r for r in history if r.superseded_at is None), None)
        records.append(
            PredictionRecord(
                prediction=p,
                source=sources.get(p.source_id) if p.source_id is not None else None,
                tags=tags.get(p.id, []),
                resolution=current,
                history=list(history) if with_history else None,
            )
        )
    return records


def _chunks(ids: Sequence[int], size: int = 500) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def current_resolution(session: Session, *, prediction_id: int) -> Resolution | None:
    return session.exec(
        select(Resolution).where(
            Resolution.prediction_id == prediction_id, col(Resolution.superseded_at).is_(None)
        )
    ).first()


def upsert_source(session: Session, *, source: SourceInput) -> Source:
    """The stored source with the same URL, or (without one) the same title, publisher and
    date; else a new one. A stored source only gains fields it lacked: other predictions
    cite it, so its title or date are never overwritten."""
    if source.url:
        query = select(Source).where(Source.url == source.url)
    elif source.title:
        query = select(Source).where(
            col(Source.url).is_(None),
            Source.title == source.title,
            _same(Source.publisher, source.publisher),
            _same(Source.published_at, source.published_at),
        )
    else:
        query = None
    stored = session.exec(query).first() if query is not None else None
    if stored is None:
        stored = Source(
            url=source.url,
            title=source.title,
            publisher=source.publisher,
            author=source.author,
            published_at=source.published_at,
        )
        session.add(stored)
        session.flush()
        return stored
    for name in ("title", "publisher", "author", "published_at"):
        if getattr(stored, name) is None and getattr(source, name) is not None:
            setattr(stored, name, getattr(source, name))
    return stored


def _same(column: Any, value: Any) -> Any:
    return col(column).is_(None) if value is None else column == value


def apply_prediction(
    session: Session, *, prediction: Prediction, data: PredictionInput, now: dt.datetime
) -> bool:
    """Write the input's fields onto a prediction; True when anything changed."""
    is_new = prediction.id is None
    source_id = (
        upsert_source(session, source=data.source).id
        if data.source is not None and not data.source.is_empty()
        else None
    )
    wanted = prediction_columns(data, source_id=source_id)
    changed = False
    for name, value in wanted.items():
        if getattr(prediction, name) != value:
            setattr(prediction, name, value)
            changed = True
    if is_new:
        for name, value in creation_times(data, now).items():
            setattr(prediction, name, value)
        session.add(prediction)
        session.flush()
    assert prediction.id is not None
    stored_tags = set(
        session.exec(
            select(PredictionTag.tag).where(PredictionTag.prediction_id == prediction.id)
        ).all()
    )
    if stored_tags != set(data.tags):
        session.execute(
            sa.delete(PredictionTag).where(col(PredictionTag.prediction_id) == prediction.id)
        )
        session.add_all(PredictionTag(prediction_id=prediction.id, tag=t) for t in data.tags)
        changed = True
    if changed and not is_new:
        prediction.updated_at = now
    return changed


def add_resolution(
    session: Session,
    *,
    prediction: Prediction,
    resolution: ResolutionInput,
    announced: bool = False,
) -> Resolution:
    assert prediction.id is not None
    values = resolution_row(
        prediction.id,
        prediction.due_at,
        prediction.window_start,
        resolution,
        stored_zone(prediction.timezone),
    )
    row = Resolution(**values | {"events_queued_at": values["resolved_at"] if announced else None})
    session.add(row)
    session.flush()
    return row


def all_predictions(session: Session) -> list[Prediction]:
    return list(session.exec(select(Prediction).order_by(col(Prediction.id))).all())


def due_for_reminder(session: Session, *, now: dt.datetime, limit: int) -> list[Prediction]:
    """Open predictions whose next reminder time has come; rows another worker is queueing
    are skipped (PostgreSQL), so two checks never queue the same reminder."""
    return list(
        session.exec(
            select(Prediction)
            .where(
                Prediction.status == PredictionStatus.OPEN.value,
                col(Prediction.next_reminder_at) <= now,
            )
            .order_by(col(Prediction.next_reminder_at), col(Prediction.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


@dataclass(frozen=True)
class SummaryFilter:
    since: dt.datetime | None = None  # predictions due at or after this
    forecaster: str | None = None
    exclude_early_before: dt.datetime | None = None  # leave out "yes" not yet due at this time


def _filtered(query: Any, filters: SummaryFilter) -> Any:
    if filters.since is not None:
        query = query.where(col(Prediction.due_at) >= filters.since)
    if filters.forecaster:
        query = query.where(
            sa.func.lower(Prediction.forecaster) == sa.func.lower(filters.forecaster)
        )
    return query


def _current_resolution_join() -> Any:
    return sa.and_(
        col(Resolution.prediction_id) == col(Prediction.id),
        col(Resolution.superseded_at).is_(None),
    )


def summary_counts(
    session: Session, *, filters: SummaryFilter, now: dt.datetime, due_soon: dt.timedelta
) -> dict[str, int]:
    """Open (due soon, overdue) and annulled: read through the status index, no join. The
    resolved ones are counted from summary_rows, which reads them anyway."""
    is_open = col(Prediction.status) == PredictionStatus.OPEN.value

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    soon = sa.and_(is_open, col(Prediction.due_at) >= now, col(Prediction.due_at) < now + due_soon)
    query = _filtered(
        sa.select(
            count(is_open),
            count(soon),
            count(sa.and_(is_open, col(Prediction.due_at) < now)),
            count(col(Prediction.status) == PredictionStatus.ANNULLED.value),
        ).where(
            col(Prediction.status).in_(
                [PredictionStatus.OPEN.value, PredictionStatus.ANNULLED.value]
            )
        ),
        filters,
    )
    values = session.execute(query).one()
    names = ("open", "due_soon", "overdue", "annulled")
    return {name: int(value or 0) for name, value in zip(names, values, strict=True)}


@dataclass(frozen=True)
class OutcomeCount:
    group: str | None
    probability: float | None
    yes: bool  # resolved "yes" (whether or not inside its window)
    came_true: bool  # "yes", and inside its window when the day it happened is known
    early: bool  # "yes" for a prediction not yet due (at the summary's `now`)
    count: int


def summary_rows(
    session: Session, *, filters: SummaryFilter, by: str | None, now: dt.datetime
) -> list[OutcomeCount]:
    """Resolved yes/no predictions grouped in the database, so that the result grows with
    distinct probabilities (and groups), not with predictions. One scan serves the counts,
    the hit rates, the scores and --exclude-early."""
    yes = sa.case((col(Resolution.outcome) == "yes", 1), else_=0)
    came_true = sa.case((col(Resolution.came_true), 1), else_=0)
    early = sa.case(
        (sa.and_(col(Resolution.outcome) == "yes", col(Prediction.due_at) > now), 1), else_=0
    )
    group: Any = sa.literal(None)
    if by == "source":
        group = sa.func.coalesce(Source.title, Source.url)
    elif by == "tag":
        group = PredictionTag.tag
    elif by == "forecaster":
        group = Prediction.forecaster
    query = (
        sa.select(group, col(Prediction.probability), yes, came_true, early, sa.func.count())
        .select_from(Prediction)
        .join(Resolution, _current_resolution_join())
    )
    if by == "source":
        query = query.outerjoin(Source, col(Source.id) == col(Prediction.source_id))
    elif by == "tag":
        query = query.outerjoin(
            PredictionTag, col(PredictionTag.prediction_id) == col(Prediction.id)
        )
    query = query.where(col(Resolution.outcome).in_(["yes", "no"]))
    query = _filtered(query, filters).group_by(group, Prediction.probability, yes, came_true, early)
    return [
        OutcomeCount(name, probability, bool(y), bool(t), bool(e), int(n))
        for name, probability, y, t, e, n in session.execute(query).all()
    ]


def occurred_rows(
    session: Session, *, filters: SummaryFilter
) -> list[tuple[dt.date, dt.datetime, str, int]]:
    """(occurred_on, due_at, the deadline's zone, count) for "yes" resolutions that say when
    it happened."""
    query = (
        sa.select(
            col(Resolution.occurred_on),
            col(Prediction.due_at),
            col(Prediction.timezone),
            sa.func.count(),
        )
        .select_from(Prediction)
        .join(Resolution, _current_resolution_join())
        .where(col(Resolution.outcome) == "yes", col(Resolution.occurred_on).is_not(None))
    )
    if filters.exclude_early_before is not None:
        query = query.where(col(Prediction.due_at) <= filters.exclude_early_before)
    query = _filtered(query, filters).group_by(
        Resolution.occurred_on, Prediction.due_at, Prediction.timezone
    )
    return [(day, due, zone, int(count)) for day, due, zone, count in session.execute(query).all()]


def reminders_in_ledger(
    session: Session, *, predictions: Sequence[Prediction], channels: Sequence[str]
) -> dict[int, set[str]]:
    """For each prediction, the reminder keys the ledger holds for its current deadline on
    every channel (a row cancelled by a resolution does not count: reopening revives it)."""
    handled: dict[int, set[str]] = {p.id: set() for p in predictions if p.id is not None}
    due = {p.id: p.due_at for p in predictions}
    counts: dict[tuple[int, str], int] = {}
    for chunk in _chunks(list(handled)):
        rows = session.execute(
            sa.select(
                col(Delivery.prediction_id), col(Delivery.reminder), col(Delivery.due_at)
            ).where(
                col(Delivery.prediction_id).in_(chunk),
                col(Delivery.kind).in_(REMINDER_KINDS),
                col(Delivery.channel).in_(channels),
                col(Delivery.status) != DeliveryStatus.CANCELLED.value,
            )
        ).all()
        for prediction_id, reminder, due_at in rows:
            if due_at == due[prediction_id]:
                counts[(prediction_id, reminder)] = counts.get((prediction_id, reminder), 0) + 1
    for (prediction_id, reminder), count in counts.items():
        if count >= len(channels):
            handled[prediction_id].add(reminder)
    return handled


def resolutions_to_announce(session: Session, *, limit: int) -> list[Resolution]:
    return list(
        session.exec(
            select(Resolution)
            .where(col(Resolution.events_queued_at).is_(None))
            .order_by(col(Resolution.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


def forget_requests(session: Session, *, before: dt.datetime) -> None:
    """Forget signed requests received before `before` (too old to be accepted again)."""
    session.execute(sa.delete(InboundWebhook).where(col(InboundWebhook.received_at) < before))


def predictions_by_id(session: Session, *, ids: Sequence[int]) -> list[Prediction]:
    return list(session.exec(select(Prediction).where(col(Prediction.id).in_(ids))).all())


def recheck_open_predictions(session: Session) -> None:
    """Make every open prediction due for a look at the next pass."""
    session.execute(
        sa.update(Prediction)
        .where(col(Prediction.status) == PredictionStatus.OPEN.value)
        .values(next_reminder_at=EPOCH)
    )


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def get_state(session: Session, *, name: str) -> str | None:
    row = session.get(ServiceState, name)
    return None if row is None else row.value


def set_state(session: Session, *, name: str, value: str, now: dt.datetime) -> None:
    """Insert or update in one statement: workers starting together may both write it."""
    table: Any = ServiceState.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table).values(name=name, value=value, updated_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": value, "updated_at": now}
        )
    )


def next_reminder_time(session: Session) -> dt.datetime | None:
    """The earliest next_reminder_at of an open prediction."""
    value: dt.datetime | None = session.exec(
        select(sa.func.min(Prediction.next_reminder_at)).where(
            Prediction.status == PredictionStatus.OPEN.value
        )
    ).one()
    return value


def predictions_by_key(session: Session, *, keys: Sequence[str]) -> dict[str, Prediction]:
    """The stored predictions among these keys. The keys go as one JSON list: an IN list of
    hundreds of placeholders cost more to compile and parse than the database took to answer,
    and psycopg's array parameter more to build than the JSON text."""
    if session.get_bind().dialect.name == "postgresql":
        listed = sa.func.json_array_elements_text(
            sa.cast(sa.bindparam("keys", type_=sa.String), sa.JSON)
        )
    else:
        listed = sa.func.json_each(sa.bindparam("keys", type_=sa.String))
    query = select(Prediction).where(
        col(Prediction.key).in_(sa.select(sa.column("value")).select_from(listed))
    )
    found: dict[str, Prediction] = {}
    for start in range(0, len(keys), 10_000):
        chunk = json.dumps(list(keys[start : start + 10_000]))
        for prediction in session.exec(query, params={"keys": chunk}):
            found[prediction.key] = prediction
    return found
