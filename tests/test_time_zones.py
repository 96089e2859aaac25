"""A deadline keeps the zone it was stated in; TRACKER_TIMEZONE is the default for new input."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from freezegun import freeze_time

from tests.conftest import API_TOKEN, Result, Web, assert_one_line_error
from tracker.channels.text import due_label
from tracker.persistence.db import alembic_config, make_engine, upgrade_to_head

NOW = "2026-11-29T12:00:00Z"
FIXTURE = Path(__file__).parent / "fixtures" / "release-0006.db"


def _add(cli: Callable[..., Result], *args: str) -> dict[str, object]:
    result = cli("add", *args, "--json")
    assert result.code == 0, result.err
    return dict(result.json())


def _shown(cli: Callable[..., Result], key: str) -> dict[str, Any]:
    result = cli("show", key, "--json")
    assert result.code == 0, result.err
    return dict(result.json())


@freeze_time(NOW)
def test_a_deadline_keeps_its_label_when_the_default_zone_changes(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    added = _add(cli, "Russia leaves", "--due", "February 2025", "--key", "feb")
    leap = _add(cli, "Leap", "--due", "2028-02-29", "--key", "leap")
    assert added["tz"] == "UTC"
    monkeypatch.setenv("TRACKER_TIMEZONE", "Pacific/Kiritimati")  # UTC+14
    assert _shown(cli, "feb")["due_label"] == "February 2025"
    assert _shown(cli, "leap")["due_label"] == "29 February 2028"
    assert _shown(cli, "leap")["due_at"] == leap["due_at"]
    listed = cli("list", "--status", "all")
    assert "February 2025" in listed.out
    assert "March 2025" not in listed.out
    assert "29 February 2028" in listed.out
    assert "1 March 2028" not in listed.out
    shown = cli("show", "feb")
    assert "UTC" in shown.out
    assert "Time zone" in shown.out


@freeze_time(NOW)
def test_tz_states_the_zone_of_one_deadline(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    tokyo = _add(cli, "A", "--due", "February 2025", "--tz", "Asia/Tokyo", "--key", "tokyo")
    # The last instant of February 2025 in Tokyo (UTC+9), not in UTC.
    assert tokyo["due_at"] == "2025-02-28T14:59:59.999999Z"
    assert (tokyo["tz"], tokyo["due_label"]) == ("Asia/Tokyo", "February 2025")
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/Los_Angeles")
    assert _shown(cli, "tokyo")["due_label"] == "February 2025"
    # The default zone applies to new input only.
    la = _add(cli, "B", "--due", "February 2025", "--key", "la")
    assert (la["tz"], la["due_at"]) == ("America/Los_Angeles", "2025-03-01T07:59:59.999999Z")
    assert "Asia/Tokyo" in cli("show", "tokyo").out


def test_an_unknown_zone_is_refused(cli: Callable[..., Result]) -> None:
    assert cli("db", "upgrade").code == 0  # so that `list` has a database to read
    for zone in ("Mars/Olympus", "../../etc/passwd", "/etc/localtime", ""):
        result = cli("add", "A", "--due", "2025-02", "--tz", zone) if zone else None
        if result is not None:
            assert_one_line_error(result, contains="--tz")
    assert cli("list", "--status", "all", "--json").json() == []


@freeze_time(NOW)
@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_an_export_made_under_one_zone_imports_under_another(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, file_format: str
) -> None:
    _add(cli, "Day", "--due", "2025-02-20", "--key", "day")
    _add(cli, "Month", "--due", "in March 2025", "--key", "month")
    _add(cli, "Tokyo", "--due", "2025-Q1", "--tz", "Asia/Tokyo", "--key", "quarter")
    path = tmp_path / f"export.{file_format}"
    assert cli("export", "--format", file_format, "-o", path).code == 0
    before = cli("list", "--status", "all", "--json").json()
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Kolkata")
    result = cli("import", path)
    assert result.code == 0, result.err
    after = cli("list", "--status", "all", "--json").json()
    fields = ("key", "due_at", "window_start", "precision", "tz", "due_label", "due_text")
    assert [{f: p[f] for f in fields} for p in after] == [{f: p[f] for f in fields} for p in before]


def test_a_file_without_tz_is_read_in_the_default_zone(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")
    path = tmp_path / "old.json"
    record = {"key": "old", "claim": "A", "due_at": "2025-02-28T14:59:59.999999Z",
              "precision": "month"}  # fmt: skip
    path.write_text(json.dumps({"format": "tracker-export", "version": 1, "predictions": [record]}))
    assert cli("import", path).code == 0
    shown = _shown(cli, "old")
    assert (shown["tz"], shown["due_label"]) == ("Asia/Tokyo", "February 2025")
    record = record | {"key": "other", "tz": "Mars/Olympus"}
    path.write_text(json.dumps({"format": "tracker-export", "version": 1, "predictions": [record]}))
    assert_one_line_error(cli("import", path), contains="tz")


def test_seeds_may_state_a_zone(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        '[[predictions]]\nkey = "kyiv"\nclaim = "A"\ndue = "2025-02-20"\ntz = "Europe/Kyiv"\n'
    )
    assert cli("seed", tmp_path).code == 0
    shown = _shown(cli, "kyiv")
    assert (shown["tz"], shown["due_at"]) == ("Europe/Kyiv", "2025-02-20T21:59:59.999999Z")


@freeze_time(NOW)
def test_the_api_takes_tz(web: Web) -> None:
    body = {"claim": "A", "due": "February 2025", "tz": "Asia/Tokyo", "key": "api"}
    created = web.client.post("/api/v1/predictions", json=body, headers=web.write_headers())
    assert created.status_code == 201, created.text
    assert created.json()["due_at"] == "2025-02-28T14:59:59.999999Z"
    assert created.json()["tz"] == "Asia/Tokyo"
    bad = web.client.post(
        "/api/v1/predictions",
        json=body | {"key": "bad", "tz": "Nowhere/City"},
        headers={"authorization": f"Bearer {API_TOKEN}"},
    )
    assert bad.status_code == 422
    assert "tz" in bad.json()["detail"]


def test_reminders_label_the_deadline_in_its_own_zone() -> None:
    # A payload frozen with the prediction's zone reads the same under any default zone.
    payload = {"due_at": "2025-02-28T14:59:59.999999Z", "window_start": None,
               "precision": "month", "tz": "Asia/Tokyo"}  # fmt: skip
    assert due_label(payload, ZoneInfo("Pacific/Kiritimati")) == "February 2025"
    assert due_label(payload, ZoneInfo("America/Los_Angeles")) == "February 2025"
    # One frozen by an older release (no tz) is read in the zone the service runs in.
    older = {k: v for k, v in payload.items() if k != "tz"}
    assert due_label(older, ZoneInfo("Asia/Tokyo")) == "February 2025"
    assert due_label(older, ZoneInfo("Pacific/Kiritimati")) == "March 2025"


@freeze_time(NOW)
def test_the_window_a_yes_falls_in_is_counted_in_the_deadlines_zone(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(cli, "A", "--due", "2025-02-20", "--tz", "Asia/Tokyo", "--key", "tokyo-day")
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/Los_Angeles")
    # 20 February in Tokyo ends at 06:59 on 20 February in Los Angeles; the day still counts.
    assert cli("resolve", "tokyo-day", "yes", "--occurred-on", "2025-02-20").code == 0
    assert _shown(cli, "tokyo-day")["resolutions"][0]["came_true"] is True


@freeze_time(NOW)
def test_a_database_from_the_previous_release_upgrades(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The fixture was made by release 0006 under TRACKER_TIMEZONE=Europe/Kyiv (and one row
    under UTC with a year-1 window start, which that release accepted)."""
    database = tmp_path / "old.db"
    shutil.copy(FIXTURE, database)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("TRACKER_TIMEZONE", "Europe/Kyiv")
    assert cli("db", "upgrade").code == 0
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")  # later changes relabel nothing
    listed = {p["key"]: p for p in cli("list", "--status", "all", "--json").json()}
    assert len(listed) == 7
    # Every row was entered under Europe/Kyiv but one, entered under UTC, whose deadline is a
    # day's end in UTC and not in Kyiv.
    assert {k: p["tz"] for k, p in listed.items() if p["tz"] != "Europe/Kyiv"} == {"ancient": "UTC"}
    assert listed["ceasefire"]["due_label"] == "February 2025"
    assert listed["ceasefire"]["probability"] == 0.7
    assert listed["ceasefire"]["tags"] == ["syria"]
    assert listed["leap"]["due_label"] == "29 February 2028"
    assert listed["elections"]["outcome"] == "yes"
    assert listed["ancient"]["due_at"] == "2026-11-20T23:59:59.999999Z"
    deliveries = cli("deliveries", "--json", "--limit", "100").json()
    assert len(deliveries) == 29
    assert cli("check").code == 0
    for command_line in (("list",), ("show", "ancient"), ("export",), ("summary",)):
        assert cli(*command_line).code == 0, command_line


@pytest.mark.empty_database
def test_the_migration_gives_old_rows_the_configured_zone(
    database_url: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows entered under the zone configured at the upgrade take it; one entered while
    another zone was configured (the end of March in Tokyo) takes the offset zone in which its
    deadline is a period's end, so that it still reads "March 2025"; an instant keeps the
    configured zone."""
    engine = make_engine(database_url)
    rows = {
        "kyiv": (dt.datetime(2025, 3, 31, 20, 59, 59, 999999), "month"),
        "tokyo": (dt.datetime(2025, 3, 31, 14, 59, 59, 999999), "month"),
        "instant": (dt.datetime(2025, 3, 31, 14, 0), "instant"),
    }
    try:
        command.upgrade(alembic_config(engine), "0006")
        with engine.begin() as connection:
            for key, (due, precision) in rows.items():
                connection.execute(
                    sa.text(
                        "INSERT INTO prediction (key, claim, due_at, precision, due_text, status,"
                        " created_at, updated_at) VALUES (:key, 'c', :due, :precision, 'March',"
                        " 'open', :now, :now)"
                    ),
                    {"key": key, "due": due, "precision": precision,
                     "now": dt.datetime(2025, 1, 1)},
                )  # fmt: skip
        assert upgrade_to_head(engine, timezone="Europe/Kyiv")
        with engine.connect() as connection:
            zones: dict[str, str] = dict(
                connection.execute(sa.text("SELECT key, timezone FROM prediction")).all()
            )
        assert zones == {"kyiv": "Europe/Kyiv", "tokyo": "Etc/GMT-9", "instant": "Europe/Kyiv"}
    finally:
        engine.dispose()
    monkeypatch.setenv("TRACKER_TIMEZONE", "UTC")
    assert {p["key"]: p["due_label"] for p in cli("list", "--json").json()} == {
        "kyiv": "March 2025", "tokyo": "March 2025", "instant": "31 March 2025 17:00 +03:00"
    }  # fmt: skip


@freeze_time(NOW)
def test_seeding_again_under_another_default_zone_moves_no_deadline(
    seeded: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.conftest import SEEDS

    before = seeded("list", "--status", "all", "--json").json()
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")
    again = seeded("seed", SEEDS)
    assert again.code == 0, again.err
    assert "0 created, 0 updated, 3 unchanged" in again.out
    assert seeded("list", "--status", "all", "--json").json() == before
    # Nor does importing again a file that names no zone (an older release's export).
    path = tmp_path / "old.json"
    record = {"key": "old", "claim": "A", "due": "2025-02-20", "window_start": "2025-02-01"}
    path.write_text(json.dumps([record]))
    monkeypatch.setenv("TRACKER_TIMEZONE", "UTC")
    assert seeded("import", path).code == 0
    stored = _shown(seeded, "old")
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/Los_Angeles")
    assert "1 unchanged" in seeded("import", path).out
    assert _shown(seeded, "old") == stored
    # A file that names a zone is taken at its word: the deadline moves, and says so.
    path.write_text(json.dumps([record | {"tz": "Asia/Tokyo"}]))
    assert "1 updated" in seeded("import", path).out
    moved = _shown(seeded, "old")
    assert (moved["tz"], moved["due_at"]) == ("Asia/Tokyo", "2025-02-20T14:59:59.999999Z")
    assert moved["window_start"] == "2025-01-31T15:00:00Z"


ZONE_NAMES = ["UTC", "Asia/Tokyo", "Pacific/Kiritimati", "America/St_Johns", "Europe/Kyiv"]
FORMS = ["2025-02-20", "February 2025", "2025-Q1", "2025-H2", "2025-W09", "winter 2025",
         "2028", "in March 2025", "2025-03-01..2025-03-31"]  # fmt: skip


@pytest.mark.parametrize("text", FORMS)
@pytest.mark.parametrize("first", ZONE_NAMES)
@pytest.mark.parametrize("second", ZONE_NAMES)
def test_restating_a_window_is_reading_it_in_the_other_zone(
    text: str, first: str, second: str
) -> None:
    from tracker.domain.deadlines import parse_due, restate

    stated = parse_due(text, ZoneInfo(first))
    assert restate(stated, ZoneInfo(second)) == parse_due(text, ZoneInfo(second))
