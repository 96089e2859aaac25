"""Questions and their forecasts through the service: the first forecast, revisions, the rules
on when a forecast may be made, edits that keep versions, and loading without N+1 queries."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import ACTOR
from tests.sink import Answer, Sink
from tests.test_delivery import ledger, make_worker, queue_now
from tracker import importing, questions, service
from tracker.domain.deadlines import UTC_ZONE, parse_due
from tracker.domain.forecasts import ForecastInput
from tracker.domain.inputs import PredictionInput, SourceInput
from tracker.domain.questions import QuestionChanges
from tracker.enums import ListStatus, Outcome
from tracker.errors import AlreadyResolved, InvalidInput, NotFound
from tracker.persistence.models import PredictionRecord

NOW = dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)
PUBLISHED = dt.datetime(2024, 12, 24, tzinfo=dt.UTC)


def _question(key: str = "q", **fields: object) -> PredictionInput:
    due = parse_due("February 2025", UTC_ZONE)
    values: dict[str, object] = {"key": key, "claim": "Russia leaves Syria", "due": due,
                                 "due_text": "by February 2025"}  # fmt: skip
    return PredictionInput(**(values | fields))  # type: ignore[arg-type]


def test_a_question_states_its_first_forecast(engine: sa.Engine) -> None:
    source = SourceInput(title="ISW", url="https://example.org/isw", published_at=PUBLISHED)
    record = service.add_prediction(
        engine,
        data=_question(forecaster="ISW", probability=0.7, quote="planning", source=source,
                       criteria="Both bases handed over"),
        now=NOW, actor=ACTOR,
    )  # fmt: skip
    [first] = record.forecasts
    # Not stated: made when its source was published (as an import reads it), not now.
    assert (first.forecaster, first.probability, first.made_at) == ("ISW", 0.7, PUBLISHED)
    assert first.quote == "planning"
    assert first.source_id == record.prediction.source_id
    assert [s.url for s in record.sources] == ["https://example.org/isw"]
    p = record.prediction
    assert (p.forecaster, p.probability, p.criteria) == ("ISW", 0.7, "Both bases handed over")
    # A stated time is kept; one past the deadline is refused, and nothing is stored.
    stated = service.add_prediction(
        engine,
        data=_question("r", forecaster="A", probability=0.5, made_at=PUBLISHED),
        now=NOW,
        actor=ACTOR,
    )
    assert stated.forecasts[0].made_at == PUBLISHED
    late = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput, match="closed"):
        service.add_prediction(
            engine,
            data=_question("s", forecaster="A", probability=0.5, made_at=late),
            now=late,
            actor=ACTOR,
        )
    # No probability: no forecast (the named forecaster stays on the question).
    named = service.add_prediction(
        engine, data=_question("t", forecaster="B"), now=NOW, actor=ACTOR
    )
    assert named.forecasts == []
    assert [r.prediction.key for r in _all(engine)] == ["q", "r", "t"]


def _all(engine: sa.Engine) -> list[PredictionRecord]:
    return service.list_predictions(
        engine, status=ListStatus.ALL, now=NOW, due_soon=dt.timedelta(days=7)
    ).items


def test_revisions_are_new_forecasts_and_the_rules_hold(engine: sa.Engine) -> None:
    service.add_prediction(engine, data=_question(), now=NOW - dt.timedelta(days=5), actor=ACTOR)
    added = questions.add_forecast(
        engine,
        ref="q",
        forecast=ForecastInput("Desk", 0.4, note="first look"),
        now=NOW,
        actor=ACTOR,
    )
    assert (added.forecast.made_at, added.forecast.note) == (NOW, "first look")
    # The first forecast on a question that stated none becomes its "as first stated" one.
    assert (added.record.prediction.forecaster, added.record.prediction.probability) == (
        "Desk", 0.4
    )  # fmt: skip
    earlier = NOW - dt.timedelta(days=2)
    questions.add_forecast(
        engine, ref="q", forecast=ForecastInput("ISW", 0.6, made_at=earlier), now=NOW, actor=ACTOR
    )
    later = questions.add_forecast(
        engine,
        ref="1",
        forecast=ForecastInput("Desk", 0.55),
        now=NOW + dt.timedelta(hours=1),
        actor=ACTOR,
    )
    history = [(f.forecaster, f.probability) for f in later.record.forecasts]
    assert history == [("ISW", 0.6), ("Desk", 0.4), ("Desk", 0.55)]
    assert later.record.prediction.probability == 0.4  # as first stated, not revised
    for ref, forecast, now, problem in (
        ("nope", ForecastInput("A", 0.5), NOW, NotFound),
        ("q", ForecastInput("A", 0.5, made_at=NOW + dt.timedelta(minutes=6)), NOW, InvalidInput),
        ("q", ForecastInput("A", 0.5), dt.datetime(2025, 3, 1, tzinfo=dt.UTC), InvalidInput),
    ):
        with pytest.raises(problem):
            questions.add_forecast(engine, ref=ref, forecast=forecast, now=now, actor=ACTOR)
    # Resolved: closed from the moment it was resolved.
    resolved_at = NOW + dt.timedelta(days=1)
    service.resolve(engine, ref="q", outcome=Outcome.YES, now=resolved_at, tz=UTC_ZONE, actor=ACTOR)
    with pytest.raises(InvalidInput, match="closed"):
        questions.add_forecast(
            engine,
            ref="q",
            forecast=ForecastInput("A", 0.9),
            now=resolved_at + dt.timedelta(hours=1),
            actor=ACTOR,
        )
    assert len(service.show_prediction(engine, ref="q").forecasts) == 3


def test_an_edit_keeps_the_question_as_it_was(engine: sa.Engine) -> None:
    service.add_prediction(engine, data=_question(tags=("syria",)), now=NOW, actor=ACTOR)
    record = questions.edit_question(
        engine, ref="q",
        changes=QuestionChanges(claim="Russia leaves Syria entirely", criteria="Both bases",
                                add_tags=("Russia",), remove_tags=("syria",)),
        note="sharper", now=NOW + dt.timedelta(hours=1), actor=ACTOR,
    )  # fmt: skip
    p = record.prediction
    assert (p.claim, p.criteria, record.tags) == (
        "Russia leaves Syria entirely",
        "Both bases",
        ["russia"],
    )
    [version] = record.versions
    assert (version.version, version.note) == (1, "sharper")
    assert json.loads(version.snapshot) == {
        "claim": "Russia leaves Syria", "criteria": None, "due_at": "2025-02-28T23:59:59.999999Z",
        "window_start": None, "precision": "month", "due_text": "by February 2025", "tz": "UTC",
        "tags": ["syria"],
    }  # fmt: skip
    with pytest.raises(InvalidInput, match="nothing to change"):
        questions.edit_question(
            engine, ref="q", changes=QuestionChanges(claim=p.claim, add_tags=("russia",)),
            note="again", now=NOW, actor=ACTOR,
        )  # fmt: skip
    moved = questions.edit_question(
        engine,
        ref="q",
        changes=QuestionChanges(due="in March 2025"),
        note="slipped",
        now=NOW,
        actor=ACTOR,
    )
    assert moved.prediction.due_text == "in March 2025"
    assert moved.prediction.window_start == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert [v.version for v in moved.versions] == [1, 2]
    assert json.loads(moved.versions[1].snapshot)["claim"] == "Russia leaves Syria entirely"


def test_a_moved_deadline_reschedules_reminders(database_url: str, sink: Sink) -> None:
    sink.answer("/hook", Answer(503, "busy"))
    worker = make_worker(database_url, webhook_url=f"{sink.url}/hook")
    t0 = dt.datetime(2025, 2, 25, tzinfo=dt.UTC)  # 7-day reminder for February is due
    service.add_prediction(worker.engine, data=_question(), now=NOW, actor=ACTOR)
    with freeze_time(t0):
        queue_now(worker, t0)
    assert {r.status for r in ledger(database_url)} == {"pending"}
    record = questions.edit_question(
        worker.engine,
        ref="q",
        changes=QuestionChanges(due="2025-06"),
        note="later",
        now=t0,
        actor=ACTOR,
    )
    assert {r.status for r in ledger(database_url)} == {"cancelled"}
    # Reminders start over for June: the first is 7 days before it ends.
    assert record.prediction.next_reminder_at == dt.datetime(
        2025, 6, 23, 23, 59, 59, 999999, dt.UTC
    )
    # A resolved question's deadline stays, unless forced.
    service.resolve(worker.engine, ref="q", outcome=Outcome.NO, now=t0, tz=UTC_ZONE, actor=ACTOR)
    with pytest.raises(AlreadyResolved):
        questions.edit_question(
            worker.engine,
            ref="q",
            changes=QuestionChanges(due="2025-07"),
            note="x",
            now=t0,
            actor=ACTOR,
        )
    forced = questions.edit_question(
        worker.engine,
        ref="q",
        changes=QuestionChanges(due="2025-07"),
        note="x",
        now=t0,
        force=True,
        actor=ACTOR,
    )
    assert forced.prediction.due_text == "by July 2025"
    assert forced.prediction.next_reminder_at is None
    # The criteria of a resolved question may change without force.
    questions.edit_question(
        worker.engine,
        ref="q",
        changes=QuestionChanges(criteria="Both"),
        note="y",
        now=t0,
        actor=ACTOR,
    )


def test_loading_questions_costs_the_same_queries_for_one_or_many(engine: sa.Engine) -> None:
    def queries_to_list() -> int:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            _all(engine)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    def add(key: str) -> None:
        source = SourceInput(url=f"https://e.org/{key}")
        data = _question(key, forecaster="A", probability=0.5, source=source)
        service.add_prediction(engine, data=data, now=NOW, actor=ACTOR)
        questions.add_forecast(
            engine, ref=key, forecast=ForecastInput("B", 0.2), now=NOW, actor=ACTOR
        )

    add("a")
    one = queries_to_list()
    for n in range(10):
        add(f"k{n}")
    assert queries_to_list() == one
    assert all(len(r.forecasts) == 2 and len(r.sources) == 1 for r in _all(engine))


def test_an_imported_question_gets_its_first_forecast(engine: sa.Engine, tmp_path: Path) -> None:
    records = [
        {"key": "sourced", "claim": "A", "due": "2025-02", "forecaster": "ISW", "probability": 0.6,
         "source": {"title": "T", "published_at": "2024-12-24"},
         "created_at": "2025-01-05T00:00:00Z"},
        {"key": "plain", "claim": "B", "due": "2025-02", "forecaster": "Desk", "probability": "7:3",
         "created_at": "2025-01-05T00:00:00Z"},
        {"key": "named", "claim": "C", "due": "2025-02", "forecaster": "Nobody"},
    ]  # fmt: skip
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"format": "tracker-export", "version": 1, "predictions": records}))
    report = importing.import_file(engine, path=path, tz=UTC_ZONE, now=NOW, actor=ACTOR)
    assert sorted(report.created) == ["named", "plain", "sourced"]
    found = {r.prediction.key: r for r in _all(engine)}
    assert [(f.forecaster, f.made_at) for f in found["sourced"].forecasts] == [("ISW", PUBLISHED)]
    assert [s.title for s in found["sourced"].sources] == ["T"]
    [plain] = found["plain"].forecasts
    assert (plain.probability, plain.made_at) == (0.7, dt.datetime(2025, 1, 5, tzinfo=dt.UTC))
    assert found["named"].forecasts == []
    again = importing.import_file(engine, path=path, tz=UTC_ZONE, now=NOW, actor=ACTOR)
    assert sorted(again.unchanged) == ["named", "plain", "sourced"]
    assert sum(len(r.forecasts) for r in _all(engine)) == 2
