"""The JSON API's proposals: list them (open, as reads are), accept and reject them with a
`forecast` token, and one-line 4xx errors for everything a caller can get wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from tests.conftest import Result, Web
from tracker import people
from tracker.clock import utcnow
from tracker.domain.people import Actor
from tracker.enums import AuditVia
from tracker.extract import extract_candidates
from tracker.news.articles import ArticleText, candidate_records, propose_article

NOW = "2026-11-29T12:00:00Z"
ARTICLE = ArticleText(
    text=(
        "Russia will likely withdraw its forces from Syria by February 2027, ISW said. "
        "The port <script>alert(1)</script> will probably reopen by March 2027, the ministry "
        "said."
    ),
    url="https://news.example/syria",
    title="Syria <b>today</b>",
    publisher="Example News",
    published=dt.date(2026, 11, 20),
)
SYRIA = "Russia will withdraw its forces from Syria by February 2027."
PORT = "The port <script>alert(1)</script> will reopen by March 2027."


def propose(web: Web, article: ArticleText = ARTICLE) -> dict[str, int]:
    """The article's forecasts as pending proposals: {claim: proposal id}."""
    tz = ZoneInfo("UTC")
    assert article.published is not None
    found = extract_candidates(article.text, published=article.published, tz=tz, forecaster=None)
    records = candidate_records(found, source=article.source())
    made = propose_article(web.engine, article=article, records=records, tz=tz, now=utcnow())
    return {p.claim: p.id for p in made.proposals if p.id is not None}


def token_for(web: Web, name: str, scope: str, forecaster: str | None = None) -> dict[str, str]:
    root = Actor(name="root", via=AuditVia.CLI)
    user = people.NewUser(name=name, forecaster=forecaster)
    people.add_user(web.engine, user=user, actor=root, now=utcnow())
    token = people.create_token(
        web.engine, user_name=name, scope=scope, expires_at=None, note=None, actor=root,
        now=utcnow(),
    ).token  # fmt: skip
    return {"authorization": f"Bearer {token}"}


def one_line_error(response: Any, status: int, contains: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert contains in detail, detail
    assert "\n" not in detail


def decide(web: Web, pid: int, how: str, headers: dict[str, str], **body: Any) -> Any:
    return web.client.post(f"/api/v1/proposals/{pid}/{how}", json=body, headers=headers)


def pending(web: Web) -> list[int]:
    return [p["id"] for p in web.client.get("/api/v1/proposals").json()["items"]]


@freeze_time(NOW)
def test_the_list_is_open_and_is_the_cli_json(web: Web, cli: Callable[..., Result]) -> None:
    assert web.client.get("/api/v1/proposals").json() == {"items": [], "next": None}
    ids = propose(web)
    listed = web.client.get("/api/v1/proposals")
    assert listed.status_code == 200
    assert listed.json()["items"] == cli("proposals", "--json").json()
    assert [(p["claim"], p["forecaster"], p["due"]) for p in listed.json()["items"]] == [
        (SYRIA, "ISW", "February 2027"),
        (PORT, "the ministry", "March 2027"),
    ]
    assert listed.json()["items"][0]["article"]["title"] == "Syria <b>today</b>"
    assert web.client.get("/api/v1/proposals", params={"status": "rejected"}).json()["items"] == []
    every = web.client.get("/api/v1/proposals", params={"status": "all"}).json()["items"]
    assert sorted(p["id"] for p in every) == sorted(ids.values())
    one_line_error(web.client.get("/api/v1/proposals", params={"status": "new"}), 422, "status")
    first = web.client.get("/api/v1/proposals", params={"limit": 1}).json()
    rest = web.client.get(first["next"]).json()
    assert [p["claim"] for p in first["items"] + rest["items"]] == [SYRIA, PORT]
    assert rest["next"] is None
    one_line_error(web.client.get("/api/v1/proposals", params={"cursor": "no"}), 400, "cursor")
    wrong = web.client.get("/api/v1/proposals", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401  # a token sent is checked, on a read too


@freeze_time(NOW)
def test_deciding_needs_a_forecast_token(web: Web) -> None:
    ids = propose(web)
    reader = token_for(web, "rita", "read")
    for how in ("accept", "reject"):
        one_line_error(decide(web, ids[SYRIA], how, {}), 401, "`forecast` scope")
        one_line_error(decide(web, ids[SYRIA], how, reader), 403, "needs `forecast`")
    assert pending(web) == sorted(ids.values())


@freeze_time(NOW)
def test_accept_stores_a_question_once_and_audits_it(web: Web) -> None:
    ids = propose(web)
    alice = token_for(web, "alice", "forecast", forecaster="Alice A")
    accepted = decide(web, ids[SYRIA], "accept", alice)
    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    assert (answer["proposal"], answer["attached"], answer["forecast_added"]) == (
        ids[SYRIA], False, False
    )  # fmt: skip
    key = answer["question"]
    question = web.client.get(f"/api/v1/questions/{key}").json()
    assert question["claim"] == SYRIA
    assert question["due_label"] == "February 2027"
    # As the article has it: ISW's forecast, not alice's, who only curates.
    assert [(f["forecaster"], f["probability"]) for f in question["forecasts"]] == [("ISW", 0.675)]
    assert pending(web) == [ids[PORT]]
    decided = web.client.get("/api/v1/proposals", params={"status": "accepted"}).json()["items"]
    assert [(p["decided_by"], p["question"]) for p in decided] == [("alice", key)]

    audit = web.client.get(
        "/api/v1/audit", params={"question": key}, headers=web.write_headers()
    ).json()["items"]
    entry = next(e for e in audit if e["action"] == "proposal.accept")
    assert (entry["actor"], entry["via"], entry["after"]["proposal"]) == (
        "alice", "api", ids[SYRIA]
    )  # fmt: skip

    again = decide(web, ids[SYRIA], "accept", alice)
    one_line_error(again, 409, f"proposal {ids[SYRIA]} was already accepted by alice")
    one_line_error(decide(web, ids[SYRIA], "reject", alice), 409, "already accepted")


@freeze_time(NOW)
def test_reject_keeps_the_reason(web: Web) -> None:
    ids = propose(web)
    alice = token_for(web, "alice", "forecast")
    rejected = decide(web, ids[PORT], "reject", alice, reason="  not a forecast  ")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json() == {
        "proposal": ids[PORT], "status": "rejected", "reason": "not a forecast",
        "decided_by": "alice",
    }  # fmt: skip
    shown = web.client.get("/api/v1/proposals", params={"status": "rejected"}).json()["items"]
    assert [(p["id"], p["reason"]) for p in shown] == [(ids[PORT], "not a forecast")]
    assert web.client.get("/api/v1/questions", params={"status": "all"}).json()["items"] == []
    # No body at all is a reject without a reason.
    bare = web.client.post(f"/api/v1/proposals/{ids[SYRIA]}/reject", headers=alice)
    assert (bare.status_code, bare.json()["reason"]) == (200, None)
    one_line_error(decide(web, ids[PORT], "reject", alice), 409, "already rejected")


@freeze_time(NOW)
@pytest.mark.parametrize("how", ["accept", "reject"])
def test_no_such_proposal(web: Web, how: str) -> None:
    propose(web)
    one_line_error(decide(web, 999, how, web.write_headers()), 404, "no proposal 999")
    for bad in ("0", "x", str(2**40)):
        response = web.client.post(f"/api/v1/proposals/{bad}/{how}", headers=web.write_headers())
        one_line_error(response, 422, "proposal_id")


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("body", "contains"),
    [
        ({"due": "someday"}, "due"),
        ({"due": "2099-13-40"}, "due"),
        ({"probability": "maybe"}, "probability"),
        ({"probability": 1.5}, "probability"),
        ({"probability": True}, "probability"),
        ({"claim": "   "}, "claim"),
        ({"claim": "a\x00b"}, "claim"),
        ({"tags": ["ok", "a\x00b"]}, "tags"),
        ({"new": "yes"}, "new"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_correction_is_refused_in_one_line(
    web: Web, body: dict[str, Any], contains: str
) -> None:
    ids = propose(web)
    one_line_error(decide(web, ids[SYRIA], "accept", web.write_headers(), **body), 422, contains)
    assert pending(web) == sorted(ids.values())


@freeze_time(NOW)
def test_corrections_make_the_question(web: Web) -> None:
    ids = propose(web)
    body = {"claim": "The port reopens", "due": "2027-Q2", "probability": "3:1",
            "tags": ["ports"], "new": True}  # fmt: skip
    accepted = decide(web, ids[PORT], "accept", web.write_headers(), **body)
    assert accepted.status_code == 200, accepted.text
    question = web.client.get(f"/api/v1/questions/{accepted.json()['question']}").json()
    assert (question["claim"], question["due_label"]) == ("The port reopens", "Q2 2027")
    assert "ports" in question["tags"]
    assert [(f["forecaster"], f["probability"]) for f in question["forecasts"]] == [
        ("the ministry", 0.75)
    ]


@freeze_time(NOW)
def test_naming_another_forecaster_follows_the_forecasts_rule(web: Web) -> None:
    ids = propose(web)
    alice = token_for(web, "alice", "forecast", forecaster="Alice A")
    refused = decide(web, ids[SYRIA], "accept", alice, forecaster="Reuters")
    one_line_error(refused, 403, "forecaster may only be 'Alice A'")
    assert pending(web) == sorted(ids.values())
    # A number of one's own is not ISW's to have said.
    for body in ({"probability": 0.9}, {"probability": "90%", "forecaster": "ISW"}):
        one_line_error(decide(web, ids[SYRIA], "accept", alice, **body), 403, "a forecast by 'ISW'")
    assert pending(web) == sorted(ids.values())
    # Restating the article's forecaster is accepting it as it is.
    restated = decide(web, ids[SYRIA], "accept", alice, forecaster="ISW")
    assert restated.status_code == 200, restated.text
    own = decide(web, ids[PORT], "accept", alice, forecaster="Alice A", probability="0.2")
    assert own.status_code == 200, own.text
    question = web.client.get(f"/api/v1/questions/{own.json()['question']}").json()
    assert [(f["forecaster"], f["probability"]) for f in question["forecasts"]] == [
        ("Alice A", 0.2)
    ]


@freeze_time(NOW)
def test_an_admin_token_may_name_anyone(web: Web) -> None:
    ids = propose(web)
    accepted = decide(web, ids[SYRIA], "accept", web.write_headers(), forecaster="Reuters")
    assert accepted.status_code == 200, accepted.text
    question = web.client.get(f"/api/v1/questions/{accepted.json()['question']}").json()
    assert [f["forecaster"] for f in question["forecasts"]] == ["Reuters"]
    renumbered = decide(web, ids[PORT], "accept", web.write_headers(), probability=0.4)
    assert renumbered.status_code == 200, renumbered.text
    question = web.client.get(f"/api/v1/questions/{renumbered.json()['question']}").json()
    assert [(f["forecaster"], f["probability"]) for f in question["forecasts"]] == [
        ("the ministry", 0.4)
    ]


def test_the_schema_describes_the_proposals(web: Web) -> None:
    paths = web.client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/proposals"]) == {"get"}
    for how in ("accept", "reject"):
        operation = paths[f"/api/v1/proposals/{{proposal_id}}/{how}"]["post"]
        assert operation["security"] == [{"HTTPBearer": []}]
        assert "forecast" in operation["description"]


@freeze_time(NOW)
def test_a_match_gets_the_source_and_a_forecast(web: Web, cli: Callable[..., Result]) -> None:
    added = cli("add", SYRIA, "--due", "February 2027", "--key", "syria-out", "--tz", "UTC")
    assert added.code == 0, added.err
    ids = propose(web)
    listed = web.client.get("/api/v1/proposals").json()["items"]
    assert listed[0]["match"]["key"] == "syria-out"
    accepted = decide(web, ids[SYRIA], "accept", web.write_headers())
    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    assert (answer["question"], answer["attached"], answer["forecast_added"]) == (
        "syria-out", True, True
    )  # fmt: skip
    assert answer["score"] == 1.0
    question = web.client.get("/api/v1/questions/syria-out").json()
    assert [f["forecaster"] for f in question["forecasts"]] == ["ISW"]
    assert [s["url"] for s in question["sources"]] == ["https://news.example/syria"]
    # The CLI's `accept --json` is the same object.
    by_cli = cli("proposals", "accept", str(ids[PORT]), "--json")
    assert by_cli.code == 0, by_cli.err
    assert set(by_cli.json()) == set(answer)
