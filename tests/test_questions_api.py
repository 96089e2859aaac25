"""The JSON API's questions: list, show, add, edit, forecasts, resolve and reopen, as the CLI
does them, with one-line 4xx errors for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import SEEDS, Result, Web, count_rows, shown_without_audit

NOW = "2026-11-29T12:00:00Z"
PORT = "the-port-reopens"


@pytest.fixture
def seeded_web(web: Web, cli: Callable[..., Result]) -> Web:
    assert cli("seed", SEEDS).code == 0
    return web


def _add_port(web: Web, **fields: Any) -> dict[str, Any]:
    body = {"claim": "The port reopens", "due": "March 2027", "key": PORT, **fields}
    added = web.client.post("/api/v1/questions", json=body, headers=web.write_headers())
    assert added.status_code == 201, added.text
    result: dict[str, Any] = added.json()
    return result


def _forecast(web: Web, ref: str = PORT, **body: Any) -> Any:
    return web.client.post(
        f"/api/v1/questions/{ref}/forecasts", json=body, headers=web.write_headers()
    )


def _one_line_error(response: Any, status: int, contains: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert contains in detail, detail
    assert "\n" not in detail


@freeze_time(NOW)
def test_list_and_show_are_the_cli_json(seeded_web: Web, cli: Callable[..., Result]) -> None:
    listed = seeded_web.client.get("/api/v1/questions", params={"status": "all"})
    assert listed.status_code == 200
    assert listed.json()["items"] == cli("list", "--status", "all", "--json").json()
    assert all(item["forecasts"] for item in listed.json()["items"])  # the seeds' forecasts
    key = listed.json()["items"][0]["key"]
    shown = seeded_web.client.get(f"/api/v1/questions/{key}").json()
    assert shown == shown_without_audit(cli, key)
    assert {"criteria", "sources", "forecasts", "versions", "resolutions"} <= set(shown)
    by_forecaster = seeded_web.client.get(
        "/api/v1/questions", params={"status": "all", "forecaster": "nobody at all"}
    )
    assert by_forecaster.json() == {"items": [], "next": None}
    assert seeded_web.client.get("/api/v1/questions/nope").status_code == 404


@freeze_time(NOW)
def test_add_with_a_first_forecast_then_revise(web: Web, cli: Callable[..., Result]) -> None:
    added = _add_port(
        web, forecaster="ISW", probability="7:3", made_at="2026-11-01T08:00",
        criteria="Ships dock at Tartus", tags=["syria"],
    )  # fmt: skip
    assert added["criteria"] == "Ships dock at Tartus"
    assert [(f["forecaster"], f["probability"], f["made_at"]) for f in added["forecasts"]] == [
        ("ISW", 0.7, "2026-11-01T08:00:00Z")  # no offset: UTC
    ]
    assert added == shown_without_audit(cli, PORT)

    desk = _forecast(web, forecaster="Desk", probability="60%", note="satellite images")
    assert desk.status_code == 201, desk.text
    assert (desk.json()["forecaster"], desk.json()["probability"]) == ("Desk", 0.6)
    assert desk.json()["made_at"] == "2026-11-29T12:00:00Z"  # default: now
    revised = _forecast(web, forecaster="ISW", probability=0.35, made_at="2026-11-20")
    assert revised.status_code == 201, revised.text

    every = web.client.get(f"/api/v1/questions/{PORT}/forecasts").json()
    assert [(f["forecaster"], f["probability"]) for f in every] == [
        ("ISW", 0.7), ("ISW", 0.35), ("Desk", 0.6)
    ]  # fmt: skip
    assert every == cli("show", PORT, "--json").json()["forecasts"]
    isw = web.client.get(f"/api/v1/questions/{PORT}/forecasts", params={"forecaster": "isw"})
    assert [f["probability"] for f in isw.json()] == [0.7, 0.35]
    latest = web.client.get("/api/v1/questions").json()["items"][0]["forecasts"]
    assert [(f["forecaster"], f["probability"]) for f in latest] == [("ISW", 0.35), ("Desk", 0.6)]


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"forecaster": "ISW", "probability": 0.5, "made_at": "2026-12-01"}, 422, "future"),
        ({"forecaster": "ISW", "probability": 0.5, "made_at": "0999-01-01"}, 422, "made_at"),
        ({"forecaster": "ISW", "probability": "maybe"}, 422, "probability"),
        ({"forecaster": "ISW", "probability": 1.5}, 422, "probability"),
        ({"forecaster": "ISW", "probability": True}, 422, "probability"),
        ({"forecaster": "", "probability": 0.5}, 422, "forecaster"),
        ({"probability": 0.5}, 422, "forecaster: name who makes the forecast"),
        ({"forecaster": "ISW", "probability": 0.5, "colour": "red"}, 422, "colour"),
        ({"forecaster": "ISW", "probability": 0.5, "source_url": "ftp://x"}, 422, "source_url"),
    ],
)
def test_a_bad_forecast_is_refused_in_one_line(
    web: Web, database_url: str, body: dict[str, Any], status: int, message: str
) -> None:
    _add_port(web)
    _one_line_error(_forecast(web, **body), status, message)
    assert count_rows(database_url, "forecast") == 0


@freeze_time(NOW)
def test_forecasts_need_the_token_and_a_question(web: Web, database_url: str) -> None:
    _add_port(web)
    body = {"forecaster": "ISW", "probability": 0.5}
    refused = web.client.post(f"/api/v1/questions/{PORT}/forecasts", json=body)
    assert refused.status_code == 401
    _one_line_error(_forecast(web, ref="nope", **body), 404, "nope")
    assert count_rows(database_url, "forecast") == 0


@freeze_time(NOW)
def test_a_forecast_on_a_resolved_question_is_refused(web: Web) -> None:
    _add_port(web)
    headers = web.write_headers()
    resolved = web.client.post(
        f"/api/v1/questions/{PORT}/resolve", json={"outcome": "yes"}, headers=headers
    )
    assert resolved.status_code == 200, resolved.text
    late = _forecast(web, forecaster="ISW", probability=0.5)
    _one_line_error(late, 422, "would be made knowing the answer")


@freeze_time(NOW)
def test_edit_keeps_the_earlier_version(web: Web, cli: Callable[..., Result]) -> None:
    _add_port(web, tags=["syria"])
    headers = web.write_headers()
    url = f"/api/v1/questions/{PORT}"
    edited = web.client.patch(
        url,
        json={"note": "the article was corrected", "claim": "The port of Tartus reopens",
              "due": "June 2027", "add_tags": ["ports"], "remove_tags": ["syria"]},
        headers=headers,
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["claim"], body["due_label"], body["tags"]) == (
        "The port of Tartus reopens", "June 2027", ["ports"]
    )  # fmt: skip
    [version] = body["versions"]
    assert (version["note"], version["snapshot"]["claim"]) == (
        "the article was corrected", "The port reopens"
    )  # fmt: skip
    assert body == shown_without_audit(cli, PORT)

    _one_line_error(web.client.patch(url, json={"claim": "x"}, headers=headers), 422, "note")
    _one_line_error(
        web.client.patch(url, json={"note": " ", "claim": "x"}, headers=headers), 422, "note"
    )
    same = web.client.patch(url, json={"note": "again", "due": "June 2027"}, headers=headers)
    _one_line_error(same, 422, "nothing to change")
    assert web.client.patch(url, json={"note": "x", "claim": "y"}).status_code == 401
    assert len(cli("show", PORT, "--json").json()["versions"]) == 1


@freeze_time(NOW)
def test_a_resolved_deadline_moves_only_with_force(web: Web, cli: Callable[..., Result]) -> None:
    _add_port(web)
    headers = web.write_headers()
    url = f"/api/v1/questions/{PORT}"
    assert web.client.post(f"{url}/resolve", json={"outcome": "no"}, headers=headers).is_success
    move = {"note": "the deadline was misread", "due": "2027-12"}
    _one_line_error(web.client.patch(url, json=move, headers=headers), 409, '"force": true')
    assert cli("show", PORT, "--json").json()["due_label"] == "March 2027"
    forced = web.client.patch(url, json={**move, "force": True}, headers=headers)
    assert forced.status_code == 200, forced.text
    assert forced.json()["due_label"] == "December 2027"
    bad_force = web.client.patch(url, json={**move, "force": "yes"}, headers=headers)
    _one_line_error(bad_force, 422, "force")


@freeze_time(NOW)
def test_resolve_and_reopen_as_the_predictions_ones(web: Web) -> None:
    _add_port(web, forecaster="ISW", probability=0.7)
    headers = web.write_headers()
    url = f"/api/v1/questions/{PORT}"
    resolved = web.client.post(
        f"{url}/resolve", json={"outcome": "yes", "note": "It did"}, headers=headers
    )
    assert resolved.status_code == 200, resolved.text
    assert [(r["outcome"], r["via"]) for r in resolved.json()["resolutions"]] == [("yes", "api")]
    assert resolved.json()["forecasts"][0]["forecaster"] == "ISW"
    again = web.client.post(f"{url}/resolve", json={"outcome": "no"}, headers=headers)
    _one_line_error(again, 409, f"/api/v1/questions/{PORT}/reopen")
    assert web.client.post(f"{url}/reopen", headers=headers).json()["status"] == "open"
    _one_line_error(web.client.post(f"{url}/reopen", headers=headers), 409, "open already")
    assert web.client.post(f"{url}/reopen").status_code == 401


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"claim": "x"}, "due: Field required"),
        ({"claim": "x", "due": "2030", "forecaster": "a", "probability": "7:0:1"}, "probability"),
        (
            {
                "claim": "x",
                "due": "2030",
                "forecaster": "a",
                "probability": 0.5,
                "made_at": "2031-01-01",
            },
            "made_at",
        ),
        ({"claim": "x", "due": "2030", "made_at": "soon"}, "made_at"),
        ({"claim": "x", "due": "2030", "criteria": "\x00"}, "criteria"),
    ],
)
def test_a_bad_question_is_refused_in_one_line(
    web: Web, database_url: str, body: dict[str, Any], message: str
) -> None:
    added = web.client.post("/api/v1/questions", json=body, headers=web.write_headers())
    _one_line_error(added, 422, message)
    assert count_rows(database_url, "prediction") == 0


def test_the_schema_describes_the_questions(web: Web) -> None:
    paths = web.client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/questions"]) == {"get", "post"}
    assert set(paths["/api/v1/questions/{ref}"]) == {"get", "patch"}
    assert set(paths["/api/v1/questions/{ref}/forecasts"]) == {"get", "post"}
    assert "post" in paths["/api/v1/questions/{ref}/resolve"]
    assert "post" in paths["/api/v1/questions/{ref}/reopen"]
