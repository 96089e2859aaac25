"""People: the defects a hostile review found (names that fold alike, racing writes, tokens
echoed, notes too long, reserved actor names, TRUNCATE), each held to, on both databases."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.conftest import API_TOKEN, Result, Web, is_sqlite
from tracker import people
from tracker.domain.people import Actor
from tracker.enums import AuditVia
from tracker.errors import Conflict, InvalidInput, NotFound, TrackerError
from tracker.persistence.models import ApiToken, AppUser

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
ROOT = Actor(name="root", via=AuditVia.CLI)
LEGACY = {"authorization": f"Bearer {API_TOKEN}"}


def add_user(web: Web, name: str, **fields: str | None) -> None:
    people.add_user(web.engine, user=people.NewUser(name=name, **fields), actor=ROOT, now=NOW)


def new_token(web: Web, user: str, scope: str = "forecast", note: str | None = None) -> str:
    return people.create_token(
        web.engine, user_name=user, scope=scope, expires_at=None, note=note, actor=ROOT, now=NOW
    ).token


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# --- case-insensitive names: SQLite's lower() folds ASCII only, Python's lower() folds all ---


def test_a_user_with_a_non_ascii_capital_can_be_found_by_their_own_name(web: Web) -> None:
    add_user(web, "Émile")
    # SQLite: lower('Émile') = 'Émile' != 'émile' = 'Émile'.lower() -> NotFound for the exact name
    assert new_token(web, "Émile")
    assert people.cli_actor(web.engine, name="Émile").user_id is not None


def test_two_users_may_not_differ_only_in_case_on_either_database(web: Web) -> None:
    add_user(web, "Émile")
    with pytest.raises(Conflict):
        add_user(web, "émile")  # SQLite: a second user; PostgreSQL: 409


def test_cli_as_names_the_user_given_not_another(web: Web) -> None:
    add_user(web, "Émile")
    try:
        add_user(web, "émile")  # allowed on SQLite (previous test)
    except Conflict:
        return  # PostgreSQL refuses the second user: nothing to confuse
    people.set_disabled(web.engine, name="émile", disabled=True, actor=ROOT, now=NOW)
    actor = people.cli_actor(web.engine, name="Émile")  # SQLite: "user 'émile' is disabled"
    assert actor.name == "Émile"  # or, Émile enabled: --as Émile acts as the other user


def test_audit_actor_filter_finds_an_actor_by_their_exact_name(web: Web) -> None:
    people.add_user(web.engine, user=people.NewUser(name="bob"),
                    actor=Actor(name="Émile", via=AuditVia.CLI), now=NOW)  # fmt: skip
    got = web.client.get("/api/v1/audit", params={"actor": "Émile"}, headers=LEGACY).json()
    got = got["items"]
    assert [row["action"] for row in got] == ["user.add"]  # SQLite: []


def test_users_differing_in_case_cannot_both_be_made_by_racing(
    web: Web, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """The only guard on case-insensitive names is check-then-insert; the schema has a plain
    UNIQUE(name), so two concurrent adds of 'alice' and 'Alice' both commit (PostgreSQL;
    SQLite serialises the two transactions)."""
    if is_sqlite(database_url):
        pytest.skip("SQLite serialises writers")
    from tracker.persistence import people as found

    barrier = threading.Barrier(2, timeout=10)
    real = found.find_user

    def slow_find(session: Session, *, name: str, for_update: bool = False) -> AppUser | None:
        user = real(session, name=name, for_update=for_update)
        barrier.wait()  # both have looked, neither has inserted
        return user

    monkeypatch.setattr(found, "find_user", slow_find)
    errors: list[BaseException] = []

    def add(name: str) -> None:
        try:
            add_user(web, name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in ("alice", "Alice")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    monkeypatch.setattr(found, "find_user", real)
    names = [u.name for u in people.list_users(web.engine)]
    assert len(names) == 1, (names, errors)  # both databases: ['alice', 'Alice']


# --- acting as someone else ---


def test_names_that_fold_to_one_are_one_user(web: Web) -> None:
    """'straße' folds to 'strasse': one user, on both databases."""
    add_user(web, "strasse")
    with pytest.raises(Conflict):
        add_user(web, "STRASSE")
    with pytest.raises(Conflict):
        add_user(web, "straße")


def test_a_user_token_may_name_only_its_own_forecaster_exactly(web: Web) -> None:
    """A non-admin naming themselves in another case is refused: forecaster names are told
    apart by case in the scores, so 'ALICE' would be someone else's forecasts."""
    add_user(web, "alice")
    token = new_token(web, "alice")
    web.client.post(
        "/api/v1/questions", headers=LEGACY, json={"claim": "c", "due": "2030", "key": "q"}
    )
    refused = web.client.post("/api/v1/questions/q/forecasts", headers=bearer(token),
                              json={"probability": 0.4, "forecaster": "  ALICE "})  # fmt: skip
    assert refused.status_code == 403, refused.json()
    made = web.client.post("/api/v1/questions/q/forecasts", headers=bearer(token),
                           json={"probability": 0.4, "forecaster": " alice "})  # fmt: skip
    assert made.status_code == 201, made.json()
    assert made.json()["forecaster"] == "alice"


# --- tokens: leaks, notes, prefixes ---


def test_revoking_by_the_whole_token_neither_fails_nor_echoes_it(web: Web) -> None:
    add_user(web, "alice")
    token = new_token(web, "alice")
    revoked = people.revoke_token(web.engine, prefix=token, actor=ROOT, now=NOW)
    assert revoked["state"] == "revoked"
    with pytest.raises(TrackerError) as again:
        people.revoke_token(web.engine, prefix=token[:-1] + "x", actor=ROOT, now=NOW)
    assert token[12:20] not in str(again.value)


def test_a_token_note_too_long_for_its_column_is_bad_input(web: Web) -> None:
    add_user(web, "alice")
    # SQLite: stored (300 chars in VARCHAR(200)); PostgreSQL: EnvironmentFailure (exit 1 / 5xx)
    with pytest.raises(InvalidInput):
        new_token(web, "alice", note="n" * 300)


def test_a_token_note_with_nul_is_bad_input(web: Web) -> None:
    add_user(web, "alice")
    # SQLite: stored; PostgreSQL: EnvironmentFailure ("cannot contain NUL")
    with pytest.raises(InvalidInput):
        new_token(web, "alice", note="a\x00b")


def test_revoking_by_prefix_is_case_sensitive(web: Web) -> None:
    """The prefix match is LIKE: case-insensitive on SQLite, sensitive on PostgreSQL, so a
    mistyped prefix revokes a token on one database and not on the other."""
    add_user(web, "alice")
    token = new_token(web, "alice")
    prefix = token[:12]
    other = prefix[:4] + prefix[4:].swapcase()
    if other == prefix:
        pytest.skip("no letters in this prefix")
    with pytest.raises(NotFound):
        people.revoke_token(web.engine, prefix=other, actor=ROOT, now=NOW)  # SQLite: revokes it


def test_revoking_a_prefix_with_nul_is_bad_input_on_either_database(web: Web) -> None:
    # PostgreSQL: EnvironmentFailure (exit 1 / a 5xx once routed); SQLite: NotFound
    with pytest.raises((InvalidInput, NotFound)):
        people.revoke_token(web.engine, prefix="trk_ab\x00cd", actor=ROOT, now=NOW)


# --- attribution in the audit trail ---


@pytest.mark.parametrize("name", ["api", "API", "webhook", "slack:alice"])
def test_a_user_may_not_take_a_name_the_trail_gives_to_actors_without_one(
    web: Web, name: str
) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        add_user(web, name)


def test_the_trail_tells_a_user_from_tracker_api_token(web: Web) -> None:
    add_user(web, "ada")
    token = new_token(web, "ada", "forecast")
    for headers, key in ((bearer(token), "q1"), (LEGACY, "q2")):
        made = web.client.post("/api/v1/questions", headers=headers,
                               json={"claim": "c", "due": "2030", "key": key})  # fmt: skip
        assert made.status_code == 201
    rows = web.client.get("/api/v1/audit", headers=LEGACY).json()["items"]
    added = [(r["actor"], r["user_id"] is None) for r in rows if r["action"] == "question.add"]
    assert added == [("ada", False), ("api", True)]


# --- the audit trail stores the import's path: a lone surrogate from a non-UTF-8 file name ---


def test_importing_a_file_whose_name_is_not_utf8_still_works(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The audit entry names the file: a name that is not UTF-8 (os.fsdecode of b'\\xff'
    holds a lone surrogate) is stored escaped, not refused by the database."""
    import os

    sheet = tmp_path / os.fsdecode(b"bad\xff.csv")
    sheet.write_text("claim,due_at,precision,key\nC,2027-01-31T23:59:59.999999Z,month,k1\n")
    result = cli("import", sheet)
    assert result.code == 0, result.err


# --- read_only and racing revocations ---


def test_status_is_read_only_when_the_only_live_tokens_are_read_tokens(
    make_web: Callable[..., Web],
) -> None:
    """With only `read` tokens nothing can write: /status says read_only and the page
    shows no write forms."""
    web = make_web(api_token=None)
    add_user(web, "rita")
    new_token(web, "rita", "read")
    assert web.client.get("/api/v1/status").json()["read_only"] is True  # False


def test_a_token_revoked_twice_at_once_is_revoked_once(
    web: Web, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """Two revocations that reach the token together: it is locked, so the second finds it
    revoked and says so; one token.revoke entry."""
    if is_sqlite(database_url):
        pytest.skip("SQLite serialises writers")
    from tracker.persistence import people as found

    add_user(web, "alice")
    token = new_token(web, "alice")
    barrier = threading.Barrier(2, timeout=10)
    real = found.token_to_revoke

    def together(session: Session, *, prefix: str, token_hash: str | None) -> ApiToken:
        barrier.wait()  # both transactions are open; then both ask for the lock
        return real(session, prefix=prefix, token_hash=token_hash)

    monkeypatch.setattr(found, "token_to_revoke", together)
    outcomes: list[object] = []

    def revoke() -> None:
        try:
            outcomes.append(people.revoke_token(web.engine, prefix=token[:12], actor=ROOT, now=NOW))
        except BaseException as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    rows = [r for r in people.audit_trail(web.engine, query=people.AuditQuery())
            if r.entry.action == "token.revoke"]  # fmt: skip
    assert len(rows) == 1, outcomes
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 1, outcomes


def test_postgresql_refuses_truncating_the_audit_trail(web: Web, database_url: str) -> None:
    """0011's PostgreSQL triggers are FOR EACH ROW on UPDATE/DELETE: TRUNCATE empties the
    trail, though the migration says the database refuses 'whatever code or person tries'."""
    if is_sqlite(database_url):
        pytest.skip("SQLite has no TRUNCATE")
    import sqlalchemy as sa

    add_user(web, "alice")
    with pytest.raises(sa.exc.DBAPIError), web.engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE audit_entry")
