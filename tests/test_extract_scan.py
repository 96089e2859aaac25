"""The time-expression scan runs only the patterns whose words are in the sentence: it must
find exactly what running every pattern finds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import chain
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extract_cases import PHRASES
from tests.extract_dev_articles import ARTICLES
from tests.extract_dev_sentences import SENTENCES_PART_1
from tests.extract_dev_sentences_2 import SENTENCES_PART_2
from tracker.extract import extract_candidates, phrases, split_sentences
from tracker.extract.phrases import find_expressions, words_present
from tracker.extract.readings import Anchor, Found, Reading

pytestmark = pytest.mark.no_database

_EVERY_WORD = set().union(*(needs for _, _, needs in phrases._COMPILED))
_ANCHORS = [Anchor(date(2024, 12, 24)), Anchor(date(2025, 7, 2), ahead=True)]


def _comparable(found: list[Found]) -> list[tuple[int, int, Reading, bool]]:
    # A reading's `remake` is a new closure each time, equal only to itself.
    return [(f.start, f.end, replace(f.reading, remake=None), f.reading.remake is None)
            for f in found]  # fmt: skip


def _gated(sentence: str, anchor: Anchor) -> list[tuple[int, int, Reading, bool]]:
    return _comparable(find_expressions(sentence, anchor))


def _every_pattern(sentence: str, anchor: Anchor) -> list[tuple[int, int, Reading, bool]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(phrases, "words_present", lambda _sentence: _EVERY_WORD)
        return _comparable(find_expressions(sentence, anchor))


def _sentences() -> list[str]:
    labelled = [s.text for s in chain(SENTENCES_PART_1, SENTENCES_PART_2)]
    articles = [s for article in ARTICLES for s in split_sentences(article.text)]
    return labelled + articles + [case.phrase for case in PHRASES]


def test_the_gate_finds_what_every_pattern_finds() -> None:
    sentences = _sentences()
    assert len(sentences) > 500
    found_any = 0
    for sentence in sentences:
        for anchor in _ANCHORS:
            gated = _gated(sentence, anchor)
            assert gated == _every_pattern(sentence, anchor), sentence
            found_any += bool(gated)
    assert found_any > len(sentences)  # the comparison is of sentences with dates in them


_PIECES = st.sampled_from(
    [" ", ", ", ". ", "-", "'s ", "the ", "by ", "Sept.", "MAY", "may", "\u212aelvin", "\u017fept",
     "2025", "3", "31st", "Q3", "2h", "H1", "quarter", "half", "next", "week", "weekend", "end",
     "year-end", "Monday", "Christmas", "New Year", "spring", "fall", "fortnight", "days",
     "tomorrow", "within", "of", "_", "é", "\u0130", "from now", "APR\u0130L", "th\u0131s",
     "\u0345", "tomorrow\u0345", "\u017fpring"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_the_gate_holds_on_any_text(text: str) -> None:
    assert _gated(text, _ANCHORS[0]) == _every_pattern(text, _ANCHORS[0])


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("Due by Sept. 5", {"due", "by", "sept", "#"}),
        ("Q3", {"q", "#"}),
        ("\u212aelvin", {"kelvin"}),  # the Kelvin sign: "k" in lower case, as IGNORECASE reads it
        ("\u017fept", None),  # the long s: IGNORECASE reads "sept"; lower case does not
        ("APR\u0130L", None),  # "İ" is two characters in lower case
        ("tomorrow\u0345", {"tomorrow"}),  # a combining mark is no letter: \b stands before it
        ("year-end", {"year", "end"}),
    ],
)
def test_words_present(sentence: str, words: set[str] | None) -> None:
    assert words_present(sentence) == words


@pytest.mark.parametrize(
    ("sentence", "due_text", "precision"),
    [
        ("The plant will open by APR\u0130L 2026.", "by APR\u0130L 2026", "month"),
        ("Sales will rise th\u0131s year.", "th\u0131s year", "year"),
        ("Work will be done by tomorrow\u0345.", "by tomorrow", "day"),
        ("The bridge will reopen in \u017fpring.", "in \u017fpring", "season"),
        ("The vote will be held on Fr\u0131day.", "on Fr\u0131day", "day"),
    ],
)
def test_letters_ignorecase_reads_as_ascii_ones_are_read_as_them(
    sentence: str, due_text: str, precision: str
) -> None:
    [found] = extract_candidates(sentence, published=date(2025, 3, 4), tz=ZoneInfo("UTC"))
    assert found.due_text == due_text
    assert found.due is not None
    assert found.due.precision.value == precision
