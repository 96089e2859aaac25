"""Lists a page at a time (a cursor after the last row, never an offset) and search over
claims and criteria, on the API, the command line and the service, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import ACTOR, Result, Web, assert_one_line_error
from tracker import questions, service
from tracker.domain.deadlines import UTC_ZONE, parse_due
from tracker.domain.inputs import PredictionInput
from tracker.domain.questions import QuestionChanges
from tracker.enums import ListStatus

NOW = dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)
# Few deadlines for many questions: most rows tie on due_at, so the id must break ties.
DEADLINES = ["February 2025", "2025-03-01", "2025-Q2"]


def _add(engine: sa.Engine, key: str, *, due: str = "February 2025", **fields: Any) -> int:
    data = PredictionInput(
        key=key,
        claim=fields.pop("claim", f"Question {key}"),
        due=parse_due(due, UTC_ZONE),
        due_text=due,
        **fields,
    )
    record = service.add_prediction(engine, data=data, now=NOW, actor=ACTOR)
    assert record.prediction.id is not None
    return record.prediction.id


def _keys(web: Web, **params: Any) -> list[str]:
    got = web.client.get("/api/v1/questions", params={"status": "all", **params})
    assert got.status_code == 200, got.text
    return [item["key"] for item in got.json()["items"]]


@freeze_time(NOW)
def test_pages_walk_the_whole_list_once_while_questions_are_added(web: Web) -> None:
    for n in range(30):
        _add(web.engine, f"k{n:02}", due=DEADLINES[n % 3])
    url: str | None = "/api/v1/questions?status=all&limit=4"
    seen: list[dict[str, Any]] = []
    added_later: list[str] = []
    for _ in range(40):  # 30 rows and as many added: 15 pages at most, had the walk ended
        if url is None:
            break
        page = web.client.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= 4
        seen += body["items"]
        url = body["next"]
        # Between pages others add questions: due before the page (never shown, and no row
        # shifts into a repeat) and after it (shown once, when the walk gets there).
        n = len(seen)
        _add(web.engine, f"early{n}", due="2025-01-20")
        _add(web.engine, f"late{n}", due="2026-06-01")
        added_later.append(f"late{n}")
    assert url is None, "the walk never ended"
    keys = [item["key"] for item in seen]
    assert len(keys) == len(set(keys)), "a row shown twice"
    assert {f"k{n:02}" for n in range(30)} <= set(keys), "a row skipped"
    assert not any(k.startswith("early") for k in keys)
    assert [k for k in keys if k.startswith("late")] == added_later[: len(keys) - 30]
    order = [(item["due_at"], item["id"]) for item in seen]
    assert order == sorted(order)
    # The whole list in one page is the same rows in the same order.
    walked = set(keys)
    assert [k for k in _keys(web, limit=1000) if k in walked] == keys


@freeze_time(NOW)
def test_the_next_link_is_a_url_that_keeps_the_filters(web: Web) -> None:
    for n in range(5):
        _add(web.engine, f"tagged{n}", tags=["world"])
    _add(web.engine, "other")
    first = web.client.get("/api/v1/predictions", params={"tag": "world", "limit": 3}).json()
    assert first["next"].startswith("http://testserver/api/v1/predictions?")
    rest = web.client.get(first["next"]).json()
    assert [i["key"] for i in first["items"] + rest["items"]] == [f"tagged{n}" for n in range(5)]
    assert rest["next"] is None


@pytest.mark.parametrize(
    ("params", "status", "contains"),
    [
        ({"cursor": "nonsense"}, 400, "cursor"),
        ({"cursor": "WyJxIiwxXQ"}, 400, "cursor"),  # ["q",1]: the right kind, a short key
        ({"cursor": "WyJxIiwiMjAyNSIsInR3byJd"}, 400, "cursor"),  # ["q","2025","two"]
        ({"cursor": "W1tbW1tbW1tbW1tbXV1dXV1dXV1dXV1d"}, 400, "cursor"),
        ({"cursor": "x" * 501}, 422, "cursor"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 1001}, 422, "limit"),
        ({"limit": "ten"}, 422, "limit"),
        ({"q": ""}, 422, "search"),
        ({"q": "x" * 201}, 422, "q"),
    ],
)
def test_a_bad_cursor_limit_or_search_is_one_line(
    web: Web, params: dict[str, Any], status: int, contains: str
) -> None:
    for path in ("/api/v1/predictions", "/api/v1/questions"):
        got = web.client.get(path, params=params)
        assert got.status_code == status, got.text
        detail = got.json()["detail"]
        assert contains in detail, detail
        assert "\n" not in detail


@freeze_time(NOW)
def test_search_finds_words_in_claims_and_criteria(web: Web) -> None:
    _add(
        web.engine, "syria", claim="Russia withdraws from Syria", criteria="Both bases handed over"
    )
    _add(web.engine, "pullout", claim="A full PULLOUT of troops", criteria=None)
    _add(web.engine, "cafe", claim="The café in Zürich reopens")
    _add(web.engine, "cafe2", claim="The cafe in Zurich closes")
    assert _keys(web, q="syria") == ["syria"]
    assert _keys(web, q="HANDED bases") == ["syria"]  # criteria, any case, any order
    assert _keys(web, q="russia handed") == ["syria"]  # claim and criteria together
    assert _keys(web, q="pull") == ["pullout"]  # the start of a word
    assert _keys(web, q="ull") == []  # not the middle of one
    assert _keys(web, q="russia pullout") == []  # every word must be there
    assert _keys(web, q="café") == ["cafe"]  # accents count
    assert _keys(web, q="zurich") == ["cafe2"]
    # Kept in step with edits: the new words found, the old ones gone.
    questions.edit_question(
        web.engine, ref="pullout", changes=QuestionChanges(criteria="Satellite images"),
        note="criteria", now=NOW, actor=ACTOR,
    )  # fmt: skip
    assert _keys(web, q="satellite") == ["pullout"]
    questions.edit_question(
        web.engine, ref="syria", changes=QuestionChanges(claim="Turkey invades"),
        note="claim", now=NOW, actor=ACTOR,
    )  # fmt: skip
    assert _keys(web, q="russia") == []
    assert _keys(web, q="turkey") == ["syria"]


HOSTILE = [
    '"', '""', '"unbalanced', "'", "\\", "*", "a*", "AND", "OR", "NOT", "NEAR(a b)", "-",
    "-syria", "syria -", "claim:syria", "^syria", "syria)", "(", "a & b | !c", ":*", "'a':*",
    "syria AND", "{claim}: x", "😀", "x\u200by", "\u0131", "ß", "%", "_", "1 2 3", "a" * 200,
    " ".join(["w"] * 60), "syria\t\r", "\u202e", "'; DROP TABLE prediction; --",
]  # fmt: skip


@freeze_time(NOW)
def test_hostile_search_text_is_never_a_server_error(web: Web) -> None:
    _add(web.engine, "syria", claim="Russia withdraws from Syria")
    for text in HOSTILE:
        got = web.client.get("/api/v1/questions", params={"q": text})
        assert got.status_code in (200, 422), (text, got.status_code, got.text)
        if got.status_code == 422:
            assert "\n" not in got.json()["detail"]
    found = web.client.get("/api/v1/questions", params={"q": '"syria'}).json()["items"]
    assert [i["key"] for i in found] == ["syria"]


@freeze_time(NOW)
def test_search_and_cursor_page_together(engine: sa.Engine) -> None:
    for n in range(7):
        _add(engine, f"s{n}", claim=f"Election {n} held", due=DEADLINES[n % 3])
    _add(engine, "x", claim="Something else")
    keys: list[str] = []
    cursor = None
    while True:
        page = service.list_predictions(
            engine, status=ListStatus.ALL, now=NOW, due_soon=dt.timedelta(days=7),
            search="elect", limit=2, cursor=cursor,
        )  # fmt: skip
        keys += [r.prediction.key for r in page.items]
        if page.next is None:
            break
        cursor = page.next
    assert sorted(keys) == [f"s{n}" for n in range(7)]
    assert len(keys) == 7


@freeze_time(NOW)
def test_the_command_line_pages_and_searches(cli: Callable[..., Result]) -> None:
    for n in range(5):
        assert cli("add", f"Storm number {n} lands", "--due", "2025-03-01").code == 0
    assert cli("add", "Quiet week", "--due", "2025-03-01").code == 0
    whole = cli("list")
    assert "Showing" not in whole.out
    assert whole.out.count("Storm") == 5
    first = cli("list", "--limit", "2", "--search", "storm")
    assert first.code == 0
    assert first.out.count("Storm") == 2
    hint = first.out.strip().splitlines()[-1]
    assert hint.startswith("Showing 2; more with `tracker list --search storm --limit 2 --after ")
    cursor = hint.split("--after ")[1].rstrip("`.")
    rest = cli("list", "--limit", "2", "--search", "storm", "--after", cursor, "--json")
    assert [q["claim"] for q in rest.json()] == ["Storm number 2 lands", "Storm number 3 lands"]
    assert "more with" in rest.err  # beside JSON, the hint goes to stderr
    assert cli("list", "--search", "nothing-like-it").out.startswith("No open predictions matching")
    assert_one_line_error(cli("list", "--after", "junk"), 2, contains="cursor")
    assert_one_line_error(cli("list", "--search", '"*'), 2, contains="search")
    assert cli("list", "--limit", "0").code == 2


@freeze_time(NOW)
def test_the_audit_pages_back_in_time(cli: Callable[..., Result]) -> None:
    for n in range(5):
        assert cli("add", f"Claim {n}", "--due", "2025-03-01", "--key", f"a{n}").code == 0
    newest = cli("audit", "--limit", "2", "--json")
    assert [e["question"] for e in newest.json()] == ["a3", "a4"]  # oldest first, as before
    cursor = newest.err.split("--after ")[1].strip().rstrip("`.")
    older = cli("audit", "--limit", "2", "--after", cursor, "--json")
    assert [e["question"] for e in older.json()] == ["a1", "a2"]
    oldest = cli("audit", "--limit", "2", "--after", older.err.split("--after ")[1].strip()[:-2])
    assert "a0" in oldest.out
    assert "Showing" not in oldest.out  # the last page says nothing more
    assert "Showing" not in cli("audit").out  # 5 entries: under the default 100
    assert_one_line_error(cli("audit", "--after", "WyJxIiwxXQ"), 2, contains="cursor")


@freeze_time("2026-11-29T12:00:00Z")
def test_the_ledger_pages_back_from_the_newest(seeded: Callable[..., Result], web: Web) -> None:
    cli = seeded
    assert cli("check").code == 0
    ledger = cli("deliveries", "--json").json()
    everything = [d["id"] for d in ledger]
    assert len(everything) == 3  # one overdue reminder each, no rows for the stale ones
    state = ledger[0]["status"]
    assert everything == sorted(everything, reverse=True)
    walked: list[int] = []
    url: str | None = "/api/v1/deliveries?limit=2"
    while url is not None:
        body = web.client.get(url).json()
        assert len(body["items"]) <= 2
        walked += [d["id"] for d in body["items"]]
        url = body["next"]
        assert url is None or "limit=2" in url
    assert walked == everything
    alike = [d["id"] for d in ledger if d["status"] == state]
    first = cli("deliveries", "--limit", "1", "--status", state)
    hint = first.out.strip().splitlines()[-1]
    assert hint.startswith(f"Showing 1; older ones with `tracker deliveries --status {state} ")
    cursor = hint.split("--after ")[1].rstrip("`.")
    rest = cli("deliveries", "--limit", "1", "--status", state, "--after", cursor, "--json")
    assert [d["id"] for d in rest.json()] == alike[1:2]
    assert_one_line_error(cli("deliveries", "--after", "WyJxIiwxXQ"), 2, contains="cursor")
    assert web.client.get("/api/v1/deliveries", params={"cursor": "junk"}).status_code == 400
