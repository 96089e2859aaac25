"""Extraction at the edges: long articles (work per sentence stays the same), publication
dates near the ends of the calendar, and control characters pasted with an article."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracker.cli.extract  # noqa: F401 - registers the command
from tests.conftest import Result, assert_one_line_error, count_rows
from tests.test_extract import _WORDS, ARTICLE
from tracker.extract import extract_candidates, headline, split_sentences
from tracker.extract import sentences as sentences_module

UTC_ZONE = ZoneInfo("UTC")


# Long articles ----------------------------------------------------------------------------------


def test_each_sentence_boundary_reads_a_bounded_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a full stop ends a sentence depends on a few characters around it. The check
    was handed the whole paragraph and searched all the text before each full stop, so an
    article of one long paragraph took time quadratic in its sentences (40,000: minutes)."""
    sizes: list[int] = []
    decide = sentences_module._is_abbreviation

    def spy(*args: Any) -> bool:
        sizes.append(max(len(arg) for arg in args if isinstance(arg, str)))
        return decide(*args)

    monkeypatch.setattr(sentences_module, "_is_abbreviation", spy)
    count = 3000
    paragraph = " ".join(
        f"Dr. Smith met the U.S. Navy {n} on Feb. 3. It rained." for n in range(count)
    )
    found = split_sentences(paragraph)
    assert len(found) == 2 * count  # "Dr.", "U.S." and "Feb. 3" end no sentence
    assert len(sizes) == 5 * count - 1  # every full stop was decided by the check
    assert max(sizes) <= 64  # and none saw more than a few words, however long the text


def test_a_long_word_before_a_full_stop_is_no_abbreviation() -> None:
    initials = ".".join("abcdefghijklmnopqrstuvwxyz") + "."  # 52 characters
    assert split_sentences(f"It was {initials} The end.") == [f"It was {initials}", "The end."]
    assert split_sentences("Ask the U.S. Treasury. The end.") == [
        "Ask the U.S. Treasury.",
        "The end.",
    ]


# Publication dates near the ends of the calendar ------------------------------------------------


@pytest.mark.parametrize(
    ("published", "text"),
    [
        (date(9998, 12, 1), "The army will leave by the end of next year."),
        (date(9999, 12, 31), "Talks will resume next week and end by 2026."),
        (date(1, 1, 1), "The deal was signed last year and expires in two weeks."),
    ],
)
def test_a_deadline_beyond_the_calendar_gives_no_candidate(published: date, text: str) -> None:
    assert extract_candidates(text, published=published, tz=ZoneInfo("Pacific/Kiritimati")) == []


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=20),
    days=st.integers(min_value=0, max_value=1500),
    at_the_end=st.booleans(),
    zone=st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/New_York"]),
)
def test_any_text_published_near_either_end_of_the_calendar_is_read_without_error(
    words: list[str], days: int, at_the_end: bool, zone: str
) -> None:
    published = date.max - timedelta(days=days) if at_the_end else date.min + timedelta(days=days)
    text = " ".join(words)
    for candidate in extract_candidates(
        text, published=published, tz=ZoneInfo(zone), include_undated=True
    ):
        assert (
            candidate.due is None
            or candidate.due.window_start is None
            or (candidate.due.window_start <= candidate.due.due_at)
        )


def _extract(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, text: str, *args: str
) -> Result:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    return cli("extract", "-", *args)


@pytest.mark.parametrize("published", ["9998-12-01", "0001-01-01", "9999-12-31", "0999-12-31"])
def test_extract_refuses_a_publication_day_outside_the_years_of_deadlines(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, published: str
) -> None:
    text = "The army will leave by the end of next year."
    result = _extract(cli, monkeypatch, text, "--published", published, "--add")
    assert_one_line_error(result, contains="--published")


def test_extract_leaves_out_a_deadline_no_prediction_may_have(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    text = "The army will leave by the end of next year. The fleet will sail within two years."
    result = _extract(cli, monkeypatch, text, "--published", "8999-12-01", "--add", "--json")
    assert result.code == 0, result.err
    assert [c["due_text"] for c in result.json()] == ["by the end of next year"]
    assert count_rows(database_url, "prediction") == 1


# Control characters in an article -------------------------------------------------------------


def test_control_characters_in_an_article_are_dropped_not_refused() -> None:
    text = (
        "Pasted \x1b]0;PWNED\x07headline\n\n"
        "The army \x1b[2Jwill leave by \u202eMarch 2026\u202c, officials\x9b said.\x7f"
    )
    [candidate] = extract_candidates(text, published=date(2025, 1, 1), tz=UTC_ZONE)
    assert candidate.quote == "The army [2Jwill leave by March 2026, officials said."
    assert candidate.due_text == "by March 2026"
    assert candidate.forecaster == "officials"
    assert headline(text) == "Pasted ]0;PWNEDheadline"


def test_extract_stores_an_article_with_control_characters_cleaned(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "The army \x1b]0;PWNED\x07will leave by March 2026.\n"
    result = _extract(cli, monkeypatch, text, "--published", "2025-01-01", "--add")
    assert result.code == 0, result.err
    assert "\x1b" not in result.out
    [stored] = cli("list", "--json").json()
    assert stored["claim"] == "The army ]0;PWNEDwill leave by March 2026."


@pytest.mark.parametrize(
    ("option", "value"),
    [("--forecaster", "Desk\x1b[2J"), ("--source-title", "A \u202etitle")],
)
def test_extract_refuses_control_characters_in_its_options(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    option: str,
    value: str,
) -> None:
    assert cli("db", "upgrade").code == 0
    text = "The army will leave by March 2026.\n"
    result = _extract(cli, monkeypatch, text, "--published", "2025-01-01", "--add", option, value)
    assert_one_line_error(result, contains=f"{option} must not contain control characters")
    assert count_rows(database_url, "prediction") == 0


# Storing what was found (--add) ---------------------------------------------------------------


def test_extract_add_stores_them_once_with_the_article_as_source(
    cli: Callable[..., Result],
) -> None:
    args = (ARTICLE, "--published", "2024-12-24", "--add", "--source-url", "https://caliber.az/x")
    first = cli("extract", *args)
    assert first.code == 0, first.err
    assert "3 created, 0 updated, 0 unchanged" in first.out
    again = cli("extract", *args, "--json")
    assert again.code == 0, again.err
    assert len(again.json()) == 3  # stdout stays JSON; the report goes to stderr
    assert "0 created, 0 updated, 3 unchanged" in again.err
    stored = cli("list", "--json").json()
    assert [p["due_text"] for p in stored] == [
        "by February 20, 2025",
        "by February 2025",
        "until March 2025",
    ]
    source = stored[0]["source"]
    assert source["url"] == "https://caliber.az/x"
    assert source["title"] == "ISW: Moscow plans full military pullout from Syria by February 2025"
    assert source["published_at"] == "2024-12-24T00:00:00Z"
    assert stored[1]["forecaster"] == "ISW"
    assert stored[1]["probability"] == 0.675
    assert stored[1]["tags"] == ["extracted", "implied-probability"]


def test_extract_add_from_stdin_without_a_title_is_idempotent(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Officials expect the bridge to reopen by June 2025. It may close again later."
    for expected in ("1 created", "1 unchanged"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
        result = cli("extract", "-", "--published", "2024-12-24", "--add", "--include-undated")
        assert result.code == 0, result.err
        assert expected in result.out
        assert "1 without a date not stored" in result.out
    [stored] = cli("list", "--json").json()
    assert stored["probability"] == 0.675
