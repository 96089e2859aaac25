"""Bulk writes of imported predictions: COPY on PostgreSQL, the driver's executemany on SQLite.

An import of 100,000 rows must not cost 100,000 round trips, nor SQLAlchemy's per-value
bind processing; both drivers are given rows in the exact form the database stores.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from tracker.domain.forecasts import first_forecast, stated_at
from tracker.domain.inputs import ImportedPrediction, SourceInput
from tracker.domain.reminders import ReminderPolicy, first_reminder_at
from tracker.domain.resolutions import resolution_row
from tracker.persistence.models import (
    Forecast,
    Outcome,
    Prediction,
    PredictionSource,
    PredictionStatus,
    PredictionTag,
    QuestionVersion,
    Resolution,
    UTCDateTime,
)
from tracker.persistence.rows import creation_times, prediction_columns
from tracker.persistence.store import upsert_source


def insert_imported(
    session: Session,
    *,
    items: Sequence[ImportedPrediction],
    now: dt.datetime,
    policy: ReminderPolicy,
    tz: ZoneInfo,
) -> dict[str, int]:
    """New predictions, their tags and resolution history; their ids by key. (Their history
    is announced already: it happened where it was exported from.)"""
    if not items:
        return {}
    source_ids = store_sources(session, items=items)
    rows = [_prediction_row(item, source_ids, now, policy) for item in items]
    connection = session.connection()
    with _driver_errors(connection):
        return _insert_all(connection, items, rows, source_ids, now)


@contextlib.contextmanager
def _driver_errors(connection: sa.Connection) -> Iterator[None]:
    """The driver's own errors as SQLAlchemy's, which the caller's transaction turns into one
    line (a read-only database: exit 1). The cursors below are the driver's, which SQLAlchemy
    does not wrap."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(
            None, None, error, dbapi.Error, dialect=connection.dialect
        ) from error


def _insert_all(
    connection: sa.Connection,
    items: Sequence[ImportedPrediction],
    rows: list[dict[str, Any]],
    source_ids: dict[SourceInput, int],
    now: dt.datetime,
) -> dict[str, int]:
    predictions: Any = Prediction.__table__  # type: ignore[attr-defined]
    if connection.dialect.name == "postgresql":
        ids = _copy_predictions(connection, predictions, rows)
    else:
        ids = _insert_predictions_sqlite(connection, predictions, rows)
    _insert_forecasts_and_citations(connection, items, rows, ids, source_ids, now)
    tags = [
        {"prediction_id": ids[item.prediction.key], "tag": tag}
        for item in items
        for tag in item.prediction.tags
    ]
    if tags:
        insert_rows(connection, PredictionTag.__table__, tags)  # type: ignore[attr-defined]
    history = [
        resolution_row(
            ids[item.prediction.key],
            item.prediction.due.due_at,
            item.prediction.due.window_start,
            resolution,
            item.prediction.due.tz,
        )
        | {"events_queued_at": resolution.resolved_at}
        for item in items
        for resolution in item.history
    ]
    if history:
        insert_rows(connection, Resolution.__table__, history)  # type: ignore[attr-defined]
    return ids


def _insert_forecasts_and_citations(
    connection: sa.Connection,
    items: Sequence[ImportedPrediction],
    rows: list[dict[str, Any]],
    ids: dict[str, int],
    source_ids: dict[SourceInput, int],
    now: dt.datetime,
) -> None:
    """Each new question's sources, forecasts and earlier versions. A record that lists no
    forecasts states one by its forecaster and probability, made when the record says, else
    when its source was published, else when it was stored (as migration 0009 did)."""
    citations = []
    forecasts = []
    versions = []
    for item, row in zip(items, rows, strict=True):
        prediction_id = ids[item.prediction.key]
        cited = dict.fromkeys(source_ids[s] for s in citing(item))  # in order, once each
        citations += [
            {"prediction_id": prediction_id, "source_id": source_id, "position": position}
            for position, source_id in enumerate(cited)
        ]
        forecasts += forecast_rows(
            prediction_id, item, source_ids, stored_at=row["created_at"], now=now
        )
        versions += [
            {"prediction_id": prediction_id, "version": v.version, "changed_at": v.changed_at,
             "note": v.note, "snapshot": v.snapshot}
            for v in item.versions
        ]  # fmt: skip
    if citations:
        insert_rows(connection, PredictionSource.__table__, citations)  # type: ignore[attr-defined]
    if forecasts:
        insert_rows(connection, Forecast.__table__, forecasts)  # type: ignore[attr-defined]
    if versions:
        insert_rows(connection, QuestionVersion.__table__, versions)  # type: ignore[attr-defined]


def forecast_rows(
    prediction_id: int,
    item: ImportedPrediction,
    source_ids: Mapping[SourceInput, int],
    *,
    stored_at: dt.datetime,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """The forecast rows a record states (see ImportedPrediction.forecasts); one made at no
    stated time was made when the question's source was published, else at stored_at. A
    forecast listed is recorded now; one stated by the question's own fields was recorded
    with the question (stored_at), as migration 0009 has it."""
    data = item.prediction
    if item.forecasts is not None:
        stated = item.forecasts
    else:
        first = first_forecast(data, made_at=stated_at(data, now=stored_at))
        stated = () if first is None else (first,)
        now = stored_at
    return [
        {
            "prediction_id": prediction_id,
            "forecaster": f.forecaster,
            "probability": f.probability,
            "made_at": f.made_at or stated_at(data, now=stored_at),
            "quote": f.quote,
            "source_id": source_ids[f.source] if f.source is not None else None,
            "note": f.note,
            "basis": f.basis,
            "created_at": now,
        }
        for f in stated
    ]


def insert_forecasts(session: Session, *, rows: list[dict[str, Any]]) -> None:
    """Forecast rows (from forecast_rows) added to stored questions, in bulk."""
    if rows:
        connection = session.connection()
        with _driver_errors(connection):
            insert_rows(connection, Forecast.__table__, rows)  # type: ignore[attr-defined]


def citing(item: ImportedPrediction) -> list[SourceInput]:
    """The sources a question cites: those its record lists, then any other its forecasts
    name (as adding a forecast cites its source)."""
    cited = list(item.cited())
    named = [f.source for f in item.forecasts or () if f.source is not None]
    return cited + [source for source in named if source not in cited]


def store_sources(session: Session, *, items: Sequence[ImportedPrediction]) -> dict[Any, int]:
    """The stored id of every source the items cite or their forecasts name (found by URL,
    else by title, publisher and date, else stored anew): one lookup per distinct source."""
    source_ids: dict[Any, int] = {}
    for item in items:
        for source in (item.prediction.source, *citing(item)):
            if source is not None and not source.is_empty() and source not in source_ids:
                stored = upsert_source(session, source=source).id
                assert stored is not None
                source_ids[source] = stored
    return source_ids


_OPEN, _RESOLVED, _ANNULLED = (
    PredictionStatus.OPEN.value,
    PredictionStatus.RESOLVED.value,
    PredictionStatus.ANNULLED.value,
)


def _prediction_row(
    item: ImportedPrediction,
    source_ids: dict[Any, int],
    now: dt.datetime,
    policy: ReminderPolicy,
) -> dict[str, Any]:
    data = item.prediction
    current = next((r for r in item.history if r.superseded_at is None), None)
    status = _OPEN if current is None else (
        _ANNULLED if current.outcome == Outcome.ANNULLED else _RESOLVED
    )  # fmt: skip
    source_id = source_ids.get(data.source) if data.source else None
    return {
        "key": data.key,
        **prediction_columns(data, source_id=source_id),
        "status": status,
        **creation_times(data, now),
        "next_reminder_at": first_reminder_at(data.due.due_at, policy) if status == _OPEN else None,
    }


def insert_rows(connection: sa.Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        _insert_sqlite(connection, table, rows)


# PostgreSQL ------------------------------------------------------------------------------------


def _copy_predictions(
    connection: sa.Connection, table: Any, rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Take the ids from the sequence first, then COPY the rows with them.

    A multi-row INSERT ... RETURNING spent most of an import in psycopg parsing its
    placeholders; COPY sends the rows as data. The sequence is looked up once: naming it
    through pg_get_serial_sequence() in the query cost a catalog lookup per row."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table.name,))
    (sequence,) = cursor.fetchone()
    cursor.execute(
        "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (sequence, len(rows))
    )
    new_ids = [row[0] for row in cursor.fetchall()]
    _copy(connection, table, [{"id": i, **row} for i, row in zip(new_ids, rows, strict=True)])
    return {row["key"]: i for i, row in zip(new_ids, rows, strict=True)}


def _copy(connection: sa.Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY rows (dicts with the same keys) into a table, inside the session's transaction.

    The text is formatted here, a column at a time: psycopg's write_row picks a dumper for
    every value, and took 11 µs a row of the prediction table."""
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        # Formatted and sent a few thousand rows at a time: the server stores each part
        # while we format the next.
        for start in range(0, len(rows), 5000):
            part = rows[start : start + 5000]
            texts = _converted_columns(table, columns, part, _copy_converter, null=_NULL)
            copy.write("".join(["\t".join(fields) + "\n" for fields in zip(*texts, strict=True)]))


def _converted_columns(
    table: Any,
    columns: list[str],
    rows: list[dict[str, Any]],
    converter_for: Callable[[Any], Callable[[Any], Any] | None],
    null: Any = None,
) -> list[list[Any]]:
    """The rows' values column by column, each converted by its column type's converter
    (chosen once per column): a column at a time, a tenth of the cost of a value at a time."""
    result = []
    for column in columns:
        values = [row[column] for row in rows]
        convert = converter_for(table.c[column].type)
        if convert is not None:
            values = [null if value is None else convert(value) for value in values]
        result.append(values)
    return result


# COPY's text format: fields split by tabs, rows by newlines, \N for NULL, and backslash
# escapes for the four characters that would break a field or a row.
_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


@functools.lru_cache(maxsize=65_536)  # imported rows share deadlines and times
def _copy_datetime(value: dt.datetime) -> str:
    return _aware(value).astimezone(dt.UTC).isoformat()


def _copy_bool(value: bool) -> str:
    return "t" if value else "f"


def _copy_converter(column_type: Any) -> Callable[[Any], str]:
    if isinstance(column_type, UTCDateTime | sa.DateTime):
        return _copy_datetime
    if isinstance(column_type, sa.Date):
        return dt.date.isoformat
    if isinstance(column_type, sa.Boolean):
        return _copy_bool
    if isinstance(column_type, sa.Float):
        return repr  # the shortest text that reads back as the same double
    if isinstance(column_type, sa.Integer):
        return str
    return _copy_text


# SQLite ----------------------------------------------------------------------------------------


def _insert_predictions_sqlite(
    connection: sa.Connection, table: Any, rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Number the rows ourselves (BEGIN IMMEDIATE made this transaction the only writer, so
    the ids after the largest are free) and insert them through the driver."""
    largest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar_one() or 0
    numbered = [{"id": largest + n, **row} for n, row in enumerate(rows, start=1)]
    _insert_sqlite(connection, table, numbered)
    return {row["key"]: row["id"] for row in numbered}


def _insert_sqlite(connection: sa.Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """executemany on the driver, values stored as SQLAlchemy stores them (naive UTC
    "YYYY-MM-DD HH:MM:SS.ffffff", ISO days, 0/1): its per-value bind processing was a fifth
    of an import's time."""
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join("?" for _ in columns)
    values = list(zip(*_converted_columns(table, columns, rows, _sqlite_converter), strict=True))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)


def _sqlite_converter(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, UTCDateTime):
        return _sqlite_datetime
    if isinstance(column_type, sa.Date):
        return dt.date.isoformat
    if isinstance(column_type, sa.Boolean):
        return int
    return None


@functools.lru_cache(maxsize=65_536)  # imported rows share deadlines and times
def _sqlite_datetime(value: dt.datetime) -> str:
    return _aware(value).astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # as UTCDateTime refuses them: a naive time has no one meaning
        raise ValueError("refusing to store a naive datetime; attach a time zone first")
    return value
