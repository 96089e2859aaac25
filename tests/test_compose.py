"""docker-compose.yml cannot run here (no Docker engine), so check what it says."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tracker.config import Settings


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return compose


def test_services_and_their_wiring() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "tracker", "web"}
    postgres, tracker = services["postgres"], services["tracker"]
    assert "healthcheck" in postgres
    assert any(v.startswith("postgres-data:") for v in postgres["volumes"])
    assert tracker["command"] == ["tracker", "run"]
    assert tracker["deploy"]["replicas"] == 3  # one web, three workers
    assert tracker["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "./config:/app/config:ro" in tracker["volumes"]
    url = tracker["environment"]["TRACKER_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in url


def test_secrets_are_required_from_the_environment() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text
    assert "password:" not in text.lower().replace("postgres_password", "")


@pytest.mark.parametrize("service", ["tracker", "web"])
def test_tracker_variables_are_real_settings(service: str) -> None:
    environment = _compose()["services"][service]["environment"]
    names = {name for name in environment if name.startswith("TRACKER_")}
    known = {f"TRACKER_{field.upper()}" for field in Settings.model_fields} | {"TRACKER_CONFIG"}
    assert names <= known, names - known
    for value in environment.values():
        for variable in re.findall(r"\$\{(\w+)", str(value)):
            assert variable == "POSTGRES_PASSWORD" or variable in known, variable


def services_tracker_env() -> dict[str, str]:
    environment: dict[str, str] = _compose()["services"]["tracker"]["environment"]
    return environment


def test_the_web_service_serves_on_the_hosts_loopback() -> None:
    web = _compose()["services"]["web"]
    assert web["command"] == ["tracker", "serve"]
    assert web["environment"]["TRACKER_HTTP_HOST"] == "0.0.0.0"
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    channels = ("TRACKER_WEBHOOK_URL", "TRACKER_WEBHOOK_SECRET", "TRACKER_SLACK_WEBHOOK_URL")
    for name in channels:  # a secret without its URL would stop `tracker serve` at start
        assert web["environment"][name] == services_tracker_env()[name]


def test_the_image_runs_the_service() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert 'CMD ["tracker", "run"]' in dockerfile
    assert "pip install" in dockerfile
