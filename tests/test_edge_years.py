"""Times at the edge of the calendar: refused on the way in, and harmless if already stored.

An older release accepted a window start in year 1; read in a zone east of UTC that has no
local date, and one such row stopped every reminder, list and page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Result, Web, assert_one_line_error
from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import Precision, local_date, parse_zone, within_window

NOW = "2026-11-29T12:00:00Z"
CONSOLE = json.dumps([{"name": "log", "kind": "console"}])


@pytest.mark.parametrize(
    "extra",
    [
        ("--window-start", "0001-01-01"),
        ("--window-start", "0999-12-31"),
        ("--source-published", "0001-01-01"),
        ("--source-published", "9999-12-31"),
    ],
)
def test_the_cli_refuses_times_outside_the_stored_years(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, extra: tuple[str, str]
) -> None:
    assert cli("db", "upgrade").code == 0  # so that `list` has a database to read
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        monkeypatch.setenv("TRACKER_TIMEZONE", zone)
        result = cli("add", "X", "--due", "2026-11-20", "--source-url", "https://e.org/a", *extra)
        # Either the years we keep, or (where a zone pushes the date off the calendar) the
        # date itself is named.
        assert_one_line_error(result, contains=extra[0])
        assert "year" in result.err or extra[1] in result.err
    assert cli("list", "--status", "all", "--json").json() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("window_start", "0001-01-01T00:00:00Z"),
        ("created_at", "0001-01-01T00:00:00+09:00"),
        ("updated_at", "9999-12-31T23:59:59-08:00"),
        ("source", {"published_at": "0001-01-01"}),
        ("resolutions", [{"outcome": "no", "resolved_at": "0005-01-01T00:00:00Z"}]),
    ],
)
def test_import_refuses_times_outside_the_stored_years(
    cli: Callable[..., Result], tmp_path: Path, field: str, value: object
) -> None:
    assert cli("db", "upgrade").code == 0  # so that `list` has a database to read
    record = {"key": "k", "claim": "X", "due": "2026-11-20", field: value}
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"format": "tracker-export", "version": 1, "predictions": [record]}))
    assert_one_line_error(cli("import", path), contains="year")
    assert cli("list", "--status", "all", "--json").json() == []


def test_the_api_refuses_a_year_one_window_start(web: Web) -> None:
    body = {"claim": "X", "due": "2026-11-20", "window_start": "0001-01-01"}
    answer = web.client.post("/api/v1/predictions", json=body, headers=web.write_headers())
    assert answer.status_code == 422
    assert "year" in answer.json()["detail"]


def _store_year_one_window(database_url: str) -> None:
    """What an older release let in: written past the validation, as it stands in old files."""
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE prediction SET window_start = :start WHERE key = 'bad'"),
            {"start": dt.datetime(1, 1, 1) if engine.dialect.name == "sqlite" else
             dt.datetime(1, 1, 1, tzinfo=dt.UTC)},
        )  # fmt: skip
    engine.dispose()


@freeze_time(NOW)
def test_one_stored_year_one_row_stops_nothing(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, database_url: str, web: Web
) -> None:
    for key in ("bad", "good"):
        assert cli("add", key, "--due", "2026-11-20", "--key", key).code == 0
    _store_year_one_window(database_url)
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("TRACKER_CHANNELS", CONSOLE)
    checked = cli("check", "--json")
    assert checked.code == 0, checked.err
    reminders = {row["prediction"] for row in cli("deliveries", "--json").json()}
    assert reminders == {"bad", "good"}
    for command_line in (("list",), ("list", "--json"), ("show", "bad"), ("export",)):
        result = cli(*command_line)
        assert result.code == 0, (command_line, result.err)
    shown = cli("show", "bad", "--json").json()
    assert shown["window_start"] == "0001-01-01T00:00:00Z"
    assert shown["due_label"].endswith("20 November 2026")
    assert web.client.get("/api/v1/predictions").status_code == 200
    assert web.client.get("/").status_code == 200


# Every instant a datetime can hold, in any zone, at any precision: a label, never an error.
ZONES = st.sampled_from(["UTC", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
INSTANTS = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
).map(lambda moment: moment.replace(tzinfo=dt.UTC))


@given(
    due_at=INSTANTS,
    window_start=st.none() | INSTANTS,
    precision=st.sampled_from(list(Precision)),
    zone=ZONES,
)
def test_describe_due_never_fails(
    due_at: dt.datetime, window_start: dt.datetime | None, precision: Precision, zone: str
) -> None:
    tz = parse_zone(zone)
    assert describe_due(due_at, window_start, precision, tz)
    day = local_date(due_at, tz)
    assert isinstance(within_window(day, due_at, window_start, tz), bool)


@freeze_time(NOW)
def test_a_row_whose_reminders_cannot_be_planned_is_postponed_not_fatal(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever else an old row may hold that no rule foresees: the others are reminded."""
    from tracker.delivery import plan as queueing
    from tracker.io.records import prediction_json as real
    from tracker.persistence.models import PredictionRecord

    for key in ("bad", "good", "fine"):
        assert cli("add", key, "--due", "2026-11-20", "--key", key).code == 0

    def failing_for_bad(
        record: PredictionRecord, *, tz: ZoneInfo, now: dt.datetime
    ) -> dict[str, Any]:
        if record.prediction.key == "bad":
            raise OverflowError("date value out of range")
        return real(record, tz=tz, now=now)

    monkeypatch.setattr(queueing, "prediction_json", failing_for_bad)
    monkeypatch.setenv("TRACKER_CHANNELS", CONSOLE)
    checked = cli("check")
    assert checked.code == 0, checked.err
    reminded = {row["prediction"] for row in cli("deliveries", "--json").json()}
    assert reminded == {"good", "fine"}
    assert "prediction bad: its reminders could not be planned (OverflowError" in caplog.text
    # Tried again an hour later, not on every pass in between.
    assert cli("check").code == 0
    assert caplog.text.count("prediction bad:") == 1
    monkeypatch.setattr(queueing, "prediction_json", real)
    with freeze_time("2026-11-29T13:00:01Z"):
        assert cli("check").code == 0
    reminded = {row["prediction"] for row in cli("deliveries", "--json").json()}
    assert reminded == {"bad", "good", "fine"}


@freeze_time(NOW)
def test_every_front_end_refuses_an_event_day_before_the_year_1000(
    cli: Callable[..., Result], web: Web
) -> None:
    assert cli("add", "X", "--due", "2026-11-20", "--key", "x").code == 0
    result = cli("resolve", "x", "yes", "--occurred-on", "0999-12-31")
    assert_one_line_error(result, contains="occurred-on must fall in or after the year 1000")
    answer = web.client.post(
        "/api/v1/predictions/x/resolve",
        json={"outcome": "yes", "occurred_on": "0001-01-01"},
        headers=web.write_headers(),
    )
    assert answer.status_code == 422
    assert "year 1000" in answer.json()["detail"]
    assert cli("show", "x", "--json").json()["status"] == "open"
