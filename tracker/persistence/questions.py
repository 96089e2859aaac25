"""What hangs off a question besides tags and resolutions: its forecasts, the sources it cites
and its earlier versions. Reads in bulk (one query per chunk of questions) and the writes the
service makes; keyword-only functions that take a session, no commits here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.forecasts import ForecastInput
from tracker.persistence.models import (
    Forecast,
    Prediction,
    PredictionSource,
    QuestionVersion,
    Source,
)


@dataclass
class QuestionParts:
    forecasts: dict[int, list[Forecast]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[int, list[Source]] = field(default_factory=lambda: defaultdict(list))
    versions: dict[int, list[QuestionVersion]] = field(default_factory=lambda: defaultdict(list))


def load_parts(
    session: Session, *, chunks: Sequence[Sequence[int]], with_versions: bool
) -> QuestionParts:
    """The forecasts (by made_at, id), sources (in order) and, when asked, the versions
    (oldest first) of these questions, one query each per chunk of ids."""
    parts = QuestionParts()
    for chunk in chunks:
        for forecast in session.exec(
            select(Forecast)
            .where(col(Forecast.prediction_id).in_(chunk))
            .order_by(col(Forecast.made_at), col(Forecast.id))
        ):
            parts.forecasts[forecast.prediction_id].append(forecast)
        cited = session.exec(
            select(PredictionSource.prediction_id, Source)
            .join(Source, col(Source.id) == col(PredictionSource.source_id))
            .where(col(PredictionSource.prediction_id).in_(chunk))
            .order_by(col(PredictionSource.prediction_id), col(PredictionSource.position))
        )
        for prediction_id, source in cited:
            parts.sources[prediction_id].append(source)
        if with_versions:
            for version in session.exec(
                select(QuestionVersion)
                .where(col(QuestionVersion.prediction_id).in_(chunk))
                .order_by(col(QuestionVersion.version))
            ):
                parts.versions[version.prediction_id].append(version)
    return parts


def add_forecast(
    session: Session,
    *,
    prediction: Prediction,
    forecast: ForecastInput,
    made_at: dt.datetime,
    now: dt.datetime,
) -> Forecast:
    """Store one forecast (made_at already checked by the caller); its source, if new, is
    stored and cited by the question too."""
    from tracker.persistence.store import upsert_source  # store imports this module

    assert prediction.id is not None
    source_id = None
    if forecast.source is not None and not forecast.source.is_empty():
        source_id = upsert_source(session, source=forecast.source).id
        assert source_id is not None
        cite_source(session, prediction_id=prediction.id, source_id=source_id)
    row = Forecast(
        prediction_id=prediction.id,
        forecaster=forecast.forecaster,
        probability=forecast.probability,
        made_at=made_at,
        quote=forecast.quote,
        source_id=source_id,
        note=forecast.note,
        basis=forecast.basis,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


ForecastKey = tuple[str, dt.datetime, float]  # forecaster, made_at, probability


def forecast_keys(
    session: Session, *, prediction_ids: Sequence[int]
) -> dict[int, set[ForecastKey]]:
    """What tells the stored forecasts of these questions apart for an import: a forecast in
    a file that is among them is there already. One query per few thousand questions."""
    keys: dict[int, set[ForecastKey]] = defaultdict(set)
    ids = list(prediction_ids)
    for start in range(0, len(ids), 2000):
        rows = session.exec(
            select(
                Forecast.prediction_id, Forecast.forecaster, Forecast.made_at, Forecast.probability
            ).where(col(Forecast.prediction_id).in_(ids[start : start + 2000]))
        )
        for prediction_id, forecaster, made_at, probability in rows:
            keys[prediction_id].add((forecaster, made_at, probability))
    return keys


def has_forecast(session: Session, *, prediction_id: int, forecaster: str, at: dt.datetime) -> bool:
    """Whether the question holds a forecast by this forecaster made at exactly this time."""
    found = session.exec(
        select(Forecast.id).where(
            Forecast.prediction_id == prediction_id,
            Forecast.forecaster == forecaster,
            Forecast.made_at == at,
        )
    ).first()
    return found is not None


def cite_source(session: Session, *, prediction_id: int, source_id: int) -> bool:
    """Add a source to those a question cites, after the others; nothing if it is there.
    True when it was added."""
    positions = list(
        session.exec(
            select(PredictionSource.source_id, PredictionSource.position).where(
                PredictionSource.prediction_id == prediction_id
            )
        ).all()
    )
    if any(cited == source_id for cited, _ in positions):
        return False
    position = max((p for _, p in positions), default=-1) + 1
    session.add(
        PredictionSource(prediction_id=prediction_id, source_id=source_id, position=position)
    )
    session.flush()
    return True


def add_version(
    session: Session, *, prediction_id: int, snapshot: str, note: str, changed_at: dt.datetime
) -> QuestionVersion:
    """Keep a question's state before an edit as its next version (1 is the original)."""
    latest = session.exec(
        select(sa.func.max(QuestionVersion.version)).where(
            QuestionVersion.prediction_id == prediction_id
        )
    ).one()
    row = QuestionVersion(
        prediction_id=prediction_id,
        version=(latest or 0) + 1,
        changed_at=changed_at,
        note=note,
        snapshot=snapshot,
    )
    session.add(row)
    session.flush()
    return row
