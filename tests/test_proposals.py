"""Proposals: forecasts found in an article wait for a person, who accepts (storing a question,
or adding to the one it matches) or rejects them; each decision is audited and made once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import ACTOR, SEEDS, Result, assert_one_line_error
from tracker.domain.reminders import ReminderPolicy
from tracker.errors import Conflict, InvalidInput
from tracker.news import proposals
from tracker.news.articles import (
    ArticleText,
    Proposed,
    candidate_records,
    find_forecasts,
    propose_article,
)

ARTICLE = (SEEDS / "2024-12-isw-russia-syria-pullout.txt").read_text()
UTC = ZoneInfo("UTC")
NOW = dt.datetime(2024, 12, 26, 9, 0, tzinfo=dt.UTC)
POLICY = ReminderPolicy()


def _propose(
    engine: sa.Engine, text: str = ARTICLE, *, url: str | None = "https://news.example/isw"
) -> Proposed:
    article = ArticleText(
        text=text, url=url, title="ISW: Moscow plans full military pullout", publisher="Caliber",
        published=dt.date(2024, 12, 24),
    )  # fmt: skip
    found = find_forecasts(article, published=dt.date(2024, 12, 24), tz=UTC, forecaster=None)
    records = candidate_records(found, source=article.source(), tags=["syria"])
    return propose_article(engine, article=article, records=records, tz=UTC, now=NOW)


def _accept(engine: sa.Engine, proposal_id: int, **kwargs: Any) -> proposals.Decision:
    return proposals.accept(
        engine, proposal_id=proposal_id, actor=ACTOR, now=NOW, tz=UTC, policy=POLICY, **kwargs
    )


def _audit_actions(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT action FROM audit_entry ORDER BY id"))
        return [row[0] for row in rows]


def test_an_article_proposes_its_dated_forecasts_once(engine: sa.Engine) -> None:
    first = _propose(engine)
    claims = [p.claim for p in first.proposals]
    assert len(claims) == 3
    assert any("full military withdrawal" in claim for claim in claims)
    assert all(p.status == "pending" for p in first.proposals)
    again = _propose(engine)  # the same URL: read before, nothing proposed again
    assert again.already_read
    assert again.proposals == []
    assert len(proposals.list_proposals(engine)) == 3
    assert _audit_actions(engine) == []  # nothing is stored until a person decides


def test_accepting_stores_a_question_with_the_article_as_its_source(engine: sa.Engine) -> None:
    made = _propose(engine).proposals
    withdrawal = next(p for p in made if "full military withdrawal" in p.claim)
    assert withdrawal.id is not None
    decision = _accept(engine, withdrawal.id)
    assert not decision.attached
    assert decision.prediction is not None
    assert decision.prediction.due_at == dt.datetime(2025, 2, 28, 23, 59, 59, 999999, dt.UTC)
    from tracker import service

    record = service.show_prediction(engine, ref=decision.prediction.key)
    assert record.sources[0].url == "https://news.example/isw"
    assert {"extracted", "syria", "implied-probability"} <= set(record.tags)
    assert [(f.forecaster, f.probability) for f in record.forecasts] == [("ISW", 0.675)]
    assert _audit_actions(engine) == ["proposal.accept"]
    listed = proposals.list_proposals(engine, status="accepted")
    assert [v.proposal.prediction_id for v in listed] == [decision.prediction.id]
    assert [v.proposal.decided_by for v in listed] == ["tester"]


def test_a_proposal_is_decided_once(engine: sa.Engine) -> None:
    made = _propose(engine).proposals
    first, second = made[0].id, made[1].id
    assert first is not None
    assert second is not None
    _accept(engine, first)
    with pytest.raises(Conflict, match="already accepted by tester"):
        _accept(engine, first)
    proposals.reject(engine, proposal_id=second, actor=ACTOR, now=NOW, reason="not a forecast")
    with pytest.raises(Conflict, match="already rejected"):
        _accept(engine, second)
    rejected = proposals.list_proposals(engine, status="rejected")
    assert [v.proposal.reason for v in rejected] == ["not a forecast"]
    assert _audit_actions(engine) == ["proposal.accept", "proposal.reject"]


def test_corrections_apply_before_storing(engine: sa.Engine) -> None:
    made = _propose(engine).proposals
    target = made[2].id
    assert target is not None
    decision = _accept(
        engine, target,
        corrections=proposals.Corrections(
            claim="The interim government rules Syria until 1 March 2025.", due="2025-03-01",
            forecaster="Desk", probability=0.6, tags=("checked",),
        ),
    )  # fmt: skip
    assert decision.prediction is not None
    assert decision.prediction.claim == "The interim government rules Syria until 1 March 2025."
    assert decision.prediction.precision == "day"
    assert decision.prediction.forecaster == "Desk"


def test_a_bad_correction_stores_nothing_and_leaves_it_pending(engine: sa.Engine) -> None:
    made = _propose(engine).proposals
    target = made[0].id
    assert target is not None
    with pytest.raises(InvalidInput):
        _accept(engine, target, corrections=proposals.Corrections(due="the twelfth of never"))
    assert [v.proposal.status for v in proposals.list_proposals(engine)] == ["pending"] * 3
    assert _audit_actions(engine) == []


def test_the_same_forecast_in_a_second_article_joins_the_first_question(
    engine: sa.Engine,
) -> None:
    made = _propose(engine).proposals
    withdrawal = next(p for p in made if "full military withdrawal" in p.claim)
    assert withdrawal.id is not None
    question = _accept(engine, withdrawal.id).prediction
    assert question is not None
    other = ARTICLE.replace("ISW), Moscow is now planning", "ISW), Moscow is planning")
    second = _propose(engine, other, url="https://other.example/syria").proposals
    twin = next(p for p in second if "full military withdrawal" in p.claim)
    assert twin.match_prediction_id == question.id
    assert twin.match_score is not None
    assert twin.match_score >= 0.8
    assert twin.id is not None
    decision = _accept(engine, twin.id, corrections=proposals.Corrections(probability=0.9))
    assert decision.attached
    assert decision.prediction is not None
    assert decision.prediction.id == question.id
    assert decision.forecast_added
    from tracker import service

    record = service.show_prediction(engine, ref=question.key)
    assert [s.url for s in record.sources] == [
        "https://news.example/isw",
        "https://other.example/syria",
    ]
    assert [(f.forecaster, f.probability) for f in record.forecasts] == [
        ("ISW", 0.675),
        ("ISW", 0.9),
    ]


def test_a_match_with_the_same_forecast_adds_only_the_source(engine: sa.Engine) -> None:
    made = _propose(engine).proposals
    withdrawal = next(p for p in made if "full military withdrawal" in p.claim)
    assert withdrawal.id is not None
    question = _accept(engine, withdrawal.id).prediction
    assert question is not None
    twin = next(
        p for p in _propose(engine, url="https://copy.example/isw").proposals
        if "full military withdrawal" in p.claim
    )  # fmt: skip
    assert twin.id is not None
    decision = _accept(engine, twin.id)
    assert decision.attached
    assert not decision.forecast_added
    assert decision.notes == ["ISW's forecast there is already 68%"]
    new = _accept(engine, made[1].id or 0, as_new=True)
    assert not new.attached


@freeze_time("2024-12-26 09:00:00")
def test_proposals_commands(engine: sa.Engine, cli: Callable[..., Result]) -> None:
    made = _propose(engine).proposals
    listed = cli("proposals", "--json")
    assert listed.code == 0, listed.err
    shown = listed.json()
    assert [p["id"] for p in shown] == [p.id for p in made]
    assert shown[0]["source"]["url"] == "https://news.example/isw"
    assert shown[0]["due"]
    table = cli("proposals")
    assert "February 2025" in table.out
    assert "ISW" in table.out
    accepted = cli("proposals", "accept", str(made[0].id), "--json")
    assert accepted.code == 0, accepted.err
    assert accepted.json()["attached"] is False
    assert_one_line_error(
        cli("proposals", "accept", str(made[0].id)), 2, contains="already accepted"
    )
    assert_one_line_error(cli("proposals", "accept", "999"), 2, contains="no proposal 999")
    huge = "99999999999999999999"
    assert_one_line_error(cli("proposals", "reject", huge), 2, contains=f"no proposal {huge}")
    assert_one_line_error(
        cli("proposals", "accept", str(made[1].id), "--probability", "2"), 2,
        contains="--probability",
    )  # fmt: skip
    rejected = cli("proposals", "reject", str(made[1].id), "--reason", "opinion")
    assert rejected.code == 0, rejected.err
    assert cli("proposals", "--status", "rejected", "--json").json()[0]["reason"] == "opinion"
    assert_one_line_error(cli("proposals", "--status", "maybe"), 2, contains="--status")


def test_extract_propose_keeps_them_for_a_person(cli: Callable[..., Result]) -> None:
    article = SEEDS / "2024-12-isw-russia-syria-pullout.txt"
    first = cli("extract", article, "--published", "2024-12-24", "--propose")
    assert first.code == 0, first.err
    assert "Proposed 3 forecasts" in first.out
    assert cli("list", "--json").json() == []  # nothing stored until accepted
    shown = cli("proposals", "--json").json()
    assert len(shown) == 3
    assert shown[0]["source"]["published"] == "2024-12-24"
    again = cli("extract", article, "--published", "2024-12-24", "--propose", "--json")
    assert again.code == 0, again.err
    assert "nothing proposed again" in again.err
    assert len(again.json()) == 3  # the candidates are still printed
    assert len(cli("proposals", "--json").json()) == 3
    assert_one_line_error(
        cli("extract", article, "--published", "2024-12-24", "--propose", "--add"),
        contains="give one",
    )


def test_accepting_as_new_never_changes_the_question_it_repeats(engine: sa.Engine) -> None:
    first = _propose(engine).proposals[0]
    second = _propose(engine, url="https://copy.example/isw").proposals[0]
    assert first.id is not None
    assert second.id is not None
    kept = _accept(engine, first.id).prediction
    assert kept is not None
    new = _accept(engine, second.id, as_new=True).prediction
    assert new is not None
    assert new.id != kept.id
    assert new.key == f"{kept.key}-2"
    from tracker import service

    assert service.show_prediction(engine, ref=kept.key).sources[0].url == (
        "https://news.example/isw"
    )
