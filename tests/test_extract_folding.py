"""Case-blind scans on lowered text find exactly what IGNORECASE scans find."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.extract import cues, mentions, phrases
from tracker.extract.folding import CaseBlind, lowered

pytestmark = pytest.mark.no_database

_PATTERNS = [
    *(pattern for pattern, _, _ in phrases._COMPILED),
    *(pattern for pattern, _, _ in cues._COMPILED),
    mentions._PREFIX,
]
_PIECES = st.sampled_from(
    [" ", ", ", ". ", "-", "\u2019", "May", "MAY", "may", "Sept.", "\u212aelvin", "\u017fhall",
     "\u0131s", "WILL", "will", "L\u0131kely", "expected to", "EXPECTED", "\u0130stanbul", "2025",
     "Q3", "next WEEK", "the 15th", "\u00c9mile", "stra\u00dfe", "\u03a3", "by", "half", "end",
     "BY THE END OF", "Its ", "Tesla's "]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_lowered_text_matches_where_ignorecase_does(text: str) -> None:
    low = lowered(text)
    for pattern in _PATTERNS:
        spans = [m.span() for m in pattern.finditer(text, low)]
        assert spans == [m.span() for m in pattern.exact.finditer(text)], pattern.exact.pattern
        for scanned in pattern.finditer(text, low):
            assert pattern.as_written(text, scanned).group() == text[slice(*scanned.span())]
        for pos in range(len(text) + 1):
            found, exact = pattern.match(text, low, pos), pattern.exact.match(text, pos)
            assert (found and found.span()) == (exact and exact.span())


@pytest.mark.parametrize(
    ("text", "low"),
    [
        ("Will \u212aeep", "will keep"),  # the Kelvin sign lower-cases to k, as IGNORECASE reads it
        ("\u0130stanbul", None),  # two characters in lower case: the spans would move
        ("\u0131s", None),  # IGNORECASE equates the dotless i with i; lower() does not
        ("\u017fhall", None),  # the long s
    ],
)
def test_lowered(text: str, low: str | None) -> None:
    assert lowered(text) == low


def test_a_case_blind_pattern_is_written_in_lower_case() -> None:
    with pytest.raises(ValueError, match="lower case"):
        CaseBlind.compile(r"\bMay\b")
    named = CaseBlind.compile(r"(?P<Month>\w+)\S").lower
    assert named is not None
    assert named.pattern == r"(?P<Month>\w+)\S"
    assert CaseBlind.compile(r"\b(?-i:may)\b").lower is None  # minds case: the text as written
