"""The audit trail: one entry per change, written with it (or not at all), never changed.

Changes made through the use cases directly; the command line's and the API's entries (their
actors, their `via`) are tested beside those front ends."""

from __future__ import annotations

import ast
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tracker import importing, people, questions, service
from tracker.domain.deadlines import UTC_ZONE, parse_due
from tracker.domain.forecasts import ForecastInput
from tracker.domain.inputs import PredictionInput
from tracker.domain.people import Actor
from tracker.domain.questions import QuestionChanges
from tracker.enums import AuditVia, Outcome
from tracker.errors import AlreadyResolved, Conflict, InvalidInput
from tracker.persistence.db import make_engine, upgrade_to_head

NOW = dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)
ALICE = Actor(name="alice", via=AuditVia.CLI)
BOT = Actor(name="bot", via=AuditVia.API, user_id=None)
PACKAGE = Path(__file__).parent.parent / "tracker"


def _question(key: str = "q", **fields: Any) -> PredictionInput:
    due = parse_due("2025-02-20", UTC_ZONE)
    return PredictionInput(
        key=key, claim="Russia leaves its Syrian bases", due=due, due_text="by 20 Feb",
        **fields,
    )  # fmt: skip


def _rows(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.execute(sa.text("SELECT * FROM audit_entry ORDER BY id"))
        return [dict(row._mapping) for row in result]


def test_every_change_to_a_question_appends_one_entry(engine: sa.Engine) -> None:
    seen: list[dict[str, Any]] = []

    def step(action: str, actor: Actor) -> dict[str, Any]:
        rows = _rows(engine)
        assert rows[: len(seen)] == seen, "an earlier entry changed"
        assert len(rows) == len(seen) + 1, f"{action}: {len(rows) - len(seen)} entries"
        seen[:] = rows
        entry = rows[-1]
        assert (entry["action"], entry["actor"], entry["via"]) == (action, actor.name, actor.via)
        return entry

    data = _question(forecaster="ISW", probability=0.7)
    service.add_prediction(engine, data=data, now=NOW, actor=ALICE)
    added = json.loads(step("question.add", ALICE)["after"])
    assert added["forecasts"][0]["probability"] == 0.7
    questions.add_forecast(engine, ref="q", forecast=ForecastInput("Desk", 0.4), now=NOW, actor=BOT)
    assert json.loads(step("forecast.add", BOT)["after"])["forecaster"] == "Desk"
    questions.edit_question(
        engine, ref="q", changes=QuestionChanges(claim="Russia leaves Syria"),
        note="clearer", now=NOW, actor=ALICE,
    )  # fmt: skip
    edit = step("question.edit", ALICE)
    assert json.loads(edit["before"]) == {"claim": "Russia leaves its Syrian bases"}
    assert json.loads(edit["after"]) == {"claim": "Russia leaves Syria", "note": "clearer"}
    service.snooze_once(
        engine, request_id="r1", ref="q", until=NOW + dt.timedelta(days=7), now=NOW, actor=BOT
    )
    step("question.snooze", BOT)
    service.resolve(engine, ref="q", outcome=Outcome.YES, now=NOW, tz=UTC_ZONE, actor=ALICE)
    resolved = step("question.resolve", ALICE)
    assert json.loads(resolved["after"])["resolved_by"] == "alice"  # the actor, unless named
    service.reopen(engine, ref="q", now=NOW, note="too early", actor=BOT)
    reopened = step("question.reopen", BOT)
    assert json.loads(reopened["before"])["outcome"] == "yes"
    assert {row["prediction_id"] for row in seen} == {1}


def test_a_refused_change_leaves_no_entry(engine: sa.Engine) -> None:
    service.add_prediction(engine, data=_question(), now=NOW, actor=ALICE)
    service.resolve(engine, ref="q", outcome=Outcome.NO, now=NOW, tz=UTC_ZONE, actor=ALICE)
    before = _rows(engine)
    with pytest.raises(AlreadyResolved):
        service.resolve(engine, ref="q", outcome=Outcome.YES, now=NOW, tz=UTC_ZONE, actor=BOT)
    with pytest.raises(InvalidInput):  # made after the question closed
        questions.add_forecast(
            engine, ref="q", forecast=ForecastInput("Desk", 0.4), now=NOW, actor=BOT
        )
    people.add_user(engine, user=people.NewUser("Alice"), actor=BOT, now=NOW)
    with pytest.raises(Conflict):
        people.add_user(engine, user=people.NewUser("alice"), actor=BOT, now=NOW)
    assert len(_rows(engine)) == len(before) + 1  # the first user only


def test_an_import_is_one_entry_and_a_repeat_none(engine: sa.Engine, tmp_path: Path) -> None:
    lines = ["key,claim,due_at,precision,forecaster,probability"]
    lines += [
        f"k{i},Claim {i},2025-03-0{i + 1}T23:59:59.999999Z,day,ISW,0.{i + 1}" for i in range(3)
    ]
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n")
    for _ in range(2):
        importing.import_file(engine, path=path, tz=UTC_ZONE, now=NOW, actor=ALICE)
    (entry,) = _rows(engine)
    after = json.loads(entry["after"])
    assert (entry["action"], entry["via"], entry["actor"]) == ("import", "import", "alice")
    assert (after["created"], after["created_keys"]) == (3, ["k0", "k1", "k2"])


def test_tokens_are_never_in_the_trail(engine: sa.Engine) -> None:
    people.add_user(engine, user=people.NewUser("alice", forecaster="ISW"), actor=BOT, now=NOW)
    made = people.create_token(
        engine, user_name="alice", scope="resolve", expires_at=None, note=None,
        actor=BOT, now=NOW,
    )  # fmt: skip
    people.revoke_token(engine, prefix=made.row.prefix, actor=BOT, now=NOW)
    text = json.dumps(_rows(engine), default=str)
    assert made.token not in text
    assert made.row.token_hash not in text
    assert made.token[len(made.row.prefix) :] not in text
    assert [row["action"] for row in _rows(engine)] == ["user.add", "token.create", "token.revoke"]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"]
)
def test_the_database_refuses_to_change_an_entry(engine: sa.Engine, statement: str) -> None:
    service.add_prediction(engine, data=_question(), now=NOW, actor=ALICE)
    with (
        pytest.raises(sa.exc.DatabaseError, match="never changed or deleted"),
        engine.begin() as connection,
    ):
        connection.execute(sa.text(statement))
    assert len(_rows(engine)) == 1


def _audit_table_names() -> set[str]:
    return {"AuditEntry", "audit_entry"}


def _names_audit(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id in _audit_table_names())
        or (isinstance(n, ast.Attribute) and n.attr in _audit_table_names())
        or (isinstance(n, ast.Constant) and isinstance(n.value, str)
            and "audit_entry" in n.value.lower())
        for n in ast.walk(node)
    )  # fmt: skip


def _writes_to_audit_rows(tree: ast.AST) -> list[int]:
    """Lines of update/delete statements that name the audit table, and of assignments to
    an attribute of something read from it."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"update", "delete", "execute", "exec_driver_sql"} and any(
                _names_audit(arg) for arg in node.args
            ):
                text = ast.unparse(node).lower()
                if name in {"update", "delete"} or "update" in text or "delete" in text:
                    found.append(node.lineno)
    return sorted(set(found))


def test_no_code_path_updates_or_deletes_an_entry() -> None:
    """Every module but the migration that installs the guards: no UPDATE or DELETE names
    the audit table, and no session.delete() or attribute assignment runs in a module that
    reads entries back."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "0011_people.py":
            continue
        source = path.read_text()
        tree = ast.parse(source)
        offenders += [f"{path.name}:{line}" for line in _writes_to_audit_rows(tree)]
        if "AuditEntry" in source and path.name not in {"people_models.py", "models.py"}:
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(".delete"):
                    offenders.append(f"{path.name}:{node.lineno} (delete)")
                if isinstance(node, ast.Assign | ast.AugAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if any(isinstance(t, ast.Attribute) for t in targets):
                        offenders.append(f"{path.name}:{node.lineno} (assignment)")
    assert offenders == []


def test_the_scan_finds_a_write() -> None:
    """The scan above is not blind: it catches the forms it looks for."""
    sample = ast.parse(
        "session.execute(sa.update(AuditEntry).values(actor='x'))\n"
        "session.execute(sa.delete(models.AuditEntry))\n"
        "connection.exec_driver_sql('DELETE FROM audit_entry')\n"
        "session.execute(sa.update(Prediction).values(claim='x'))\n"
    )
    assert _writes_to_audit_rows(sample) == [1, 2, 3]


def test_the_previous_release_upgrades_with_an_empty_trail(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "release-0006.db", database)
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert upgrade_to_head(engine)
        assert _rows(engine) == []
        assert people.list_users(engine) == []
        service.resolve(engine, ref="1", outcome=Outcome.NO, now=NOW, tz=UTC_ZONE, actor=ALICE)
        (entry,) = _rows(engine)
        assert (entry["action"], entry["prediction_id"]) == ("question.resolve", 1)
    finally:
        engine.dispose()
