"""tracker.evidence: the dev set's precision and recall, the hard cases the issue names, and
the days reports give, read back from publication."""

from __future__ import annotations

from datetime import date

import pytest

from tests.evidence_cases import CASES, EvidenceCase
from tests.evidence_cases_2 import CASES_2
from tracker.evidence import (
    AUTO_RESOLVE_THRESHOLD,
    SHOW_THRESHOLD,
    Evidence,
    OpenQuestion,
    QuestionIndex,
    scan,
)
from tracker.evidence.dates import past_dates

pytestmark = pytest.mark.no_database

# What the rules reach on tests/evidence_cases.py (written by another hand than the rules):
# precision 0.981 and recall 0.623 at SHOW_THRESHOLD (0.979 and 0.580 before the second recall
# pass, 0.976 and 0.494 before the first); on every fifth case (index % 5 == 4), kept out of the
# first pass's inspection, 1.000 and 0.486 then (the second pass read every miss: 1.000 and
# 0.600 now). Floors to hold: the precision target (0.90), and a recall floor just
# below what is reached; the recall target (0.75) is NOT met.
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.61
LATER_RECALL_FLOOR = 0.35
AUTO_PRECISION_FLOOR = 0.97
SYRIA = "Russia will withdraw all its forces from Syria by February 2025"


def _found(case: EvidenceCase, threshold: float = SHOW_THRESHOLD) -> tuple[str | None, date | None]:
    question = OpenQuestion(
        "q", case.claim, date.fromisoformat(case.opened), date.fromisoformat(case.due)
    )
    published = date.fromisoformat(case.published)
    found = scan(case.text, published, QuestionIndex([question]), threshold=threshold)
    return (found[0].outcome, found[0].occurred_on) if found else (None, None)


def test_precision_and_recall_on_the_dev_set() -> None:
    right = wrong = dated = dated_right = 0
    for case in CASES:
        outcome, occurred_on = _found(case)
        if outcome is None:
            continue
        if outcome != case.outcome:
            wrong += 1
            continue
        right += 1
        if case.occurred_on and outcome == "yes":
            dated += 1
            wanted = date.fromisoformat(case.occurred_on)
            dated_right += occurred_on is not None and abs((occurred_on - wanted).days) <= 1
    positives = sum(1 for case in CASES if case.outcome)
    precision, recall = right / (right + wrong), right / positives
    print(
        f"evidence dev set ({len(CASES)} pairs, {positives} with an outcome) at {SHOW_THRESHOLD}: "
        f"precision {precision:.3f}, recall {recall:.3f}, occurred_on within a day "
        f"{dated_right}/{dated}"
    )
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR
    assert dated_right >= 0.9 * dated


def test_precision_and_recall_on_pairs_written_later() -> None:
    """tests/evidence_cases_2.py: 100 pairs written by a helper session after the rules, from
    its own reading of issue 22. Scored before any tuning: precision 0.720, recall 0.327; then
    its wrong findings (not its misses) were fixed in general: 0.909 and 0.364."""
    right = wrong = 0
    for case in CASES_2:
        outcome, _ = _found(case)
        if outcome is not None:
            right, wrong = right + (outcome == case.outcome), wrong + (outcome != case.outcome)
    positives = sum(1 for case in CASES_2 if case.outcome)
    precision, recall = right / (right + wrong), right / positives
    print(f"evidence pairs written later: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= PRECISION_FLOOR
    assert recall >= LATER_RECALL_FLOOR


def test_what_a_feed_may_resolve_alone_is_almost_never_wrong() -> None:
    """Above AUTO_RESOLVE_THRESHOLD (`feeds add --auto-resolve`) a wrong outcome resolves a
    question with nobody looking: precision must be higher still."""
    found = [(case, _found(case, AUTO_RESOLVE_THRESHOLD)[0]) for case in CASES]
    said = [(case, outcome) for case, outcome in found if outcome is not None]
    right = sum(1 for case, outcome in said if outcome == case.outcome)
    print(f"evidence dev set above {AUTO_RESOLVE_THRESHOLD}: {right} of {len(said)} right")
    assert said
    assert right / len(said) >= AUTO_PRECISION_FLOOR


def _one(
    claim: str, text: str, published: str, *, opened: str = "2024-12-01", due: str = "2025-02-28"
) -> Evidence | None:
    question = OpenQuestion("q", claim, date.fromisoformat(opened), date.fromisoformat(due))
    found = scan(text, date.fromisoformat(published), QuestionIndex([question]))
    return found[0] if found else None


def test_a_full_pullout_reported_is_a_yes_on_the_day_it_names() -> None:
    found = _one(
        SYRIA,
        "Moscow pulled its last troops out of Syria on Tuesday, officials said.",
        "2025-02-20",
    )
    assert found is not None
    assert (found.outcome, found.occurred_on) == ("yes", date(2025, 2, 18))
    assert found.quote.startswith("Moscow pulled")


@pytest.mark.parametrize(
    "text",
    [
        "Russia began withdrawing troops from Syria on Monday.",  # a partial step
        "The first Russian units left Syria on Tuesday aboard cargo planes.",
        "Iran pulled its forces out of Syria last week.",  # another country
        "Russia will withdraw its forces from Syria by the end of the month.",  # a plan
        "Russia is expected to pull its troops out of Syria soon.",  # an expectation
        "If Russia withdrew its forces from Syria, Iran would gain.",  # a condition
        "Will Russia withdraw its forces from Syria?",  # a question
        "The Kremlin denied that it had withdrawn its forces from Syria.",  # a denial
        "Russia withdrew its forces from Syria in 2017, before returning.",  # before the window
        "Russia has not withdrawn its forces from Syria.",  # no, but the deadline has not passed
    ],
)
def test_near_misses_are_no_evidence(text: str) -> None:
    assert _one(SYRIA, text, "2025-02-20") is None


def test_a_deadline_passed_without_the_event_is_a_no() -> None:
    found = _one(SYRIA, "Russian forces were still in Syria in April.", "2025-04-20")
    assert found is not None
    assert found.outcome == "no"
    found = _one(SYRIA, "Russia has not withdrawn its forces from Syria.", "2025-03-20")
    assert found is not None
    assert found.outcome == "no"


def test_an_event_after_the_deadline_is_a_no() -> None:
    found = _one(SYRIA, "Russia withdrew its last forces from Syria on 3 April.", "2025-04-10")
    assert found is not None
    assert found.outcome == "no"


def test_a_postponement_past_the_deadline_is_a_no_before_it_falls() -> None:
    claim = "The referendum on independence will be held in Scotland by December 2025"
    text = "The referendum on independence in Scotland was postponed to March 2026, ministers said."
    found = _one(claim, text, "2025-06-01", opened="2025-01-01", due="2025-12-31")
    assert found is not None
    assert found.outcome == "no"


def test_the_index_judges_only_questions_sharing_words() -> None:
    questions = [
        OpenQuestion(
            f"q{i}", f"Company{i} will acquire Startup{i}", date(2025, 1, 1), date(2025, 12, 31)
        )
        for i in range(50)
    ]
    index = QuestionIndex(
        [*questions, OpenQuestion("syria", SYRIA, date(2024, 12, 1), date(2025, 2, 28))]
    )
    assert index.candidates(frozenset({"russia", "syria", "withdraw"})) == [50]
    found = scan("Moscow pulled its last troops out of Syria on Tuesday.", date(2025, 2, 20), index)
    assert [item.question.key for item in found] == ["syria"]


# Published Friday 14 March 2025.
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("It happened on Tuesday.", "2025-03-11"),
        ("It happened on Friday.", "2025-03-14"),  # the day of publication
        ("It happened last Friday.", "2025-03-07"),
        ("It happened yesterday.", "2025-03-13"),
        ("It happened on 3 March.", "2025-03-03"),
        ("It happened on March 20.", "2024-03-20"),  # not after publication: last year's
        ("It happened on Feb. 28, 2025.", "2025-02-28"),
        ("It happened last month.", "2025-02-28"),  # a period gives its last day
        ("It happened in January.", "2025-01-31"),
        ("It happened last week.", "2025-03-09"),
        ("It happened earlier this year.", "2025-03-14"),  # clipped to publication
        ("It happened two weeks ago.", "2025-02-28"),
    ],
)
def test_days_are_read_back_from_publication(text: str, day: str) -> None:
    found = past_dates(text, date(2025, 3, 14))
    assert [d.day.isoformat() for d in found] == [day]


def test_deadlines_and_verbs_are_not_days_of_the_event() -> None:
    assert past_dates("They must leave by February 2025.", date(2025, 3, 14)) == []
    assert past_dates("Prices may fall.", date(2025, 3, 14)) == []


def test_it_takes_its_subject_from_the_sentence_before() -> None:
    text = "Russia has kept a presence in Syria since 2015. It withdrew its last forces on Tuesday."
    found = _one(SYRIA.replace(" from Syria", ""), text, "2025-02-20")
    assert found is not None
    assert (found.outcome, found.occurred_on) == ("yes", date(2025, 2, 18))
    assert found.quote == text  # the sentence and the one that says who
    other = "Iran has kept a presence in Syria since 2015. It withdrew its last forces on Tuesday."
    assert _one(SYRIA.replace(" from Syria", ""), other, "2025-02-20") is None


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        # a capital for its country, a synonym of the event
        (
            "The US will cut tariffs on Swiss watches",
            "Washington slashed tariffs on Swiss watches.",
        ),
        (
            "Canada will remove its counter-tariffs on US steel",
            "Ottawa lifted its counter-tariffs on US steel.",
        ),
        # a name written out for the claim's initials, and the other way round
        (
            "The FDA will approve Zepbound for sleep apnea",
            "The US Food and Drug Administration approved Zepbound for sleep apnea.",
        ),
        (
            "The Reserve Bank of India will cut its repo rate",
            "The RBI cut its repo rate on Friday.",
        ),
        # a nominalised event, and a measure that took effect or was signed into law
        (
            "Russia will withdraw its forces from Syria",
            "The withdrawal of Russian forces from Syria was completed on Tuesday.",
        ),
        (
            "The UK will ban disposable vapes",
            "The UK ban on disposable vapes took effect on Sunday.",
        ),
        (
            "The US will impose a 50% tariff on Brazilian goods",
            "Tariffs of 50% on imports from Brazil came into force on Wednesday.",
        ),
        ("The Senate will pass the GENIUS Act", "The GENIUS Act was signed into law on Friday."),
        # an amount written short, a green light given
        ("Nvidia's market value will exceed $5 trillion", "Nvidia's market value exceeded $5tn."),
        (
            "The UK government will approve the Rosebank oil field",
            "The UK government gave the green light to the Rosebank oil field on Monday.",
        ),
        # a trophy lifted, a city taken, a product gone live
        (
            "England will win the Women's Rugby World Cup",
            "England lifted the Women's Rugby World Cup on Saturday.",
        ),
        ("Russian forces will capture Pokrovsk", "Russian forces took control of Pokrovsk."),
        (
            "Apple will launch Apple Intelligence in China",
            "Apple Intelligence went live in China on Monday.",
        ),
        # taking office, an office named without its country, "the first ... to"
        (
            "Mark Carney will become prime minister",
            "Mark Carney took office as prime minister on Friday.",
        ),
        (
            "Japan's prime minister will call a snap election",
            "Prime Minister Ishiba called a snap election on Friday.",
        ),
        (
            "Nvidia's market value will exceed $5 trillion",
            "Nvidia became the first company to see its market value exceed $5 trillion on Monday.",
        ),
        # a state that is the outcome; a headline's present; a light verb's event begun
        (
            "The Bank of Canada will cut its policy rate to 2.5%",
            "With its policy rate now at 2.5 per cent, the Bank of Canada can wait.",
        ),
        (
            "The US will impose a 25% tariff on Japanese cars",
            "Japanese carmakers say the 25% US tariff, now in force, has cut their margins.",
        ),
        (
            "The EU and India will hold trade talks",
            "EU AND INDIA HOLD TRADE TALKS IN DELHI - officials call them frank.",
        ),
        (
            "Nurses in Scotland will go on strike",
            "Nurses in Scotland began a three-day strike on Monday over pay.",
        ),
        (
            "A private lander will make a touchdown on the Moon",
            "The privately built lander touched down on the Moon on Sunday.",
        ),
        (
            "The Netherlands will hold a general election",
            "Turnout was high in the Netherlands' general election, held on Wednesday.",
        ),
        (  # done, though late for another deadline
            "Boeing and the union will sign a new contract",
            "Boeing and the union signed a new contract on Monday, after missing their deadline.",
        ),
        (
            "Mexico will raise tariffs on Chinese cars to 50%",
            "Mexico's tariffs of 50% on Chinese cars took effect on 1 March, part of a package.",
        ),
    ],
)
def test_news_wordings_of_the_event_are_a_yes(claim: str, text: str) -> None:
    found = _one(claim, text, "2025-03-20", opened="2025-01-01", due="2025-06-30")
    assert found is not None
    assert found.outcome == "yes"


def test_a_missed_target_is_no_report_of_the_event() -> None:
    found = _one(
        "The EU and India will conclude a free-trade agreement",
        "The EU and India missed their end-of-March target for a free-trade agreement.",
        "2025-04-02",
        opened="2025-01-01",
        due="2025-03-31",
    )
    assert found is not None
    assert found.outcome == "no"


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        (
            "The UK will ban disposable vapes",
            "The UK ban on disposable vapes takes effect in June.",
        ),
        (
            "The UK will ban disposable vapes",
            "The UK ban on disposable vapes will take effect in June.",
        ),
        (
            "Mark Carney will become prime minister",
            "Mark Carney takes office as prime minister next week.",
        ),
        (
            "Japan's prime minister will call a snap election",
            "France's prime minister called a snap election on Friday.",
        ),
        ("The US will cut tariffs on Swiss watches", "Ottawa slashed tariffs on Swiss watches."),
        (
            "The Bank of Canada will cut its policy rate to 2.5%",
            "The policy rate, now at 2.75 per cent, will be cut to 2.5 per cent in June.",
        ),
        (
            "Boeing will complete its acquisition of Spirit AeroSystems",
            "Airbus completed its purchase of Spirit AeroSystems' plants from Boeing's deal.",
        ),
        ("Ford will go on strike", "Ford began talks with the union on Monday."),
        # another clause's "shutdown" is not the demerger completed; a target missed; a rate held
        (
            "Unilever will complete the demerger of its ice cream business",
            "Unilever has postponed the demerger of its ice cream unit, previously set for May, "
            "because a government shutdown has held up its listing.",
        ),
        (
            "The Reserve Bank of Australia will cut its cash rate",
            "The RBA held its cash rate at 4.35% on Tuesday; a cut was not on the agenda.",
        ),
        (
            "ESA's PLATO telescope will launch",
            "ESA now targets an Ariane 6 launch of the PLATO telescope from Kourou.",
        ),
        (
            "Nurses in Scotland will go on strike",
            "Nurses in Wales began a three-day strike on Monday over pay.",
        ),
    ],
)
def test_news_wordings_not_yet_done_or_by_another_are_not(claim: str, text: str) -> None:
    assert _one(claim, text, "2025-03-20", opened="2025-01-01", due="2025-06-30") is None
