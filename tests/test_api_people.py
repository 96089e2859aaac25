"""Users' tokens at the API: each scope lets a token do what it says and no more, a write is
the token's user's, GET /audit and /whoami, refused tokens, and Slack clicks by linked users.
Users and tokens are made through tracker.people; the requests go over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from freezegun import freeze_time

from tests.conftest import API_TOKEN, Web, count_rows, live_server
from tests.sink import Sink
from tracker import people
from tracker.channels import slack as slack_channel
from tracker.domain.people import Actor, token_hash
from tracker.enums import AuditVia
from tracker.signatures import sign_slack

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
ROOT = Actor(name="root", via=AuditVia.CLI)
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
LEGACY = {"authorization": f"Bearer {API_TOKEN}"}


def add_user(web: Web, name: str, **fields: Any) -> None:
    people.add_user(web.engine, user=people.NewUser(name=name, **fields), actor=ROOT, now=NOW)


def new_token(web: Web, user: str, scope: str, expires_at: dt.datetime | None = None) -> str:
    made = people.create_token(
        web.engine, user_name=user, scope=scope, expires_at=expires_at, note=None, actor=ROOT,
        now=NOW,
    )  # fmt: skip
    return made.token


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def audit_rows(web: Web, **query: Any) -> list[dict[str, Any]]:
    from tracker.io.audit import audit_json

    rows = people.audit_trail(web.engine, query=people.AuditQuery(**query))
    return [audit_json(row) for row in rows]


@pytest.fixture
def api(web: Web) -> Iterator[tuple[Web, str]]:
    """A question "q" due next year, added with TRACKER_API_TOKEN, and the server's URL."""
    with freeze_time(NOW), live_server(web) as url:
        question = {"claim": "The bridge reopens", "due": "2027-06", "key": "q"}
        added = httpx.post(f"{url}/api/v1/questions", headers=LEGACY, json=question)
        assert added.status_code == 201, added.text
        yield web, url


def test_a_read_token_reads_but_may_not_add(api: tuple[Web, str], database_url: str) -> None:
    web, url = api
    add_user(web, "rita")
    token = new_token(web, "rita", "read")
    assert httpx.get(f"{url}/api/v1/questions", headers=bearer(token)).status_code == 200
    refused = httpx.post(f"{url}/api/v1/questions", headers=bearer(token),
                         json={"claim": "More", "due": "2027"})  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "this token has the `read` scope; to add questions and forecasts it needs `forecast`"
    )
    anonymous = httpx.post(f"{url}/api/v1/questions", json={"claim": "More", "due": "2027"})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["detail"].startswith(
        "a bearer token with the `forecast` scope is needed to add questions and forecasts"
    )
    assert count_rows(database_url, "prediction") == 1


def test_a_forecast_token_forecasts_as_its_user_and_no_one_else(api: tuple[Web, str]) -> None:
    web, url = api
    add_user(web, "alice", forecaster="Alice A")
    token = new_token(web, "alice", "forecast")
    made = httpx.post(f"{url}/api/v1/questions/q/forecasts", headers=bearer(token),
                      json={"probability": "60%"})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["forecaster"] == "Alice A"
    as_bob = httpx.post(f"{url}/api/v1/questions/q/forecasts", headers=bearer(token),
                        json={"forecaster": "Bob", "probability": 0.1})  # fmt: skip
    assert as_bob.status_code == 403
    assert "'Alice A'" in as_bob.json()["detail"]
    assert "`admin`" in as_bob.json()["detail"]
    new = httpx.post(f"{url}/api/v1/questions", headers=bearer(token),
                     json={"claim": "Talks resume", "due": "2027", "probability": 0.3})  # fmt: skip
    assert new.status_code == 201, new.text
    assert [f["forecaster"] for f in new.json()["forecasts"]] == ["Alice A"]
    as_bob_too = {"claim": "X", "due": "2027", "forecaster": "Bob", "probability": 0.3}
    someone = httpx.post(f"{url}/api/v1/predictions", headers=bearer(token), json=as_bob_too)
    assert someone.status_code == 403
    resolve = httpx.post(f"{url}/api/v1/questions/q/resolve", headers=bearer(token),
                         json={"outcome": "yes"})  # fmt: skip
    assert resolve.status_code == 403
    assert "needs `resolve`" in resolve.json()["detail"]
    forecasts = httpx.get(f"{url}/api/v1/questions/q/forecasts").json()
    assert [f["forecaster"] for f in forecasts] == ["Alice A"]
    mine = audit_rows(web, actor="alice")
    assert [(e["action"], e["via"], e["actor"]) for e in mine] == [
        ("forecast.add", "api", "alice"),
        ("question.add", "api", "alice"),
    ]


def test_a_resolve_token_resolves_as_its_user_but_reads_no_audit(api: tuple[Web, str]) -> None:
    web, url = api
    add_user(web, "bob")
    token = new_token(web, "bob", "resolve")
    other = httpx.post(f"{url}/api/v1/questions/q/resolve", headers=bearer(token),
                       json={"outcome": "no", "resolved_by": "carol"})  # fmt: skip
    assert other.status_code == 403
    done = httpx.post(f"{url}/api/v1/questions/q/resolve", headers=bearer(token),
                      json={"outcome": "no"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["resolutions"][-1]["resolved_by"] == "bob"
    reopened = httpx.post(f"{url}/api/v1/predictions/q/reopen", headers=bearer(token))
    assert reopened.status_code == 200
    edited = httpx.patch(f"{url}/api/v1/questions/q", headers=bearer(token),
                         json={"note": "clearer", "criteria": "Open to traffic"})  # fmt: skip
    assert edited.status_code == 200, edited.text
    audit = httpx.get(f"{url}/api/v1/audit", headers=bearer(token))
    assert audit.status_code == 403
    assert audit.json()["detail"] == (
        "this token has the `resolve` scope; to read the audit trail it needs `admin`"
    )
    assert [(e["action"], e["actor"], e["via"]) for e in audit_rows(web, actor="bob")] == [
        ("question.resolve", "bob", "api"),
        ("question.reopen", "bob", "api"),
        ("question.edit", "bob", "api"),
    ]


def test_an_admin_token_reads_the_audit_and_acts_for_anyone(api: tuple[Web, str]) -> None:
    web, url = api
    add_user(web, "ada")
    token = new_token(web, "ada", "admin")
    made = httpx.post(f"{url}/api/v1/questions/q/forecasts", headers=bearer(token),
                      json={"forecaster": "Desk", "probability": 0.4})  # fmt: skip
    assert (made.status_code, made.json()["forecaster"]) == (201, "Desk")
    done = httpx.post(f"{url}/api/v1/questions/q/resolve", headers=bearer(token),
                      json={"outcome": "yes", "resolved_by": "the desk"})  # fmt: skip
    assert done.json()["resolutions"][-1]["resolved_by"] == "the desk"
    entries = httpx.get(f"{url}/api/v1/audit", headers=bearer(token)).json()["items"]
    assert [(e["action"], e["actor"], e["question"]) for e in entries] == [
        ("question.add", "api", "q"),
        ("user.add", "root", None),
        ("token.create", "root", None),
        ("forecast.add", "ada", "q"),
        ("question.resolve", "ada", "q"),
    ]
    last = entries[-1]
    assert set(last) == {"id", "at", "actor", "user_id", "via", "action", "question",
                         "subject", "before", "after"}  # fmt: skip
    assert last["at"] == NOW.isoformat()
    assert last["after"]["outcome"] == "yes"
    assert last["via"] == "api"
    query = {"actor": "ADA", "question": "q", "limit": "1", "since": "2026-11-29"}
    picked = httpx.get(f"{url}/api/v1/audit", headers=bearer(token), params=query).json()
    assert [e["action"] for e in picked["items"]] == ["question.resolve"]
    older = httpx.get(picked["next"], headers=bearer(token)).json()  # the page before it
    assert [e["action"] for e in older["items"]] == ["forecast.add"]
    assert older["next"] is None
    assert httpx.get(f"{url}/api/v1/audit", headers=bearer(token),
                     params={"since": "2026-11-30"}).json()["items"] == []  # fmt: skip
    for params, status in (({"limit": "0"}, 422), ({"limit": "1001"}, 422),
                           ({"since": "soon"}, 422), ({"question": "nope"}, 404),
                           ({"cursor": "bad"}, 400)):  # fmt: skip
        bad = httpx.get(f"{url}/api/v1/audit", headers=bearer(token), params=params)
        assert bad.status_code == status, (params, bad.text)
        assert "\n" not in bad.json()["detail"]
    # A question's JSON carries its audit for an admin token only.
    shown = httpx.get(f"{url}/api/v1/questions/q", headers=bearer(token)).json()
    assert [e["action"] for e in shown["audit"]] == [
        "question.add", "forecast.add", "question.resolve",
    ]  # fmt: skip
    assert "audit" in httpx.get(f"{url}/api/v1/predictions/q", headers=LEGACY).json()
    assert "audit" not in httpx.get(f"{url}/api/v1/questions/q").json()
    add_user(web, "rita")
    read = new_token(web, "rita", "read")
    assert "audit" not in httpx.get(f"{url}/api/v1/questions/q", headers=bearer(read)).json()


def test_revoked_expired_and_disabled_tokens_are_refused(web: Web) -> None:
    add_user(web, "rev")
    add_user(web, "exp")
    add_user(web, "dis")
    revoked = new_token(web, "rev", "admin")
    expiring = new_token(web, "exp", "admin", expires_at=NOW + dt.timedelta(days=1))
    disabled = new_token(web, "dis", "admin")
    people.revoke_token(web.engine, prefix=revoked[:12], actor=ROOT, now=NOW)
    people.set_disabled(web.engine, name="dis", disabled=True, actor=ROOT, now=NOW)
    later = NOW + dt.timedelta(days=2)
    expected = {
        revoked: "the bearer token is revoked",
        expiring: "the bearer token is expired",
        disabled: "the bearer token's user 'dis' is disabled",
        "trk_" + "x" * 43: "the bearer token is not one this server knows",
    }
    with freeze_time(later), live_server(web) as url:
        for token, detail in expected.items():
            for method, path in (("GET", "/api/v1/questions"), ("POST", "/api/v1/questions")):
                answer = httpx.request(method, url + path, headers=bearer(token),
                                       json={"claim": "x", "due": "2030"})  # fmt: skip
                assert answer.status_code == 401, (detail, answer.text)
                assert answer.json() == {"detail": detail}
                assert answer.headers["www-authenticate"] == "Bearer"
    # The expired one worked while it was live.
    with freeze_time(NOW):
        assert web.client.get("/api/v1/whoami", headers=bearer(expiring)).status_code == 200


@freeze_time(NOW)
def test_whoami_says_whose_token_it_is(web: Web) -> None:
    add_user(web, "alice", forecaster="Alice A")
    token = new_token(web, "alice", "resolve", expires_at=NOW + dt.timedelta(days=30))
    assert web.client.get("/api/v1/whoami", headers=bearer(token)).json() == {
        "user": "alice",
        "scope": "resolve",
        "may": ["read", "forecast", "resolve"],
        "forecaster": "Alice A",
        "expires_at": (NOW + dt.timedelta(days=30)).isoformat(),
        "description": "alice \N{MIDDLE DOT} resolve: may read, forecast and resolve",
    }
    legacy = web.client.get("/api/v1/whoami", headers=LEGACY).json()
    assert (legacy["user"], legacy["scope"], legacy["expires_at"]) == (None, "admin", None)
    nobody = web.client.get("/api/v1/whoami")
    assert nobody.status_code == 401
    assert nobody.headers["www-authenticate"] == "Bearer"


@freeze_time(NOW)
def test_a_users_token_makes_a_server_without_api_token_writable(
    make_web: Callable[..., Web],
) -> None:
    web = make_web(api_token=None)
    assert web.client.get("/api/v1/status").json()["read_only"] is True
    assert 'id="read-only"' in web.client.get("/").text
    add_user(web, "alice")
    token = new_token(web, "alice", "forecast")
    assert web.client.get("/api/v1/status").json()["read_only"] is False
    assert 'id="token"' in web.client.get("/").text
    added = web.client.post("/api/v1/questions", headers=bearer(token),
                            json={"claim": "x", "due": "2030", "probability": 0.2})  # fmt: skip
    assert added.status_code == 201
    assert added.json()["forecasts"][0]["forecaster"] == "alice"
    # The legacy token is not there to fall back on: a stranger's is refused.
    assert web.client.get("/api/v1/questions", headers=LEGACY).status_code == 401


@freeze_time(NOW)
def test_no_token_or_hash_is_ever_shown_or_logged(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_user(web, "alice")
    tokens = [new_token(web, "alice", scope) for scope in ("read", "forecast", "admin")]
    people.revoke_token(web.engine, prefix=tokens[0][:12], actor=ROOT, now=NOW)
    texts = []
    for token in tokens:
        for method, path, body in (
            ("GET", "/api/v1/whoami", None),
            ("POST", "/api/v1/questions", {"claim": "x", "due": "2030", "key": "k"}),
            ("GET", "/api/v1/audit", None),
            ("GET", "/api/v1/questions/k", None),
            ("POST", "/api/v1/questions/k/resolve", {"outcome": "yes"}),
        ):
            answer = web.client.request(method, path, headers=bearer(token), json=body)
            texts.append(answer.text + json.dumps(dict(answer.headers)))
    texts.append(caplog.text)
    texts.append(json.dumps(audit_rows(web)))
    secrets = [t for token in tokens for t in (token, token[12:], token_hash(token))]
    assert not [s for s in secrets for text in texts if s in text]


# --- Slack -----------------------------------------------------------------------------------


@pytest.fixture
def slack_web(make_web: Callable[..., Web], monkeypatch: pytest.MonkeyPatch) -> Web:
    monkeypatch.setattr(slack_channel, "RESPONSE_URL_PREFIXES", ("http://127.0.0.1:",))
    web = make_web(slack_signing_secret=SLACK_SECRET)
    with freeze_time(NOW):
        question = {"claim": "Talks resume", "due": "2026-11", "key": "q"}
        added = web.client.post("/api/v1/questions", headers=LEGACY, json=question)
    assert added.status_code == 201, added.text
    return web


def click(web: Web, *, slack_id: str, name: str, action: str = "tracker_yes",
          reply_to: str | None = None) -> httpx.Response:  # fmt: skip
    payload = {
        "type": "block_actions",
        "user": {"id": slack_id, "username": name, "name": name, "team_id": "T1"},
        "actions": [{"action_id": action, "block_id": "tracker_actions", "value": "q",
                     "type": "button", "action_ts": str(NOW.timestamp())}],
        "response_url": reply_to,
    }  # fmt: skip
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = sign_slack(body=body, signing_secret=SLACK_SECRET, timestamp=int(NOW.timestamp()))
    headers["content-type"] = "application/x-www-form-urlencoded"
    with freeze_time(NOW):
        answer: httpx.Response = web.client.post("/slack/actions", content=body, headers=headers)
    return answer


def resolutions(web: Web) -> list[tuple[str, str, str]]:
    shown = web.client.get("/api/v1/questions/q").json()
    return [(r["outcome"], r["via"], r["resolved_by"]) for r in shown["resolutions"]]


def test_a_slack_click_is_its_linked_users(slack_web: Web) -> None:
    add_user(slack_web, "alice", slack_user_id="U0ALICE")
    assert click(slack_web, slack_id="U0ALICE", name="ally").status_code == 200
    assert resolutions(slack_web) == [("yes", "slack", "alice")]
    last = audit_rows(slack_web)[-1]
    assert (last["action"], last["actor"], last["via"]) == ("question.resolve", "alice", "slack")


def test_a_slack_click_by_no_user_is_recorded_under_its_slack_name(slack_web: Web) -> None:
    assert click(slack_web, slack_id="U0NOBODY", name="ally").status_code == 200
    assert resolutions(slack_web) == [("yes", "slack", "slack:ally")]
    assert audit_rows(slack_web)[-1]["actor"] == "slack:ally"


def test_a_disabled_users_click_changes_nothing_and_only_they_are_told(
    slack_web: Web, sink: Sink
) -> None:
    add_user(slack_web, "dee", slack_user_id="U0DEE")
    people.set_disabled(slack_web.engine, name="dee", disabled=True, actor=ROOT, now=NOW)
    before = audit_rows(slack_web)
    answer = click(slack_web, slack_id="U0DEE", name="dee", reply_to=f"{sink.url}/r")
    assert answer.status_code == 200
    assert resolutions(slack_web) == []
    assert audit_rows(slack_web) == before
    assert sink.wait_until(lambda received: len(received) == 1, timeout=20)
    assert sink.on("/r")[0].json() == {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": "Your tracker user is disabled, so your click changed nothing.",
    }


@freeze_time(NOW)
def test_a_token_is_checked_once_a_request(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(web, "ada")
    token = new_token(web, "ada", "admin")
    calls = []
    real = people.authenticate

    def counted(*args: Any, **kwargs: Any) -> Actor:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(people, "authenticate", counted)
    added = web.client.post("/api/v1/questions", headers=bearer(token),
                            json={"claim": "x", "due": "2030", "key": "k"})  # fmt: skip
    assert (added.status_code, len(calls)) == (201, 1)
    assert "audit" in web.client.get("/api/v1/questions/k", headers=bearer(token)).json()
    assert len(calls) == 2
