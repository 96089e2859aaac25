"""The command line of people: users, tokens, the audit trail, `show`'s history and --as."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import SEEDS, Result, assert_one_line_error, count_rows
from tracker import people
from tracker.clock import utcnow
from tracker.domain.people import token_hash
from tracker.enums import AuditVia, Scope
from tracker.errors import Unauthorized

Cli = Callable[..., Result]
ARTICLE = SEEDS / "2024-12-isw-russia-syria-pullout.txt"


def _ok(result: Result) -> Result:
    assert result.code == 0, (result.out, result.err)
    return result


def _audit(cli: Cli, *args: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _ok(cli("audit", "--json", *args)).json()
    return entries


def _counts(url: str) -> tuple[int, ...]:
    tables = ("app_user", "api_token", "audit_entry", "prediction", "forecast", "resolution")
    return tuple(count_rows(url, table) for table in tables)


def _add(cli: Cli, claim: str = "Moscow leaves Syria", *args: str) -> Result:
    return cli(*args, "add", claim, "--due", "2030-02", "--key", "q", "--forecaster", "ISW",
               "--probability", "0.3")  # fmt: skip


def test_users_add_list_disable_enable(cli: Cli) -> None:
    added = _ok(cli("users", "add", "alice", "--email", "alice@example.org",
                    "--slack-user-id", "U024BE7LH", "--forecaster", "Alice Ames"))  # fmt: skip
    assert added.out == "Added user alice.\n"
    _ok(cli("users", "add", "bob"))
    (alice, bob) = _ok(cli("users", "list", "--json")).json()
    assert (alice["name"], alice["email"], alice["slack_user_id"], alice["forecaster"]) == (
        "alice", "alice@example.org", "U024BE7LH", "Alice Ames"
    )  # fmt: skip
    assert (bob["name"], bob["disabled"], bob["created_at"][-1]) == ("bob", False, "Z")
    assert _ok(cli("users", "disable", "ALICE")).out == "Disabled user alice.\n"
    table = _ok(cli("users", "list")).out
    assert "alice" in table
    assert "disabled" in table
    assert "U024BE7LH" in table
    _ok(cli("users", "enable", "alice"))
    assert [u["disabled"] for u in cli("users", "list", "--json").json()] == [False, False]
    entries = _audit(cli)
    assert [(e["action"], e["subject"], e["actor"], e["via"]) for e in entries] == [
        ("user.add", "alice", "tester", "cli"),
        ("user.add", "bob", "tester", "cli"),
        ("user.disable", "alice", "tester", "cli"),
        ("user.enable", "alice", "tester", "cli"),
    ]
    assert (entries[2]["before"]["disabled"], entries[2]["after"]["disabled"]) == (False, True)


def test_no_users_says_how_to_add_one(cli: Cli) -> None:
    _ok(cli("db", "upgrade"))
    assert "tracker users add" in _ok(cli("users", "list")).out
    assert _ok(cli("users", "list", "--json")).json() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "ALICE"), "exists already"),
        (("users", "add", "carol", "--email", "carol"), "not an address"),
        (("users", "add", "carol", "--slack-user-id", "not-an-id"), "Slack user id"),
        (("users", "add", "carol", "--slack-user-id", "U024BE7LH"), "Slack user id"),
        (("users", "add", "--", "-carol"), "must not start"),
        (("users", "disable", "nobody"), "tracker users list"),
        (("users", "enable", "alice"), "enabled already"),
        (("users", "disable", "carol\x00"), "NUL"),
    ],
)
def test_bad_user_input_is_one_line_and_writes_nothing(
    cli: Cli, database_url: str, args: tuple[str, ...], message: str
) -> None:
    _ok(cli("users", "add", "alice", "--slack-user-id", "U024BE7LH"))
    before = _counts(database_url)
    assert_one_line_error(cli(*args), contains=message)
    assert _counts(database_url) == before


@pytest.mark.empty_database
def test_bad_input_creates_no_database(cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(cli("users", "add", "carol", "--email", "nope"), contains="address")
    assert_one_line_error(cli("tokens", "create", "--user", "x", "--scope", "x"), contains="scope")
    assert not list(tmp_path.glob("*.db"))


def test_a_token_is_printed_once_and_then_only_its_prefix(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    _ok(cli("users", "add", "alice"))
    made = _ok(cli("tokens", "create", "--user", "alice", "--scope", "resolve", "--note", "ci"))
    *told, token = made.out.splitlines()
    assert token.startswith("trk_")
    assert len(token) == 47
    assert " " not in token
    assert any("will not be shown again" in line for line in told)
    assert "alice" in told[0]
    assert "resolve" in told[0]
    assert "never" in told[0]
    assert token not in "\n".join(told)
    prefix = token[:12]
    _add(cli)
    _ok(cli("export", "-o", str(tmp_path / "out.json")))
    outputs = [
        cli("tokens", "list").out,
        cli("tokens", "list", "--json").out,
        cli("audit").out,
        cli("audit", "--json").out,
        cli("users", "list", "--json").out,
        (tmp_path / "out.json").read_text(),
    ]
    for text in outputs:
        assert token not in text
        assert token_hash(token) not in text
    assert prefix in outputs[0]
    assert prefix in outputs[1]
    (listed,) = json.loads(outputs[1])
    assert (listed["prefix"], listed["user"], listed["scope"], listed["state"]) == (
        prefix, "alice", "resolve", "active"
    )  # fmt: skip
    assert listed["note"] == "ci"
    assert "token" not in listed
    assert "token_hash" not in listed
    engine = sa.create_engine(database_url)
    try:
        now = utcnow()
        actor = people.authenticate(engine, token=token, legacy_admin_token=None, now=now)
        assert (actor.name, actor.scope, actor.via) == ("alice", Scope.RESOLVE, AuditVia.API)
        revoked = _ok(cli("tokens", "revoke", prefix))
        assert prefix in revoked.out
        assert token not in revoked.out
        with pytest.raises(Unauthorized, match="revoked"):
            people.authenticate(engine, token=token, legacy_admin_token=None, now=now)
        with engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT before, after FROM audit_entry").all()
        assert all(token not in str(row) and token_hash(token) not in str(row) for row in stored)
    finally:
        engine.dispose()
    assert cli("tokens", "list", "--json").json()[0]["state"] == "revoked"
    last = _audit(cli, "--limit", "1")[0]
    assert (last["action"], last["subject"], last["actor"]) == ("token.revoke", prefix, "tester")
    assert (last["before"]["state"], last["after"]["state"]) == ("active", "revoked")


def test_tokens_create_json_and_expiry_in_the_configured_zone(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")
    _ok(cli("users", "add", "alice"))
    with freeze_time("2026-01-10T00:00:00Z"):
        made = _ok(cli("tokens", "create", "--user", "alice", "--scope", "read",
                       "--expires", "2026-02-01", "--json")).json()  # fmt: skip
        assert made["token"].startswith(made["prefix"])
        assert len(made["prefix"]) == 12
        assert (made["user"], made["scope"]) == ("alice", "read")
        assert made["expires_at"] == "2026-01-31T15:00:00Z"  # midnight in Tokyo
        assert "2026-02-01 00:00 JST" in cli("tokens", "list").out
    with freeze_time("2026-02-02T00:00:00Z"):
        assert cli("tokens", "list", "--json").json()[0]["state"] == "expired"


def test_a_disabled_users_token_is_listed_so(cli: Cli) -> None:
    _ok(cli("users", "add", "alice"))
    _ok(cli("tokens", "create", "--user", "alice", "--scope", "admin"))
    _ok(cli("users", "disable", "alice"))
    assert cli("tokens", "list", "--json").json()[0]["state"] == "user disabled"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--user", "alice", "--scope", "root"), "read, forecast, resolve, admin"),
        (("--user", "alice", "--scope", "read", "--expires", "2020-01-01"), "passed"),
        (("--user", "alice", "--scope", "read", "--expires", "someday"), "someday"),
        (("--user", "nobody", "--scope", "read"), "tracker users list"),
        (("--user", "bob", "--scope", "read"), "disabled"),
    ],
)
def test_bad_token_input_is_one_line_and_writes_nothing(
    cli: Cli, database_url: str, args: tuple[str, ...], message: str
) -> None:
    _ok(cli("users", "add", "alice"))
    _ok(cli("users", "add", "bob"))
    _ok(cli("users", "disable", "bob"))
    before = _counts(database_url)
    result = cli("tokens", "create", *args)
    assert_one_line_error(result, contains=message)
    assert result.out == ""
    assert _counts(database_url) == before


@pytest.mark.parametrize(
    ("prefix", "message"), [("trk_", "whole prefix"), ("trk_zzzzzzzz", "tracker tokens list")]
)
def test_revoking_an_unknown_prefix_is_refused(
    cli: Cli, database_url: str, prefix: str, message: str
) -> None:
    _ok(cli("users", "add", "alice"))
    _ok(cli("tokens", "create", "--user", "alice", "--scope", "read"))
    before = _counts(database_url)
    assert_one_line_error(cli("tokens", "revoke", prefix), contains=message)
    assert _counts(database_url) == before


def test_each_change_is_recorded_with_its_actor_and_via(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _ok(cli("users", "add", "alice", "--forecaster", "Alice Ames"))
    _ok(_add(cli, "Moscow leaves Syria", "--as", "Alice"))  # a user's name in any case
    monkeypatch.setenv("TRACKER_USER", "desk")
    _ok(cli("forecast", "q", "0.4", "--by", "Desk"))
    _ok(cli("--as=carol", "edit", "q", "--claim", "Moscow leaves Syria fully", "--note", "why"))
    _ok(cli("resolve", "q", "no"))
    monkeypatch.delenv("TRACKER_USER")  # the operating-system user: USER=tester
    _ok(cli("reopen", "q", "--note", "too soon"))
    _ok(cli("export", "-o", str(tmp_path / "all.json")))
    _ok(cli("--as", "alice", "import", str(tmp_path / "all.json")))  # changes nothing: no entry
    _ok(cli("--as", "alice", "seed", SEEDS))
    _ok(cli("tokens", "create", "--user", "alice", "--scope", "read"))
    entries = _audit(cli)
    assert [(e["action"], e["actor"], e["via"]) for e in entries] == [
        ("user.add", "tester", "cli"),
        ("question.add", "alice", "cli"),
        ("forecast.add", "desk", "cli"),
        ("question.edit", "carol", "cli"),
        ("question.resolve", "desk", "cli"),
        ("question.reopen", "tester", "cli"),
        ("seed", "alice", "seed"),
        ("token.create", "tester", "cli"),
    ]
    assert [e["question"] for e in entries[1:6]] == ["q"] * 5
    assert entries[4]["after"]["resolved_by"] == "desk"
    assert entries[3]["after"]["claim"] == "Moscow leaves Syria fully"
    seeded = entries[6]["after"]
    assert (seeded["created"], len(seeded["created_keys"])) == (3, 3)
    (tmp_path / "one.json").write_text(
        (tmp_path / "all.json").read_text().replace('"key": "q"', '"key": "q2"')
    )
    _ok(cli("--as", "alice", "import", str(tmp_path / "one.json")))
    last = _audit(cli, "--limit", "1")[0]
    assert (last["action"], last["actor"], last["via"], last["after"]["created_keys"]) == (
        "import", "alice", "import", ["q2"]
    )  # fmt: skip


def test_extract_add_is_one_entry(cli: Cli) -> None:
    _ok(cli("--as", "reader", "extract", ARTICLE, "--published", "2024-12-24", "--add"))
    (entry,) = _audit(cli)
    assert (entry["action"], entry["actor"], entry["after"]["created"]) == (
        "extract.add", "reader", 3
    )  # fmt: skip


WRITES = [
    ("add", "Another claim", "--due", "2030-03"),
    ("forecast", "q", "0.5", "--by", "X"),
    ("edit", "q", "--claim", "Changed", "--note", "n"),
    ("resolve", "q", "yes"),
    ("reopen", "r"),
    ("seed", str(SEEDS)),
    ("extract", str(ARTICLE), "--published", "2024-12-24", "--add"),
    ("users", "add", "carol"),
    ("users", "disable", "alice"),
    ("tokens", "create", "--user", "alice", "--scope", "read"),
    ("import", "{export}"),
]


@pytest.mark.parametrize("command", WRITES, ids=lambda words: " ".join(words[:2]))
def test_a_disabled_user_cannot_act(
    cli: Cli, database_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    _ok(cli("users", "add", "alice"))
    _ok(cli("users", "add", "mallory"))
    _ok(_add(cli))
    _ok(cli("add", "Resolved", "--due", "2030-04", "--key", "r"))
    _ok(cli("resolve", "r", "no"))
    export = tmp_path / "export.json"
    _ok(cli("export", "-o", str(export)))
    export.write_text(export.read_text().replace('"key": "q"', '"key": "q9"'))
    _ok(cli("users", "disable", "mallory"))
    before = _counts(database_url)
    args = [word.replace("{export}", str(export)) for word in command]
    assert_one_line_error(cli("--as", "MALLORY", *args), contains="disabled")
    assert _counts(database_url) == before
    _ok(cli("--as", "alice", *args))  # the same command in an enabled user's name works


def test_show_includes_the_history(cli: Cli) -> None:
    _ok(_add(cli, "Moscow leaves Syria", "--as", "alice"))
    _ok(cli("--as", "bob", "resolve", "q", "no", "--note", "still there"))
    shown = _ok(cli("show", "q")).out
    history = shown[shown.index("History") :]
    assert "alice via cli: question.add" in history
    assert "bob via cli: question.resolve no" in history
    assert "UTC" in history
    obj = _ok(cli("show", "1", "--json")).json()
    assert [(e["action"], e["actor"], e["question"]) for e in obj["audit"]] == [
        ("question.add", "alice", "q"), ("question.resolve", "bob", "q")
    ]  # fmt: skip
    assert obj["audit"][1]["after"]["outcome"] == "no"
    assert set(obj["audit"][0]) == {"id", "at", "actor", "user_id", "via", "action", "question",
                                    "subject", "before", "after"}  # fmt: skip
    assert "audit" not in cli("list", "--status", "all", "--json").json()[0]


def test_audit_filters_and_its_table(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TIMEZONE", "Asia/Tokyo")
    with freeze_time("2026-01-01T12:00:00Z"):
        _ok(_add(cli, "First", "--as", "alice"))
    with freeze_time("2026-01-03T12:00:00Z"):
        _ok(cli("--as", "bob", "add", "Second", "--due", "2030-05", "--key", "r"))
        _ok(cli("--as", "alice", "forecast", "r", "0.6", "--by", "Alice"))
        _ok(cli("--as", "bob", "users", "add", "carol"))
    assert [e["question"] for e in _audit(cli, "--actor", "ALICE")] == ["q", "r"]
    assert [e["action"] for e in _audit(cli, "--question", "r")] == ["question.add", "forecast.add"]
    assert len(_audit(cli, "--since", "2026-01-02")) == 3
    # A date is read in TRACKER_TIMEZONE: 3 January in Tokyo began at 15:00 UTC on the 2nd.
    assert len(_audit(cli, "--since", "2026-01-03T21:00")) == 3
    assert len(_audit(cli, "--since", "2026-01-03T21:01")) == 0
    newest = _audit(cli, "--limit", "2")
    assert [e["action"] for e in newest] == ["forecast.add", "user.add"]  # oldest first
    assert newest[0]["at"].startswith("2026-01-03T12:00:00")
    table = _ok(cli("audit")).out
    assert "2026-01-01 21:00 JST" in table
    assert "forecast.add" in table
    assert "Alice 60%" in table
    assert "No audit entries match." in cli("audit", "--actor", "nobody").out
    assert_one_line_error(cli("audit", "--question", "nope"), contains="nope")
    assert_one_line_error(cli("audit", "--since", "whenever"), contains="--since")
    assert_one_line_error(cli("audit", "--limit", "0"), contains="limit")


def test_help_documents_as(cli: Cli) -> None:
    out = _ok(cli("--help")).out
    assert "--as" in out
    assert "TRACKER_USER" in out


def test_a_user_forecasts_without_by_under_their_forecaster_name(cli: Cli) -> None:
    _ok(cli("users", "add", "alice", "--forecaster", "Alice Ames"))
    _ok(_add(cli))
    _ok(cli("--as", "alice", "forecast", "q", "60%"))
    shown = json.loads(_ok(cli("show", "q", "--json")).out)
    assert [(f["forecaster"], f["probability"]) for f in shown["forecasts"]] == [
        ("ISW", 0.3), ("Alice Ames", 0.6)
    ]  # fmt: skip
    assert_one_line_error(cli("--as", "nobody", "forecast", "q", "0.5"), contains="--by")
    assert_one_line_error(cli("--as", "nobody", "forecast", "q", "2"), contains="probability")
