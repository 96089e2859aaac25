"""Evidence from the news: scan an article against the open questions (tracker.evidence does the
reading; this module loads the questions and, later, keeps what it finds)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from tracker.evidence import Evidence, OpenQuestion, QuestionIndex, scan
from tracker.persistence import evidence as rows
from tracker.persistence.db import transaction
from tracker.persistence.models import Prediction


def question_index(engine: Engine) -> QuestionIndex:
    """Every open and overdue question, indexed by the words of its claim."""
    with transaction(engine, commit=False) as session:
        first = rows.first_forecasts(session)
        return QuestionIndex(
            open_question(row, first.get(row.id or 0)) for row in rows.unresolved_questions(session)
        )


def open_question(row: Prediction, first_forecast: dt.datetime | None) -> OpenQuestion:
    """A stored question as the scan reads it: its window runs from its start (or, without
    one, the day it was first forecast or stored) to its deadline, as days in its own zone."""
    assert row.id is not None
    tz = zone(row.timezone)
    start = row.window_start or min(filter(None, (first_forecast, row.created_at)))
    return OpenQuestion(
        key=row.key,
        claim=row.claim,
        opened=min(start, row.due_at).astimezone(tz).date(),
        due=row.due_at.astimezone(tz).date(),
        question_id=row.id,
    )


def scan_text(engine: Engine, *, text: str, published: dt.date) -> list[Evidence]:
    return scan(text, published, question_index(engine))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")
