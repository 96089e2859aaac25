"""Stale-forecast nudges: "update your forecast?" to a forecaster whose latest forecast on an
open question is older than `stale_after`, while the deadline is still ahead.

Each nudge is a Delivery like a reminder, keyed by the forecaster, the time of their latest
forecast and how many `stale_after` periods it has aged: the ledger's unique key then allows
one nudge per period, and a new forecast starts the count again. After downtime only the
current period's nudge goes out. The scan reads every open question's latest forecasts, so it
runs at most once per SCAN_EVERY (or stale_after, when shorter).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.delivery import ledger as outbox
from tracker.delivery.routed import Routing, enqueue_routed, event_for
from tracker.enums import STALE_FORECAST, PredictionStatus
from tracker.io.questions import latest_forecasts_json
from tracker.io.records import iso, prediction_json
from tracker.persistence import state, store
from tracker.persistence.models import Delivery, DeliveryStatus, Forecast, Prediction

SCAN_STATE = "stale_scan_at"
SCAN_EVERY = dt.timedelta(hours=1)
EVENT_TYPE = "forecast.stale"


def nudge_key(forecaster: str, made_at: dt.datetime, period: int) -> str:
    """Short enough for the ledger's reminder column (40): the forecaster is hashed."""
    digest = hashlib.sha256(f"{forecaster}\n{iso(made_at)}".encode()).hexdigest()[:12]
    return f"stale-{digest}-{period}"


def _scan_due(session: Session, *, stale_after: dt.timedelta, now: dt.datetime) -> bool:
    last = state.get_state(session, name=SCAN_STATE)
    every = min(SCAN_EVERY, stale_after)
    if last is not None and now - dt.datetime.fromisoformat(last) < every:
        return False
    state.set_state(session, name=SCAN_STATE, value=now.isoformat(), now=now)
    return True


def _stale_pairs(
    session: Session, *, stale_after: dt.timedelta, now: dt.datetime
) -> list[tuple[int, str, dt.datetime]]:
    """(prediction id, forecaster, their latest forecast's time) past stale_after, on open,
    unsnoozed questions whose deadline is ahead."""
    latest = sa.func.max(col(Forecast.made_at))
    query = (
        sa.select(col(Forecast.prediction_id), col(Forecast.forecaster), latest)
        .join(Prediction, col(Prediction.id) == col(Forecast.prediction_id))
        .where(
            col(Prediction.status) == PredictionStatus.OPEN.value,
            col(Prediction.due_at) > now,
            sa.or_(col(Prediction.snoozed_until).is_(None), col(Prediction.snoozed_until) <= now),
        )
        .group_by(col(Forecast.prediction_id), col(Forecast.forecaster))
        .having(latest <= now - stale_after)
    )
    return [(pid, name, store_utc(made)) for pid, name, made in session.execute(query).all()]


def store_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns an aggregate's time without its zone; stored times are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _in_ledger(session: Session, *, keys: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        rows = session.execute(
            sa.select(col(Delivery.prediction_id), col(Delivery.reminder)).where(
                col(Delivery.prediction_id).in_({p for p, _ in chunk}),
                sa.tuple_(col(Delivery.prediction_id), col(Delivery.reminder)).in_(chunk),
            )
        ).all()
        found.update((p, r) for p, r in rows)
    return found


def queue_stale_nudges(
    session: Session,
    *,
    stale_after: dt.timedelta,
    routing: Routing,
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Queue this period's nudge for every stale (question, forecaster) the ledger lacks, on
    the channels routed for a stale-forecast event naming that forecaster."""
    if not _scan_due(session, stale_after=stale_after, now=now):
        return []
    wanted: dict[tuple[int, str], tuple[str, dt.datetime, int]] = {}
    for prediction_id, forecaster, made_at in _stale_pairs(
        session, stale_after=stale_after, now=now
    ):
        period = (now - made_at) // stale_after
        key = nudge_key(forecaster, made_at, period)
        wanted[(prediction_id, key)] = (forecaster, made_at, period)
    missing = sorted(set(wanted) - _in_ledger(session, keys=sorted(wanted)))
    if not missing:
        return []
    predictions = store.predictions_by_id(session, ids=sorted({p for p, _ in missing}))
    records = {r.prediction.id: r for r in store.load_records(session, predictions=predictions)}
    queued: list[tuple[outbox.Queued, list[str]]] = []
    report: list[dict[str, Any]] = []
    for prediction_id, key in missing:
        record = records[prediction_id]
        forecaster, made_at, period = wanted[(prediction_id, key)]
        event = dataclasses.replace(
            event_for(record, STALE_FORECAST, now), forecasters=(forecaster,)
        )
        item = outbox.NewDelivery(
            prediction_id=prediction_id,
            reminder=key,
            kind=STALE_FORECAST,
            due_at=record.prediction.due_at,
            event_type=EVENT_TYPE,
            data={
                "reminder": {
                    "kind": STALE_FORECAST,
                    "key": key,
                    "scheduled_for": iso(made_at + period * stale_after),
                    "forecaster": forecaster,
                    "forecast_made_at": iso(made_at),
                },
                "prediction": prediction_json(record, tz=tz, now=now),
                "forecasts": latest_forecasts_json(record, now),
            },
            scheduled_for=made_at + period * stale_after,
        )
        targets = routing.targets(session, record, event, now=now)
        queued.append((outbox.Queued(item=item, status=DeliveryStatus.PENDING), targets))
        report.append(
            {"prediction": record.prediction.key, "forecaster": forecaster,
             "deliveries": len(targets)}
        )  # fmt: skip
    enqueue_routed(session, queued=queued, now=now)
    return report
