"""/api/v1/evidence: the list (paged like /proposals, the CLI's JSON), accept and reject with a
`forecast` token, one-line 4xx errors; and the page shows pending evidence beside its question."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from freezegun import freeze_time

from tests.conftest import SEEDS, Result, Web
from tests.test_proposals_api import one_line_error, token_for
from tracker.clock import utcnow
from tracker.news.evidence import record_evidence
from tracker.persistence.db import transaction
from tracker.persistence.news_models import Article

NOW = "2025-02-21T12:00:00Z"
TEXT = (
    "Moscow pulled its last troops out of Syria on Tuesday, officials said.\n\n"
    "The Syrian government demanded the complete withdrawal of Russian forces from Khmeimim "
    "and Tartus last week, and Russia completed it on Wednesday."
)


def _found(web: Web, cli: Callable[..., Result], url: str = "https://news.example/out") -> None:
    assert cli("seed", SEEDS).code == 0
    with transaction(web.engine) as session:
        article = Article(url=url, title="Russia leaves", status="read", fetched_at=utcnow())
        session.add(article)
        session.flush()
        found, _ = record_evidence(
            session, article=article, text=TEXT, published=dt.date(2025, 2, 20), now=utcnow()
        )
        assert found == 2


def _decide(web: Web, eid: int, how: str, headers: dict[str, str], **body: Any) -> Any:
    return web.client.post(f"/api/v1/evidence/{eid}/{how}", json=body, headers=headers)


@freeze_time(NOW)
def test_the_list_pages_like_the_cli(web: Web, cli: Callable[..., Result]) -> None:
    assert web.client.get("/api/v1/evidence").json() == {"items": [], "next": None}
    _found(web, cli)
    listed = web.client.get("/api/v1/evidence")
    assert listed.status_code == 200
    assert listed.json()["items"] == cli("evidence", "--json").json()
    first = web.client.get("/api/v1/evidence", params={"limit": 1}).json()
    rest = web.client.get(first["next"]).json()
    assert [e["id"] for e in first["items"] + rest["items"]] == [
        e["id"] for e in listed.json()["items"]
    ]
    assert rest["next"] is None
    key = "russia-full-withdrawal-from-syria-2025-02"
    one = web.client.get("/api/v1/evidence", params={"question": key}).json()["items"]
    assert [e["question"] for e in one] == [key]
    one_line_error(web.client.get("/api/v1/evidence", params={"status": "new"}), 422, "status")
    one_line_error(web.client.get("/api/v1/evidence", params={"cursor": "no"}), 400, "cursor")
    one_line_error(web.client.get("/api/v1/evidence", params={"question": "nope"}), 404, "nope")


@freeze_time(NOW)
def test_accept_needs_a_forecast_token_and_resolves_once(
    web: Web, cli: Callable[..., Result]
) -> None:
    _found(web, cli)
    [first, second] = [e["id"] for e in web.client.get("/api/v1/evidence").json()["items"]]
    reader = token_for(web, "rita", "read")
    one_line_error(_decide(web, first, "accept", {}), 401, "`forecast` scope")
    one_line_error(_decide(web, first, "accept", reader), 403, "needs `forecast`")
    curator = token_for(web, "cora", "forecast")
    accepted = _decide(web, first, "accept", curator)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["decided_by"]) == ("accepted", "cora")
    shown = cli("show", accepted.json()["question"], "--json").json()
    [resolution] = shown["resolutions"]
    assert (resolution["via"], resolution["resolved_by"]) == ("news", "cora")
    assert resolution["evidence_url"] == "https://news.example/out"
    one_line_error(_decide(web, first, "accept", curator), 409, "already accepted")
    rejected = _decide(web, second, "reject", curator, reason="another event")
    assert rejected.json()["reason"] == "another event"
    one_line_error(_decide(web, 999, "reject", curator), 404, "no evidence 999")
    one_line_error(_decide(web, 0, "reject", curator), 422, "")


@freeze_time(NOW)
def test_the_page_shows_pending_evidence_beside_its_question(
    web: Web, cli: Callable[..., Result]
) -> None:
    _found(web, cli, url="javascript:alert(1)")
    page = web.client.get("/").text
    assert "Evidence from the news" in page
    assert "Moscow pulled its last troops out of Syria on Tuesday" in page
    assert "tracker evidence accept" in page
    assert 'href="javascript:' not in page


@freeze_time(NOW)
def test_the_index_is_built_again_when_the_questions_change(
    web: Web, cli: Callable[..., Result]
) -> None:
    _found(web, cli)  # builds and keeps the index of the seed's questions
    added = cli("add", "Greece will hold a snap election", "--due", "2025-06", "--key", "greece")
    assert added.code == 0, added.err
    with transaction(web.engine) as session:
        article = Article(url="https://news.example/gr", status="read", fetched_at=utcnow())
        session.add(article)
        session.flush()
        text = "Greeks voted today in a snap election called by the prime minister."
        found, _ = record_evidence(
            session, article=article, text=text, published=dt.date(2025, 2, 21), now=utcnow()
        )
    assert found == 1
    listed = web.client.get("/api/v1/evidence", params={"question": "greece"}).json()["items"]
    assert [(e["outcome"], e["occurred_on"]) for e in listed] == [("yes", "2025-02-21")]


def test_hostile_filters_are_one_line_4xx(web: Web) -> None:
    """Never a 5xx: a NUL in `question` once reached PostgreSQL, which refuses NUL in text."""
    for params in ({"question": "\x00x"}, {"question": "x" * 201}, {"status": "maybe"},
                   {"cursor": "junk"}, {"limit": 0}):  # fmt: skip
        got = web.client.get("/api/v1/evidence", params=params)
        assert 400 <= got.status_code < 500, (params, got.text)
