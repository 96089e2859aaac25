"""GET /healthz, /readyz and /metrics: what each says, on both databases, after real passes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SEEDS, Result, Web
from tests.sink import Answer, Sink
from tracker.persistence.db import SCHEMA_REVISION, make_engine

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_healthz_answers_without_the_database(make_web: Callable[..., Web]) -> None:
    from fastapi.testclient import TestClient

    from tracker.web.app import create_app

    web = make_web()
    # Nothing listens on port 1: every connection to this database fails.
    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    client = TestClient(create_app(web.settings, broken), raise_server_exceptions=False)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["reason"].startswith("database unreachable: ")
    assert "\n" not in ready.json()["reason"]
    assert "nobody" not in ready.text  # the address stays out of it
    scraped = metrics(client.get("/metrics").text)
    assert scraped["tracker_database_up"] == 0
    assert "tracker_open_questions" not in scraped


def test_readyz_wants_the_schema_at_head(web: Web, cli: Callable[..., Result]) -> None:
    assert cli("check").code == 0
    assert web.client.get("/readyz").status_code == 200
    with web.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0013'"))
    ready = web.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": f"database schema is at migration 0013, this version needs {SCHEMA_REVISION} "
        "(`tracker db upgrade`)",
    }
    with web.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    ahead = web.client.get("/readyz").json()["reason"]
    assert ahead.endswith(f"needs {SCHEMA_REVISION} (a newer tracker migrated it)")


def test_readyz_wants_a_worker_pass_within_two_intervals(
    make_web: Callable[..., Web], cli: Callable[..., Result]
) -> None:
    web = make_web(check_interval="60s")
    with freeze_time(NOW):
        never = web.client.get("/readyz")
        assert never.status_code == 503
        assert never.json()["reason"].startswith("no worker has finished a pass yet")
        assert cli("check").code == 0
        assert cli("check").code == 0  # a second worker (each check is one)
    with freeze_time(NOW + dt.timedelta(seconds=120)):
        ready = web.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ready"
        assert body["migration"] == SCHEMA_REVISION
        assert body["last_pass_at"] == "2026-12-01T12:00:00Z"
        assert len(body["workers"]) == 2
        assert {w["last_pass_at"] for w in body["workers"]} == {"2026-12-01T12:00:00Z"}
    with freeze_time(NOW + dt.timedelta(seconds=121)):
        late = web.client.get("/readyz")
        assert late.status_code == 503
        assert late.json()["reason"] == (
            "no worker has finished a pass within 120s (two check intervals); the last ended "
            "at 2026-12-01T12:00:00Z"
        )


def test_readyz_without_workers_when_none_are_required(make_web: Callable[..., Web]) -> None:
    web = make_web(readyz_require_worker=False)
    ready = web.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["workers"] == []
    assert ready.json()["worker_required"] is False


def test_a_dry_run_is_no_heartbeat(web: Web, cli: Callable[..., Result]) -> None:
    assert cli("check", "--dry-run").code == 0
    assert web.client.get("/readyz").status_code == 503


def metrics(text: str) -> dict[str, Any]:
    """name -> value, or name -> {labels as a sorted tuple: value} for labelled samples."""
    found: dict[str, Any] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels:
                key = tuple(sorted(sample.labels.items()))
                found.setdefault(sample.name, {})[key] = sample.value
            else:
                found[sample.name] = sample.value
    return found


def _database_counts(url: str, now: dt.datetime) -> tuple[dict[tuple[str, str], int], int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            deliveries = {
                (status, channel): n
                for status, channel, n in connection.execute(
                    sa.text("SELECT status, channel, count(*) FROM delivery GROUP BY 1, 2")
                )
            }
            due = [
                row[0]
                for row in connection.execute(
                    sa.text("SELECT due_at FROM prediction WHERE status = 'open'")
                )
            ]
    finally:
        engine.dispose()
    overdue = sum(1 for d in due if _utc(d) < now)
    return deliveries, len(due), overdue


def _utc(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_metrics_add_up_to_the_database_after_a_real_check(
    web: Web,
    cli: Callable[..., Result],
    sink: Sink,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    from tracker.delivery.timings import PASS_SECONDS, SEND_SECONDS

    channels = [
        {"name": "desk", "kind": "webhook", "url": f"{sink.url}/desk"},
        {"name": "broken", "kind": "webhook", "url": f"{sink.url}/broken"},
    ]
    monkeypatch.setenv("TRACKER_CHANNELS", json.dumps(channels))
    sink.answer("/broken", Answer(status=503))
    assert cli("seed", SEEDS).code == 0
    assert cli("add", "A question whose deadline is ahead", "--due", "2099-01-01").code == 0
    sends_before = sum(s.count for s in SEND_SECONDS.series())
    passes_before = sum(s.count for s in PASS_SECONDS.series())
    assert cli("check").code == 0
    assert len(sink.on("/desk")) == 3
    assert len(sink.on("/broken")) == 3
    response = web.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    scraped = metrics(response.text)
    now = dt.datetime.now(dt.UTC)  # noqa: TID251 - the scrape's own time, roughly
    deliveries, open_count, overdue = _database_counts(database_url, now)
    assert deliveries[("delivered", "desk")] == deliveries[("retrying", "broken")] == 3
    assert ("skipped", "desk") not in deliveries  # the stale reminders cost no rows
    assert {
        (dict(k)["status"], dict(k)["channel"]): v for k, v in scraped["tracker_deliveries"].items()
    } == deliveries
    assert (scraped["tracker_open_questions"], scraped["tracker_overdue_questions"]) == (4, 3)
    assert (open_count, overdue) == (4, 3)
    assert scraped["tracker_database_up"] == 1
    assert 0 <= scraped["tracker_oldest_unsent_delivery_age_seconds"] < 60
    assert abs(scraped["tracker_last_pass_timestamp_seconds"] - now.timestamp()) < 60
    sends = scraped["tracker_send_duration_seconds_count"]
    assert sum(sends.values()) == sends_before + 6
    assert sends[(("channel", "desk"), ("outcome", "delivered"))] >= 3
    assert sends[(("channel", "broken"), ("outcome", "retry"))] >= 3
    assert scraped["tracker_pass_duration_seconds_count"] == passes_before + 1


def test_finished_deliveries_are_recounted_every_five_minutes(
    web: Web, cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", f"{sink.url}/hook")
    sink.answer("/hook", Answer(status=503))
    assert cli("seed", SEEDS).code == 0
    assert cli("check").code == 0

    def deliveries() -> dict[str, float]:
        scraped = metrics(web.client.get("/metrics").text).get("tracker_deliveries", {})
        return {dict(k)["status"]: v for k, v in scraped.items()}

    with freeze_time(NOW):
        assert deliveries()["retrying"] == 3
        assert "delivered" not in deliveries()
    with web.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE delivery SET status = 'delivered' WHERE status = 'retrying'")
        )
    with freeze_time(NOW + dt.timedelta(minutes=4, seconds=59)):
        assert "retrying" not in deliveries()  # in flight: counted at each scrape
        assert "delivered" not in deliveries()  # finished: as counted at NOW
    with freeze_time(NOW + dt.timedelta(minutes=5)):
        assert deliveries()["delivered"] == 3


def test_a_worker_silent_for_a_day_is_forgotten(web: Web, cli: Callable[..., Result]) -> None:
    with freeze_time(NOW):
        assert cli("check").code == 0
    with freeze_time(NOW + dt.timedelta(days=1)):
        assert cli("check").code == 0
        assert len(web.client.get("/readyz").json()["workers"]) == 1
    with web.engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT count(*) FROM service_state")).scalar()
    with freeze_time(NOW + dt.timedelta(days=1, seconds=1)):
        assert cli("check").code == 0
    with web.engine.connect() as connection:
        names = connection.execute(sa.text("SELECT name FROM service_state")).scalars().all()
    assert len(names) == kept  # one worker's row came, the first's went
    assert sum(name.startswith("heartbeat:") for name in names) == 2


@pytest.mark.slow
def test_run_http_shows_its_own_sends_and_passes(
    cli: Callable[..., Result], database_url: str, sink: Sink
) -> None:
    import re
    import signal

    import httpx

    from tests.conftest import process_env
    from tests.test_serve import SERVING, started

    assert cli("seed", SEEDS).code == 0
    env = process_env(database_url, TRACKER_WEBHOOK_URL=f"{sink.url}/hook", TRACKER_HTTP_PORT="0")
    with started(["run", "--http"], env) as running:
        url = running.wait_for(SERVING).group(1)
        running.wait_for(re.compile(r"pass: .*attempted 3"))
        ready = httpx.get(f"{url}/readyz", timeout=10)
        scraped = metrics(httpx.get(f"{url}/metrics", timeout=10).text)
        log = running.stop(signal.SIGTERM)
    assert running.process.returncode == 0, log
    assert ready.status_code == 200, ready.text
    assert len(ready.json()["workers"]) == 1
    sends = scraped["tracker_send_duration_seconds_count"]
    assert sends == {(("channel", "webhook"), ("outcome", "delivered")): 3}
    assert scraped["tracker_pass_duration_seconds_count"] >= 1
    assert scraped["tracker_deliveries"][(("channel", "webhook"), ("status", "delivered"))] == 3
