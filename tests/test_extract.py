"""Extraction of forecasts from article text: deadline phrases and their windows, which
sentences look ahead, implied probabilities, forecasters, claims, and `tracker extract`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracker.cli.extract  # noqa: F401 - registers the command even before tracker.cli imports it
from tests.conftest import SEEDS, Result, assert_one_line_error
from tests.extract_cases import (
    CLAIMS,
    CONDITIONAL,
    DATE_READINGS,
    FORECASTERS,
    FORECASTS,
    NOT_DATE_READINGS,
    NOT_DEADLINES,
    NOT_FORECASTS,
    PHRASES,
    PROBABILITIES,
    PUBLISHED,
    SENTENCES,
    SEVERAL,
    STATED,
    Due,
    Forecast,
    NotForecast,
)
from tracker.domain.deadlines import DueWindow, Precision
from tracker.domain.inputs import due_window_from
from tracker.extract import (
    estimate,
    extract_candidates,
    find_cues,
    headline,
    read_deadline,
    split_sentences,
)
from tracker.extract.claims import find_forecaster, make_claim

pytestmark = pytest.mark.no_database

ARTICLE = SEEDS / "2024-12-isw-russia-syria-pullout.txt"
SEED_PUBLISHED = date(2024, 12, 24)
UTC_ZONE = ZoneInfo("UTC")


def _window(first: str | None, last: str, precision: str, tz: ZoneInfo = UTC_ZONE) -> DueWindow:
    """The due window of whole local days first..last, built independently of the extractor."""
    end = datetime.combine(date.fromisoformat(last), time.max, tzinfo=tz).astimezone(UTC)
    start = (
        None
        if first is None
        else datetime.combine(date.fromisoformat(first), time.min, tzinfo=tz).astimezone(UTC)
    )
    return DueWindow(due_at=end, window_start=start, precision=Precision(precision), tz=tz)


# Deadline phrases ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PHRASES, ids=lambda case: f"{case.phrase}@{case.published}")
def test_a_deadline_phrase_reads_as_its_window(case: Due) -> None:
    mention = read_deadline(case.phrase, case.published)
    assert mention is not None, case.phrase
    first = date.fromisoformat(case.first) if case.first else None
    expected = (first, date.fromisoformat(case.last), Precision(case.precision))
    assert (mention.first, mention.last, mention.precision) == expected


@pytest.mark.parametrize("phrase", NOT_DEADLINES)
def test_vague_or_past_phrases_are_no_deadline(phrase: str) -> None:
    assert read_deadline(phrase, PUBLISHED) is None


def test_the_due_text_is_the_phrase_as_written() -> None:
    mention = read_deadline("It will end by  February 20, 2025 at the latest.", PUBLISHED)
    assert mention is not None
    assert mention.text == "by February 20, 2025 at the latest"


def test_windows_are_read_in_the_configured_time_zone() -> None:
    kyiv = ZoneInfo("Europe/Kyiv")
    [by_february, in_march] = extract_candidates(
        "Russia will leave by February 2025. Elections will be held in March 2025.",
        published=PUBLISHED,
        tz=kyiv,
    )
    assert by_february.due == _window(None, "2025-02-28", "month", kyiv)
    assert by_february.to_json()["due_at"] == "2025-02-28T21:59:59.999999Z"
    new_york = ZoneInfo("America/New_York")  # DST starts on 9 March 2025
    [in_march] = extract_candidates(
        "Elections will be held in March 2025.", published=PUBLISHED, tz=new_york
    )
    assert in_march.to_json()["window_start"] == "2025-03-01T05:00:00Z"
    assert in_march.to_json()["due_at"] == "2025-04-01T03:59:59.999999Z"


# Sentences that do and do not make a dated forecast ---------------------------------------------


@pytest.mark.parametrize("case", FORECASTS + DATE_READINGS, ids=lambda case: case.sentence[:60])
def test_a_forecast_is_found_with_its_deadline(case: Forecast) -> None:
    candidates = extract_candidates(case.sentence, published=case.published, tz=UTC_ZONE)
    assert len(candidates) == 1, candidates
    [candidate] = candidates
    assert candidate.due_text == case.due_text
    assert candidate.due == _window(case.first, case.last, case.precision)
    assert candidate.quote in case.sentence  # a wire dateline ("KYIV, Dec 24 (Reuters) -") is cut


@pytest.mark.parametrize(("sentence", "published", "expected"), SEVERAL, ids=lambda v: str(v)[:40])
def test_coordinated_deadlines_are_forecasts_of_their_own(
    sentence: str, published: date, expected: list[tuple[str, str, str]]
) -> None:
    candidates = extract_candidates(sentence, published=published, tz=UTC_ZONE)
    assert [c.due_text for c in candidates] == [due_text for due_text, _, _ in expected]
    for candidate, (_, last, words) in zip(candidates, expected, strict=True):
        assert candidate.due is not None
        assert candidate.due.due_at.date() == date.fromisoformat(last)
        assert words in candidate.claim
        assert candidate.quote == sentence


def test_a_range_or_a_placing_date_is_one_forecast() -> None:
    for sentence in (
        "The summit will take place in May and June.",
        "Scholz is expected to lose a vote on Monday, paving the way for elections in February.",
    ):
        assert len(extract_candidates(sentence, published=PUBLISHED, tz=UTC_ZONE)) == 1, sentence


@pytest.mark.parametrize(
    "case", NOT_FORECASTS + NOT_DATE_READINGS, ids=lambda case: case.sentence[:60]
)
def test_past_events_questions_and_undated_sentences_are_no_forecast(case: NotForecast) -> None:
    assert extract_candidates(case.sentence, published=case.published, tz=UTC_ZONE) == []


@pytest.mark.parametrize("case", CONDITIONAL, ids=lambda case: case.sentence[:60])
def test_a_conditional_forecast_is_listed_only_when_asked_for_and_marked(case: Forecast) -> None:
    assert extract_candidates(case.sentence, published=case.published, tz=UTC_ZONE) == []
    [candidate] = extract_candidates(
        case.sentence, published=case.published, tz=UTC_ZONE, include_conditional=True
    )
    assert candidate.conditional is True
    assert candidate.due_text == case.due_text
    assert candidate.due == _window(case.first, case.last, case.precision)


def test_no_condition_no_mark() -> None:
    for sentence in (
        "Troops will leave by March, if not sooner.",
        "It is unclear if the fund will grow by March, but the bank will cut rates in June.",
        "The regulator will decide whether to approve the merger by June.",
        "The company provided guidance and will report results on 3 March.",
    ):
        candidates = extract_candidates(
            sentence, published=PUBLISHED, tz=UTC_ZONE, include_conditional=True
        )
        assert candidates, sentence
        assert not any(candidate.conditional for candidate in candidates), sentence


def test_undated_forecasts_are_listed_only_when_asked_for() -> None:
    text = "The storm is expected to make landfall. The storm made landfall."
    assert extract_candidates(text, published=PUBLISHED, tz=UTC_ZONE) == []
    [undated] = extract_candidates(text, published=PUBLISHED, tz=UTC_ZONE, include_undated=True)
    assert undated.quote == "The storm is expected to make landfall."
    assert undated.due is None
    assert undated.to_json()["due_at"] is None
    assert undated.to_json()["precision"] is None


def test_a_heading_is_not_a_sentence_but_a_single_line_is() -> None:
    article = "Moscow to pull out of Syria by February 2025\n\nThe army will leave by March 2025."
    [candidate] = extract_candidates(article, published=PUBLISHED, tz=UTC_ZONE)
    assert candidate.due_text == "by March 2025"
    assert headline(article) == "Moscow to pull out of Syria by February 2025"
    [alone] = extract_candidates(
        "Moscow will pull out of Syria by February 2025", published=PUBLISHED, tz=UTC_ZONE
    )
    assert alone.due_text == "by February 2025"


WIRE_STORY = """Syria's new rulers set out a timetable

By Jane Doe
Published: 24 December 2024
Photo: Soldiers near Tartus. (Reuters)

BEIRUT (AP) \u2014 Russia will withdraw its remaining troops from Syria by February, two officials \
said on Tuesday. The U.S. State Department said on Monday it was "watching closely."

\u201cWe expect the handover of the bases to be complete by the end of January,\u201d the \
transport minister told reporters. He added that a new constitution could be drafted within a year.

Read more: Syria's new rulers plan elections within four years

The interim government, led by Mohammed al-Bashir, will stay in office until March 1. Elections, \
however, may not take place for up to four years, according to Ahmed al-Sharaa.
"""


def test_a_wire_story_without_its_heading_byline_caption_and_links() -> None:
    found = extract_candidates(WIRE_STORY, published=PUBLISHED, tz=UTC_ZONE)
    assert [(c.due_text, c.forecaster) for c in found] == [
        ("by February", "two officials"),
        ("by the end of January", "the transport minister"),
        ("within a year", None),
        ("until March 1", None),
    ]
    assert found[0].claim == "Russia will withdraw its remaining troops from Syria by February."
    assert found[2].claim == "A new constitution will be drafted within a year."
    assert headline(WIRE_STORY) == "Syria's new rulers set out a timetable"


def test_a_sentence_too_long_to_store_is_skipped() -> None:
    text = "Troops will leave by March 2025 " + "and more " * 300
    assert extract_candidates(text, published=PUBLISHED, tz=UTC_ZONE) == []


def test_a_repeated_sentence_is_one_candidate() -> None:
    sentence = "The army will leave by March 2025."
    assert len(extract_candidates(f"{sentence}\n{sentence}", published=PUBLISHED, tz=UTC_ZONE)) == 1


# The seed article -------------------------------------------------------------------------------


def test_the_seed_article_gives_exactly_the_three_seed_forecasts() -> None:
    seeds = tomllib.loads((SEEDS / "predictions.toml").read_text())["predictions"]
    candidates = extract_candidates(ARTICLE.read_text(), published=SEED_PUBLISHED, tz=UTC_ZONE)
    assert len(candidates) == len(seeds) == 3
    for candidate, seed in zip(candidates, seeds, strict=True):
        expected = due_window_from(
            due=seed["due"], window_start=None, due_at=None, precision=None, tz=UTC_ZONE
        )
        assert candidate.due == expected, seed["key"]
        assert candidate.due_text == seed["due_text"]
        assert seed["quote"] in candidate.quote
    assert [c.forecaster for c in candidates] == ["ISW", "Sources within Syria", None]


def test_the_seed_article_has_no_past_event_among_its_candidates() -> None:
    text = ARTICLE.read_text()
    quotes = [c.quote for c in extract_candidates(text, published=SEED_PUBLISHED, tz=UTC_ZONE)]
    for past in ("On December 8", "By December 7", "December 18", "November 27", "December 23"):
        assert not any(past in quote for quote in quotes), past


# Probability, forecaster, claim, sentences ------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "probability", "word", "band"), PROBABILITIES, ids=lambda v: str(v)[:40]
)
def test_hedge_words_imply_a_probability_by_icd_203(
    sentence: str, probability: float | None, word: str | None, band: str | None
) -> None:
    guess = estimate(sentence, find_cues(sentence))
    if probability is None:
        assert guess.probability is None
    else:
        assert guess.probability == pytest.approx(probability)
    if word is None:
        assert guess.basis is None
        return
    assert guess.basis is not None
    assert f"'{word}" in guess.basis.lower()
    if band:
        assert band in guess.basis


@pytest.mark.parametrize(("sentence", "due_text", "probability"), STATED, ids=lambda v: str(v)[:40])
def test_a_stated_probability_makes_a_forecast_without_a_modal_verb(
    sentence: str, due_text: str, probability: float
) -> None:
    [candidate] = extract_candidates(sentence, published=PUBLISHED, tz=UTC_ZONE)
    assert candidate.due_text == due_text
    assert candidate.probability == pytest.approx(probability, abs=0.001)


def test_an_implied_probability_is_never_called_the_forecasters_own() -> None:
    implied = estimate("Troops may leave by March.", find_cues("Troops may leave by March."))
    assert implied.basis == "implied by 'may' (ICD 203: roughly even chance 45-55%)"
    stated = "Analysts see a 70% chance that troops leave by March."
    own = estimate(stated, find_cues(stated))
    assert own.basis is not None
    assert "own number" in own.basis
    assert "implied" not in own.basis


@pytest.mark.parametrize(("sentence", "forecaster"), FORECASTERS, ids=lambda v: str(v)[:40])
def test_the_forecaster_is_who_the_sentence_attributes_it_to(
    sentence: str, forecaster: str | None
) -> None:
    assert find_forecaster(sentence) == forecaster


def test_the_forecaster_option_fills_in_where_a_sentence_names_no_one() -> None:
    text = "Inflation will fall to 2% by June. Prices will rise by March, the bank said."
    found = extract_candidates(text, published=PUBLISHED, tz=UTC_ZONE, forecaster="Desk A")
    assert [c.forecaster for c in found] == ["Desk A", "the bank"]


@pytest.mark.parametrize(("sentence", "claim"), CLAIMS, ids=lambda v: str(v)[:40])
def test_the_claim_drops_attribution_and_hedges(sentence: str, claim: str) -> None:
    mention = read_deadline(sentence, PUBLISHED)
    assert make_claim(sentence, mention.text if mention else None) == claim


def test_it_stands_for_the_previous_sentence_s_subject() -> None:
    text = (
        "Volkswagen reported a loss on Tuesday. "
        "It will not cut jobs before 2027, a spokesman said. "
        "The storm weakened. Officials said it may reach the coast by Friday."
    )
    claims = [c.claim for c in extract_candidates(text, published=PUBLISHED, tz=UTC_ZONE)]
    assert claims == [
        "Volkswagen will not cut jobs before 2027.",
        "It will reach the coast by Friday.",
    ]


@pytest.mark.parametrize(("text", "count"), SENTENCES, ids=lambda v: str(v)[:40])
def test_sentences_split_at_full_stops_not_abbreviations(text: str, count: int) -> None:
    sentences = split_sentences(text)
    assert len(sentences) == count, sentences
    assert " ".join(sentences) == " ".join(text.split())


# Any text: never an exception, never a window that ends before it opens --------------------------

_WORDS = [
    "by", "until", "in", "on", "before", "within", "next", "this", "the", "end", "of", "early",
    "mid-", "late", "Q3", "H1", "2025", "2199", "March", "May", "may", "3", "31", "29",
    "February", "Feb.", "Monday", "weekend", "week", "month", "year", "quarter", "half",
    "2030s", "summer", "fall", "Christmas", "new", "will", "could", "likely", "plans", "to",
    "is", "set", "to", "said", "had", ",", ".", "-", "\u2013", "99999999999", "days", "weeks",
    "two", "a", "and", "from", "now", "between", "12/31/2025", "2025-02-29", "31.12.2025",
    "first", "of", "last", "since", "ago", "year-end", "70%", "chance", "U.S.", "Dr.", "?",
    "\u201c"
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=25),
    days=st.integers(min_value=0, max_value=80_000),
    zone=st.sampled_from(["UTC", "Europe/Kyiv", "America/New_York", "Pacific/Kiritimati"]),
)
def test_any_text_gives_well_formed_windows(words: list[str], days: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    published = date(1990, 1, 1) + timedelta(days=days)
    text = " ".join(words)
    for candidate in extract_candidates(text, published=published, tz=tz, include_undated=True):
        due = candidate.due
        if due is None:
            continue
        # The store accepts only a due_at that ends a period at its precision, in the zone.
        assert due == due_window_from(
            due=None,
            window_start=due.window_start,
            due_at=due.due_at,
            precision=due.precision.value,
            tz=tz,
        )
        assert due.due_at.astimezone(tz).date() >= published


# Purity: the extractor reads no clock and touches no database ------------------------------------


def test_the_extractor_imports_no_database_http_or_clock() -> None:
    code = (
        "import sys, tracker.extract; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'httpx', 'dateparser', 'apscheduler') "
        "or m in ('tracker.clock', 'tracker.persistence.db', 'tracker.persistence.store',"
        " 'tracker.service')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_command_module_loads_the_extractor_only_when_run() -> None:
    code = "import sys, tracker.cli.extract; sys.exit('tracker.extract' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# The command -----------------------------------------------------------------------------------


def _extract(cli: Callable[..., Result], *args: str | Path) -> Result:
    return cli("extract", *args)


def test_extract_json_prints_the_three_seed_forecasts(cli: Callable[..., Result]) -> None:
    result = _extract(cli, ARTICLE, "--published", "2024-12-24", "--json")
    assert result.code == 0, result.err
    found = result.json()
    assert [c["due_text"] for c in found] == [
        "by February 2025",
        "by February 20, 2025",
        "until March 2025",
    ]
    assert [(c["due_at"], c["window_start"], c["precision"]) for c in found] == [
        ("2025-02-28T23:59:59.999999Z", None, "month"),
        ("2025-02-20T23:59:59.999999Z", None, "day"),
        ("2025-03-31T23:59:59.999999Z", "2025-03-01T00:00:00Z", "month"),
    ]
    assert set(found[0]) == {
        "quote", "claim", "due_at", "window_start", "precision", "due_text", "probability",
        "probability_basis", "forecaster", "conditional",
    }  # fmt: skip
    assert found[0]["conditional"] is False
    assert found[1]["probability"] == 0.5
    assert found[1]["probability_basis"] == "implied by 'may' (ICD 203: roughly even chance 45-55%)"


def test_extract_reads_stdin(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Talks will resume next week."))
    result = _extract(cli, "-", "--published", "2024-12-24", "--json")
    assert result.code == 0, result.err
    [candidate] = result.json()
    assert (candidate["window_start"], candidate["precision"]) == ("2024-12-30T00:00:00Z", "week")


def test_extract_prints_a_table(cli: Callable[..., Result]) -> None:
    result = _extract(cli, ARTICLE, "--published", "2024-12-24")
    assert result.code == 0, result.err
    for text in ("February 2025", "20 February 2025", "March 2025", "ISW", "~50%"):
        assert text in result.out
    none = _extract(cli, ARTICLE, "--published", "2026-01-01")
    assert none.code == 0
    assert "No forecasts with a deadline found" in none.out


def test_extract_include_undated_and_forecaster(cli: Callable[..., Result]) -> None:
    result = _extract(
        cli, ARTICLE, "--published", "2024-12-24", "--json", "--include-undated",
        "--forecaster", "Caliber.Az",
    )  # fmt: skip
    assert result.code == 0, result.err
    found = result.json()
    assert len(found) > 3
    undated = [c for c in found if c["due_at"] is None]
    assert undated
    assert all(c["precision"] is None and c["due_text"] is None for c in undated)
    assert [c["forecaster"] for c in found if c["due_text"] == "until March 2025"] == ["Caliber.Az"]


def test_extract_include_conditional_marks_them(cli: Callable[..., Result], tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        "If the levee holds, the town will reopen its school by March. "
        "The bridge will reopen in May."
    )
    plain = _extract(cli, article, "--published", "2024-12-24", "--json")
    assert [c["due_text"] for c in plain.json()] == ["in May"]
    assert plain.json()[0]["conditional"] is False
    marked = _extract(cli, article, "--published", "2024-12-24", "--json", "--include-conditional")
    assert marked.code == 0, marked.err
    assert [(c["due_text"], c["conditional"]) for c in marked.json()] == [
        ("by March", True),
        ("in May", False),
    ]


def test_a_conditional_forecast_is_stored_with_the_tag_conditional() -> None:
    from tracker.news.articles import candidate_records

    text = "If the levee holds, the school will reopen by March. The bridge will reopen in May."
    found = extract_candidates(text, published=PUBLISHED, tz=UTC_ZONE, include_conditional=True)
    records = candidate_records(found, source={})
    assert [("conditional" in r["tags"]) for r in records] == [True, False]
    assert all("conditional" not in r for r in records)  # a tag, not a field of a prediction


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("missing.txt", "--published", "2024-12-24"), "", "no such file"),
        (("-", "--published", "24/12/2024"), "Talks will resume next week.", "--published"),
        (("-", "--published", "2024-12"), "Talks will resume next week.", "--published"),
        (("-", "--published", "2024-12-24"), "  \n ", "holds no text"),
        (("-", "--published", "2024-12-24", "--source-url", "ftp://x"), "Hi.", "--source-url"),
        (("-",), "Talks will resume next week.", "--published"),
    ],
)
def test_extract_refuses_bad_input_in_one_line(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert_one_line_error(_extract(cli, *args), contains=message)


def test_extract_refuses_a_folder_and_binary_files(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert_one_line_error(_extract(cli, tmp_path, "--published", "2024-12-24"), contains="folder")
    binary = tmp_path / "a.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert_one_line_error(_extract(cli, binary, "--published", "2024-12-24"), contains="text")


def test_extract_json_is_valid_for_an_article_without_forecasts(cli: Callable[..., Result]) -> None:
    path = Path("plain.txt")
    path.write_text("The river dried up in the summer of 2024.\n")
    result = _extract(cli, path, "--published", "2024-12-24", "--json")
    assert result.code == 0
    assert json.loads(result.out) == []
