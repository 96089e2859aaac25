"""The JSON API: the CLI's objects, bearer-token writes, and JSON errors with the right codes."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from freezegun import freeze_time

from tests.conftest import (
    API_TOKEN,
    SEEDS,
    TEST_DATABASE_URL,
    Result,
    Web,
    count_rows,
    is_sqlite,
    live_server,
    shown_without_audit,
)

WITHDRAWAL = "russia-withdraws-from-syria-feb-2025"
NOW = "2026-11-29T12:00:00Z"


@pytest.fixture
def seeded_web(web: Web, cli: Callable[..., Result]) -> Web:
    assert cli("seed", SEEDS).code == 0
    return web


def _key(cli: Callable[..., Result]) -> str:
    return str(cli("list", "--json").json()[0]["key"])


@freeze_time(NOW)
def test_list_and_show_are_the_cli_json(seeded_web: Web, cli: Callable[..., Result]) -> None:
    listed = seeded_web.client.get("/api/v1/predictions", params={"status": "all"})
    assert listed.status_code == 200
    assert listed.json() == {
        "items": cli("list", "--status", "all", "--json").json(),
        "next": None,
    }
    key = listed.json()["items"][0]["key"]
    shown = seeded_web.client.get(f"/api/v1/predictions/{key}")
    assert shown.json() == shown_without_audit(cli, key)
    by_id = seeded_web.client.get(f"/api/v1/predictions/{shown.json()['id']}")
    assert by_id.json()["key"] == key


@freeze_time(NOW)
def test_add_resolve_reopen_with_the_token(web: Web, cli: Callable[..., Result]) -> None:
    headers = web.write_headers()
    added = web.client.post(
        "/api/v1/predictions",
        json={"claim": "The port reopens", "due": "March 2027", "probability": "70%",
              "forecaster": "desk", "tags": ["syria"], "source": {"url": "https://example.org/a"}},
        headers=headers,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["due_label"], body["probability"], body["tags"]) == ("March 2027", 0.7, ["syria"])
    assert cli("show", body["key"], "--json").json()["claim"] == "The port reopens"

    resolved = web.client.post(
        f"/api/v1/predictions/{body['key']}/resolve",
        json={"outcome": "yes", "note": "It did", "occurred_on": "2026-11-20"},
        headers=headers,
    )
    assert resolved.status_code == 200, resolved.text
    history = resolved.json()["resolutions"]
    assert [(r["outcome"], r["via"], r["resolved_by"]) for r in history] == [("yes", "api", "api")]

    again = web.client.post(
        f"/api/v1/predictions/{body['key']}/resolve", json={"outcome": "no"}, headers=headers
    )
    assert again.status_code == 409
    assert "already resolved yes" in again.json()["detail"]

    reopened = web.client.post(f"/api/v1/predictions/{body['key']}/reopen", headers=headers)
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    reopen_again = web.client.post(f"/api/v1/predictions/{body['key']}/reopen", headers=headers)
    assert reopen_again.status_code == 409


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"authorization": "Bearer wrong"}, 401),
        ({"authorization": f"Basic {API_TOKEN}"}, 401),
        ({"authorization": f"Bearer {API_TOKEN}x"}, 401),
        ({"authorization": "Bearer ünïcode".encode()}, 401),
    ],
)
def test_writes_without_the_right_token_are_refused(
    web: Web, database_url: str, headers: dict[str, str | bytes], status: int
) -> None:
    response = web.client.post(
        "/api/v1/predictions", json={"claim": "x", "due": "2030"}, headers=headers
    )
    assert response.status_code == status
    assert response.headers["www-authenticate"] == "Bearer"
    assert API_TOKEN not in response.text
    assert count_rows(database_url, "prediction") == 0


def test_without_a_token_the_api_is_read_only_and_says_so(
    make_web: Callable[..., Web], database_url: str
) -> None:
    web = make_web(api_token=None)
    assert web.client.get("/api/v1/status").json()["read_only"] is True
    response = web.client.post(
        "/api/v1/predictions",
        json={"claim": "x", "due": "2030"},
        headers={"authorization": "Bearer anything"},
    )
    # A token the server does not know is a 401, and says why nothing could write.
    assert response.status_code == 401
    assert response.json()["detail"].startswith("the bearer token is not one this server knows")
    assert "read-only" in response.json()["detail"]
    without = web.client.post("/api/v1/predictions", json={"claim": "x", "due": "2030"})
    assert without.status_code == 401
    assert "read-only" in without.json()["detail"]
    assert count_rows(database_url, "prediction") == 0
    assert web.client.get("/api/v1/predictions").status_code == 200


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"claim": "x"}, "due: Field required"),
        ({"claim": "x", "due": "someday"}, "due:"),
        ({"claim": "x", "due": "2030", "probability": 1.5}, "probability:"),
        ({"claim": "", "due": "2030"}, "claim:"),
        ({"claim": "x", "due": "2030", "colour": "red"}, "colour: Extra inputs"),
        ({"claim": "x", "due": "2030", "source": {"url": "ftp://x"}}, "source:"),
        ([1, 2], "Input should be a valid dictionary"),
        ({"claim": "x\ud800", "due": "2030"}, "claim: is not valid Unicode"),
        ({"claim": "x", "due": "0001-01-01"}, "between the years 1000 and 9000"),
        ({"claim": "x", "due": "2030", "source": {"url": "http://[::1"}}, "not a valid URL"),
        # JSON's true is no probability (lax pydantic stored it as 1.0), nor is false 0.
        ({"claim": "x", "due": "2030", "probability": True}, "probability"),
        ({"claim": "x", "due": "2030", "probability": False}, "probability"),
    ],
)
def test_bad_input_is_422_with_a_clear_message(
    web: Web, database_url: str, payload: object, message: str
) -> None:
    response = web.client.post(
        "/api/v1/predictions",
        content=json.dumps(payload).encode(),  # ASCII escapes: a lone surrogate travels too
        headers={**web.write_headers(), "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert "\n" not in response.json()["detail"]
    assert count_rows(database_url, "prediction") == 0


@freeze_time(NOW)
@pytest.mark.parametrize("force", ["yes", "true", 1, 0, "no"])
def test_force_must_be_a_json_boolean(
    seeded_web: Web, cli: Callable[..., Result], force: object
) -> None:
    key = _key(cli)
    headers = seeded_web.write_headers()
    url = f"/api/v1/predictions/{key}/resolve"
    assert seeded_web.client.post(url, json={"outcome": "yes"}, headers=headers).status_code == 200
    again = seeded_web.client.post(url, json={"outcome": "no", "force": force}, headers=headers)
    assert again.status_code == 422, again.text
    assert again.json()["detail"].startswith("force: ")
    assert [r["outcome"] for r in cli("show", key, "--json").json()["resolutions"]] == ["yes"]


@pytest.mark.parametrize("path", ["/", "/api/v1/predictions", "/api/v1/status", "/openapi.json"])
def test_head_answers_as_get_without_a_body(web: Web, path: str) -> None:
    got = web.client.get(path)
    head = web.client.head(path)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == got.headers["content-type"]
    assert web.client.head("/api/v1/nothing").status_code == 404


def test_malformed_json_is_422_not_500(web: Web) -> None:
    response = web.client.post(
        "/api/v1/predictions",
        content=b"{not json",
        headers={**web.write_headers(), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "detail" in response.json()


@freeze_time(NOW)
def test_resolve_errors(seeded_web: Web, cli: Callable[..., Result]) -> None:
    key = _key(cli)
    post = seeded_web.client.post
    headers = seeded_web.write_headers()
    unknown = post("/api/v1/predictions/nope/resolve", json={"outcome": "yes"}, headers=headers)
    assert unknown.status_code == 404
    maybe = post(f"/api/v1/predictions/{key}/resolve", json={"outcome": "maybe"}, headers=headers)
    assert maybe.status_code == 422
    assert "outcome" in maybe.json()["detail"]
    future = post(
        f"/api/v1/predictions/{key}/resolve",
        json={"outcome": "yes", "occurred_on": "2027-01-01"},
        headers=headers,
    )
    assert (future.status_code, "in the future" in future.json()["detail"]) == (422, True)
    bad_url = post(
        f"/api/v1/predictions/{key}/resolve",
        json={"outcome": "yes", "evidence_url": "javascript:alert(1)"},
        headers=headers,
    )
    assert bad_url.status_code == 422
    assert cli("show", key, "--json").json()["status"] == "open"


def status_database_prefix(url: str) -> str:
    return "sqlite:" if is_sqlite(url) else "postgresql"


@freeze_time(NOW)
def test_deliveries_status_and_summary_match_the_cli(
    seeded_web: Web, cli: Callable[..., Result], database_url: str
) -> None:
    assert cli("check").code == 0
    cli("resolve", _key(cli), "no")
    client = seeded_web.client
    deliveries = client.get("/api/v1/deliveries").json()
    assert deliveries["items"] == cli("deliveries", "--json").json()
    assert deliveries["next"] is None
    assert client.get("/api/v1/deliveries", params={"status": "dead"}).json()["items"] == []
    status = client.get("/api/v1/status").json()
    assert status.pop("read_only") is False
    assert status.pop("database") == ("sqlite" if is_sqlite(database_url) else "postgresql")
    from_cli = cli("status", "--json").json()
    assert from_cli.pop("database").startswith(status_database_prefix(database_url))
    assert status == from_cli
    summary = client.get("/api/v1/summary", params={"by": "forecaster"}).json()
    assert summary == cli("summary", "--by", "forecaster", "--json").json()
    assert summary["counts"]["resolved_no"] == 1
    assert client.get("/api/v1/summary", params={"since": "garbage"}).status_code == 422
    assert client.get("/api/v1/deliveries", params={"limit": 0}).status_code == 422


def test_unknown_paths_and_methods_answer_json(web: Web) -> None:
    missing = web.client.get("/api/v1/nothing")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    assert web.client.delete("/api/v1/predictions").status_code == 405


def test_openapi_describes_the_api(web: Web) -> None:
    spec = web.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/predictions", "/api/v1/predictions/{ref}/resolve", "/api/v1/summary",
                 "/api/v1/deliveries", "/api/v1/status", "/hooks/resolve"):  # fmt: skip
        assert path in paths
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert web.client.get("/docs").status_code == 404  # Swagger UI would need a CDN


@freeze_time(NOW)
def test_a_real_server_answers_the_same(seeded_web: Web, cli: Callable[..., Result]) -> None:
    key = _key(cli)
    with live_server(seeded_web) as url:
        listed = httpx.get(f"{url}/api/v1/predictions")
        assert listed.status_code == 200
        keys = [p["key"] for p in listed.json()["items"]]
        assert keys == [p["key"] for p in cli("list", "--json").json()]
        refused = httpx.post(f"{url}/api/v1/predictions/{key}/resolve", json={"outcome": "yes"})
        assert refused.status_code == 401
        done = httpx.post(
            f"{url}/api/v1/predictions/{key}/resolve",
            json={"outcome": "yes", "resolved_by": "ana"},
            headers={"authorization": f"Bearer {API_TOKEN}"},
        )
        assert done.status_code == 200
        assert "server" not in done.headers
    assert cli("show", key, "--json").json()["resolutions"][0]["resolved_by"] == "ana"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/predictions?forecaster=a%00b",
        "/api/v1/predictions?tag=%00",
        "/api/v1/predictions/a%00b",
        "/api/v1/deliveries?prediction=%00",
        "/api/v1/summary?forecaster=%00",
    ],
)
def test_nul_characters_are_bad_input_on_every_database(web: Web, path: str) -> None:
    # PostgreSQL refuses NUL in text: without the check this was a 503 there, 200 on SQLite.
    response = web.client.get(path)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("declared", [True, False])
def test_a_huge_body_is_refused_with_413(
    make_web: Callable[..., Web], database_url: str, declared: bool
) -> None:
    web = make_web(inbound_webhook_secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    payload = b'{"claim": "' + b"x" * (2 * 1024 * 1024) + b'", "due": "2030"}'

    def chunks() -> Iterator[bytes]:  # no content-length: the server counts as it reads
        for start in range(0, len(payload), 65536):
            yield payload[start : start + 65536]

    response = web.client.post(
        "/api/v1/predictions",
        content=payload if declared else chunks(),
        headers={**web.write_headers(), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "the request body is larger than 1024 KiB"}
    assert count_rows(database_url, "prediction") == 0
    hook = web.client.post("/hooks/resolve", content=payload if declared else chunks())
    assert hook.status_code == 413


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite only")
def test_a_deleted_database_file_is_503_not_201(web: Web, tmp_path: Path) -> None:
    """The report: writes after the file was deleted answered 201 and went nowhere."""
    claim = {"claim": "x", "due": "2030"}
    post = web.client.post
    assert post("/api/v1/predictions", json=claim, headers=web.write_headers()).status_code == 201
    (tmp_path / "tracker.db").unlink()
    for response in (
        post("/api/v1/predictions", json=claim, headers=web.write_headers()),
        web.client.get("/api/v1/predictions"),
        web.client.get("/"),
    ):
        assert response.status_code == 503, response.text
        detail = response.json()["detail"]
        assert "removed or replaced" in detail
        assert str(tmp_path) not in response.text
    assert not (tmp_path / "tracker.db").exists()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only")
def test_a_dropped_database_is_503_without_its_address(caplog: pytest.LogCaptureFixture) -> None:
    """The report: after DROP DATABASE, `/` answered 503 naming the user, host, port and name."""
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from tracker.config import load_settings
    from tracker.persistence.db import make_engine, upgrade_to_head
    from tracker.web.app import create_app

    name = f"tracker_drop_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(TEST_DATABASE_URL).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        client = TestClient(
            create_app(load_settings(database_url=str(url)), engine),
            raise_server_exceptions=False,
        )
        assert client.get("/").status_code == 200
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        caplog.set_level(logging.DEBUG)
        for path in ("/", "/api/v1/status", "/api/v1/predictions"):
            response = client.get(path)
            assert response.status_code == 503, response.text
            assert len(response.json()["detail"].splitlines()) == 1
            shown = response.text + "\n".join(r.getMessage() for r in caplog.records)
            parts = {name, url.host, str(url.port or 5432), url.username, url.password}
            for part in parts - {None, ""}:
                assert f"{part}" not in shown, (part, shown)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
