"""The calendar feed's reads: the open questions (filtered by tag or forecaster, as `tracker
list` filters them), their forecasts, and how many versions each has; the feed itself is built
in tracker.reporting.calendar. What `GET /calendar.ics` and `tracker calendar` share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from tracker.persistence import store
from tracker.persistence.db import transaction
from tracker.persistence.models import PredictionStatus, QuestionVersion
from tracker.reporting.calendar import FeedQuestion, build_calendar, calendar_name


def version_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """How many earlier versions each question keeps, counted in the database."""
    counts: dict[int, int] = {}
    for chunk in store.chunks(ids):
        query = (
            sa.select(col(QuestionVersion.prediction_id), sa.func.count())
            .where(col(QuestionVersion.prediction_id).in_(chunk))
            .group_by(col(QuestionVersion.prediction_id))
        )
        counts.update({int(pid): int(n) for pid, n in session.execute(query).all()})
    return counts


def feed_questions(
    engine: Engine, *, tag: str | None = None, forecaster: str | None = None
) -> list[FeedQuestion]:
    """The open questions, soonest deadline first, each with its version count."""
    with transaction(engine, commit=False) as session:
        predictions = store.list_predictions(
            session, statuses=[PredictionStatus.OPEN], tag=tag, forecaster=forecaster
        )
        records = store.load_records(session, predictions=predictions)
        counts = version_counts(session, [p.id for p in predictions if p.id is not None])
    return [FeedQuestion(record=r, versions=counts.get(r.prediction.id or 0, 0)) for r in records]


def calendar_feed(
    engine: Engine,
    *,
    now: dt.datetime,
    lead_times: Sequence[dt.timedelta],
    public_url: str | None = None,
    tag: str | None = None,
    forecaster: str | None = None,
) -> bytes:
    """The feed as iCalendar bytes (CRLF line ends, UTF-8)."""
    return build_calendar(
        feed_questions(engine, tag=tag, forecaster=forecaster),
        now=now,
        lead_times=lead_times,
        name=calendar_name(tag=tag, forecaster=forecaster),
        public_url=public_url,
    )
