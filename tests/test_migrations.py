"""Migration 0009: each stored prediction becomes a question with its forecast, losing nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from tracker.persistence.db import alembic_config, make_engine, upgrade_to_head

FIXTURE = Path(__file__).parent / "fixtures" / "release-0006.db"


def _rows(engine: sa.Engine, query: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def _utc(value: object) -> dt.datetime:
    """A stored time as aware UTC (SQLite hands back text, PostgreSQL an aware datetime)."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def test_the_previous_release_gets_one_forecast_per_stated_probability(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    shutil.copy(FIXTURE, database)
    # The fixture's one forecast with a probability has no source: give a sourced one a
    # probability too, so that both rules for made_at are seen.
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE prediction SET probability = 0.6 WHERE id = 1")
    engine = make_engine(f"sqlite:///{database}")
    try:
        before = _rows(engine, "SELECT * FROM prediction ORDER BY id")
        assert upgrade_to_head(engine)
        forecasts = _rows(
            engine,
            "SELECT f.prediction_id, f.forecaster, f.probability, f.made_at, f.quote, "
            "f.source_id, p.created_at FROM forecast f JOIN prediction p ON p.id = f.prediction_id"
            " ORDER BY f.prediction_id",
        )
        assert [(f[0], f[1], f[2]) for f in forecasts] == [(1, "ISW", 0.6), (4, "Desk A", 0.7)]
        sourced, unsourced = forecasts
        assert _utc(sourced[3]) == dt.datetime(2024, 12, 23, 22, tzinfo=dt.UTC)  # published
        assert sourced[4] is not None
        assert str(sourced[4]).startswith("Moscow is now planning")
        assert sourced[5] == 1
        assert _utc(unsourced[3]) == _utc(unsourced[6])  # no source: when it was stored
        assert _rows(engine, "SELECT prediction_id, source_id, position FROM prediction_source"
                     " ORDER BY prediction_id") == [(1, 1, 0), (2, 1, 0), (3, 1, 0)]  # fmt: skip
        after = _rows(engine, "SELECT * FROM prediction ORDER BY id")
        # Every column kept (forecaster, probability and quote as first stated), criteria new.
        assert [row[: len(before[0])] for row in after] == before
        assert {row[-1] for row in after} == {None}
    finally:
        engine.dispose()


@pytest.mark.empty_database
def test_the_backfill_runs_on_either_database(database_url: str) -> None:
    engine = make_engine(database_url)
    published = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    stored = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    try:
        command.upgrade(alembic_config(engine), "0008")
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO source (id, title, published_at, created_at)"
                        " VALUES (1, 'T', :published, :now)"),
                {"published": published, "now": stored},
            )  # fmt: skip
            for key, forecaster, probability, source_id in (
                ("sourced", "A", 0.25, 1), ("plain", "B", 1.0, None),
                ("no-probability", "C", None, 1), ("no-forecaster", None, 0.5, None),
            ):  # fmt: skip
                connection.execute(
                    sa.text(
                        "INSERT INTO prediction (key, claim, forecaster, probability, quote,"
                        " due_at, precision, due_text, status, source_id, created_at, updated_at)"
                        " VALUES (:key, 'c', :f, :p, 'q', :due, 'instant', 'd', 'open', :s,"
                        " :now, :now)"
                    ),
                    {"key": key, "f": forecaster, "p": probability, "s": source_id,
                     "due": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "now": stored},
                )  # fmt: skip
        assert upgrade_to_head(engine)
        found = _rows(
            engine,
            "SELECT p.key, f.forecaster, f.probability, f.made_at, f.quote, f.created_at"
            " FROM forecast f JOIN prediction p ON p.id = f.prediction_id ORDER BY p.key",
        )
        # A probability with no forecaster was scored before the upgrade: it stays a forecast.
        assert [(r[0], r[1], r[2], _utc(r[3]), r[4], _utc(r[5])) for r in found] == [
            ("no-forecaster", "unnamed", 0.5, stored, "q", stored),
            ("plain", "B", 1.0, stored, "q", stored),
            ("sourced", "A", 0.25, published, "q", stored),
        ]
        cited = _rows(engine, "SELECT p.key FROM prediction_source s JOIN prediction p"
                      " ON p.id = s.prediction_id ORDER BY p.key")  # fmt: skip
        assert cited == [("no-probability",), ("sourced",)]
    finally:
        engine.dispose()


def _insert_delivery(connection: sa.Connection, **values: object) -> None:
    row: dict[str, object] = {
        "prediction_id": None, "reminder": "due", "kind": "due",
        "due_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "channel": "a",
        "webhook_id": f"msg_{uuid.uuid4().hex}",
        "event_type": "prediction.reminder", "payload": "{}",
        "scheduled_for": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "status": "delivered",
        "attempts": 1, "digest": None, **values,
        "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "updated_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }  # fmt: skip
    names = ", ".join(row)
    connection.execute(
        sa.text(f"INSERT INTO delivery ({names}) VALUES ({', '.join(':' + n for n in row)})"), row
    )


@pytest.mark.empty_database
def test_0015_keeps_the_ledger_and_lets_announcements_in_once(database_url: str) -> None:
    """Migration 0015 (the table rebuilt on SQLite): every delivery row kept, the digest's
    unique index still there, and a proposal announced once per channel."""
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0014")
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO prediction (id, key, claim, due_at, precision, due_text,"
                        " status, created_at, updated_at) VALUES (1, 'k', 'c', :t, 'instant',"
                        " 'd', 'open', :t, :t)"),
                {"t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )  # fmt: skip
            _insert_delivery(connection, prediction_id=1)
            _insert_delivery(
                connection, prediction_id=1, kind="digest", digest="1/2026-01-01", reminder="d-1"
            )
        before = _rows(engine, "SELECT id, prediction_id, kind, digest FROM delivery ORDER BY id")
        assert upgrade_to_head(engine)
        after = _rows(engine, "SELECT id, prediction_id, kind, digest, proposal_id FROM delivery"
                      " ORDER BY id")  # fmt: skip
        assert [row[:4] for row in after] == before
        assert {row[4] for row in after} == {None}
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO proposal (id, status, claim, claim_hash, due_at, record,"
                        " created_at) VALUES (7, 'pending', 'c', 'h', :t, '{}', :t)"),
                {"t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )  # fmt: skip
            _insert_delivery(connection, proposal_id=7, kind="proposal", reminder="proposal-7")
        for duplicate in (
            {"proposal_id": 7, "kind": "proposal", "reminder": "proposal-7b"},
            {"prediction_id": 1, "kind": "digest", "digest": "1/2026-01-01", "reminder": "x"},
        ):
            with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
                _insert_delivery(connection, **duplicate)
        command.downgrade(alembic_config(engine), "0014")  # announcements go with the column
        assert _rows(engine, "SELECT id, prediction_id, kind, digest FROM delivery"
                     " ORDER BY id") == before  # fmt: skip
    finally:
        engine.dispose()


def test_the_previous_release_is_indexed_for_search(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    shutil.copy(FIXTURE, database)
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert upgrade_to_head(engine)
        found = _rows(
            engine,
            "SELECT rowid FROM prediction_fts WHERE prediction_fts MATCH 'khmeimim' ORDER BY rowid",
        )
        assert found == [(1,), (2,)]
        with engine.begin() as connection:  # and kept in step from then on
            connection.execute(sa.text("UPDATE prediction SET claim = 'Khmeimim' WHERE id = 4"))
        assert len(_rows(engine, "SELECT rowid FROM prediction_fts('khmeimim')")) == 3
    finally:
        engine.dispose()


def test_search_indexes_what_was_stored_before_it_on_either_database(database_url: str) -> None:
    from tests.conftest import ACTOR
    from tracker import service
    from tracker.domain.deadlines import UTC_ZONE, parse_due
    from tracker.domain.inputs import PredictionInput
    from tracker.enums import ListStatus

    engine = make_engine(database_url)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    try:
        upgrade_to_head(engine)
        due = parse_due("2025-03-01", UTC_ZONE)
        data = PredictionInput(key="k", claim="Khmeimim handed over", due=due, due_text="soon")
        service.add_prediction(engine, data=data, now=now, actor=ACTOR)
        command.downgrade(alembic_config(engine), "0015")  # stored before search was there
        assert upgrade_to_head(engine)
        page = service.list_predictions(
            engine, status=ListStatus.ALL, now=now, due_soon=dt.timedelta(days=7), search="khmei"
        )
        assert [r.prediction.key for r in page.items] == ["k"]
    finally:
        engine.dispose()
