"""Predictions, their sources, tags and resolutions: reads and writes for the service and the
delivery planner. Keyword-only functions that take a session; no commits here.

Elsewhere: the stored shape of a prediction (rows), the memory of signed requests (inbound),
the service's own settings (state), the summary's aggregates (tracker.reporting.queries) and
what the ledger holds (tracker.delivery.lookups)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.deadlines import stored_zone
from tracker.domain.inputs import PredictionInput, ResolutionInput, SourceInput
from tracker.domain.resolutions import resolution_row
from tracker.errors import NotFound
from tracker.persistence import paging, questions
from tracker.persistence.models import (
    Forecast,
    Prediction,
    PredictionRecord,
    PredictionStatus,
    PredictionTag,
    Resolution,
    Source,
)
from tracker.persistence.rows import creation_times, prediction_columns
from tracker.persistence.search import matching

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
        raise NotFound(missing, listing="predictions")
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
    after: tuple[dt.datetime, int] | None = None,
    search: str | None = None,
) -> list[Prediction]:
    """Predictions in list order (due_at, id): those after the row `after` names, whose
    claim or criteria hold the words of `search`, at most `limit` of them."""
    query = select(Prediction)
    if after is not None:
        query = query.where(paging.after([col(Prediction.due_at), col(Prediction.id)], after))
    if search is not None:
        query = query.where(matching(session.get_bind().dialect.name, search))
    if statuses:
        query = query.where(col(Prediction.status).in_([s.value for s in statuses]))
    if due_after is not None:
        query = query.where(Prediction.due_at >= due_after)
    if due_before is not None:
        query = query.where(Prediction.due_at < due_before)
    if forecaster:
        # lower() on both sides: SQLite's lower() folds ASCII only, Python's folds everything.
        # The forecaster as first stated, or any who forecast on the question since.
        forecasted = select(Forecast.prediction_id).where(
            sa.func.lower(Forecast.forecaster) == sa.func.lower(forecaster)
        )
        query = query.where(
            sa.or_(
                sa.func.lower(Prediction.forecaster) == sa.func.lower(forecaster),
                col(Prediction.id).in_(forecasted),
            )
        )
    if tag:
        tagged = select(PredictionTag.prediction_id).where(PredictionTag.tag == tag.lower())
        query = query.where(col(Prediction.id).in_(tagged))
    query = query.order_by(col(Prediction.due_at), col(Prediction.id)).limit(limit)
    return list(session.exec(query).all())


def load_records(
    session: Session, *, predictions: Sequence[Prediction], with_history: bool = False
) -> list[PredictionRecord]:
    """Attach sources, tags, resolutions and forecasts with one query each per chunk, not one
    per prediction; versions, like the resolution history, only with_history."""
    ids = [p.id for p in predictions if p.id is not None]
    tags: dict[int, list[str]] = defaultdict(list)
    resolutions: dict[int, list[Resolution]] = defaultdict(list)
    sources: dict[int, Source] = {}
    for chunk in chunks(ids):
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
    parts = questions.load_parts(session, chunks=chunks(ids), with_versions=with_history)
    source_ids = sorted({p.source_id for p in predictions if p.source_id is not None})
    for chunk in chunks(source_ids):
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
                forecasts=parts.forecasts.get(p.id, []),
                sources=parts.sources.get(p.id, []),
                versions=parts.versions.get(p.id, []),
            )
        )
    return records


def chunks(ids: Sequence[int], size: int = 500) -> list[list[int]]:
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
    newly_cited = source_id is not None and (is_new or prediction.source_id != source_id)
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
    if newly_cited:
        assert source_id is not None
        questions.cite_source(session, prediction_id=prediction.id, source_id=source_id)
    stored_tags = set(
        session.exec(
            select(PredictionTag.tag).where(PredictionTag.prediction_id == prediction.id)
        ).all()
    )
    if stored_tags != set(data.tags):
        replace_tags(session, prediction_id=prediction.id, tags=data.tags)
        changed = True
    if changed and not is_new:
        prediction.updated_at = now
    return changed


def replace_tags(session: Session, *, prediction_id: int, tags: Sequence[str]) -> None:
    session.execute(
        sa.delete(PredictionTag).where(col(PredictionTag.prediction_id) == prediction_id)
    )
    session.add_all(PredictionTag(prediction_id=prediction_id, tag=t) for t in tags)


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
