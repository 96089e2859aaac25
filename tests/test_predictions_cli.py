"""Adding, listing, showing, resolving and reopening through the real entry point."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from freezegun import freeze_time

from tests.conftest import Result, assert_one_line_error, count_rows

ADD = ("add", "Parliament passes the budget", "--due", "2025-06")


@freeze_time("2025-01-10 12:00:00")
def test_add_stores_every_field(cli: Callable[..., Result]) -> None:
    result = cli(
        "add", "The ceasefire holds", "--due", "Feb 20, 2025", "--forecaster", "Desk A",
        "--probability", "70%", "--source-url", "https://example.org/a", "--source-title",
        "A report", "--source-published", "2025-01-02", "--quote", "It will hold.",
        "--tag", "Syria", "--tag", "ceasefire", "--key", "ceasefire-holds", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    added = result.json()
    shown = cli("show", str(added["id"]), "--json").json()
    assert shown["claim"] == "The ceasefire holds"
    assert shown["key"] == "ceasefire-holds"
    assert shown["probability"] == pytest.approx(0.7)
    assert shown["due_at"] == "2025-02-20T23:59:59.999999Z"
    assert shown["precision"] == "day"
    assert shown["due_label"] == "20 February 2025"
    assert shown["due_text"] == "by 20 February 2025"
    assert shown["tags"] == ["ceasefire", "syria"]
    assert shown["status"] == "open"
    assert shown["outcome"] is None
    assert shown["source"] == {
        "title": "A report",
        "url": "https://example.org/a",
        "publisher": None,
        "author": None,
        "published_at": "2025-01-02T00:00:00Z",
    }
    assert shown["created_at"] == "2025-01-10T12:00:00Z"
    assert shown["resolutions"] == []


def test_add_prints_a_readable_line(cli: Callable[..., Result]) -> None:
    with freeze_time("2025-05-30 00:00:00"):
        result = cli(*ADD)
    assert result.code == 0, result.err
    assert "Added #1" in result.out
    assert "due June 2025 (due in 31 days)" in result.out


def test_key_defaults_to_a_stable_readable_one(cli: Callable[..., Result]) -> None:
    first = cli(*ADD, "--json").json()
    assert first["key"].startswith("parliament-passes-the-budget-")
    assert_one_line_error(cli(*ADD), contains="exists already")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--probability", "1.5"), "--probability"),
        (("--probability", "abc"), "not a number"),
        (("--probability", "nan"), "outside [0, 1]"),
        (("--due", "whenever"), "2025-02-20"),  # names the accepted forms
        (("--due", "2025-02-30"), "--due"),
        (("--window-start", "2025-07-01"), "after"),
        (("--source-url", "ftp://example.org"), "not an http(s) URL"),
        (("--key", "12"), "bare number"),
        (("--key", "bad key"), "--key"),
        (("--tag", "a;b"), "--tag:"),
        (("--source-url", "x"), "--source-url:"),
        (("--source-published", "never"), "--source-published:"),
        (("--window-start", "garbage"), "--window-start:"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    cli: Callable[..., Result], database_url: str, args: tuple[str, ...], message: str
) -> None:
    assert cli("db", "upgrade").code == 0
    result = cli(*ADD, *args)
    assert_one_line_error(result, contains=message)
    assert count_rows(database_url, "prediction") == 0
    assert count_rows(database_url, "source") == 0


def test_windows_and_precisions(cli: Callable[..., Result]) -> None:
    quarter = cli("add", "Q", "--due", "2025-Q1", "--json").json()
    assert (quarter["due_at"], quarter["precision"], quarter["due_label"]) == (
        "2025-03-31T23:59:59.999999Z", "quarter", "Q1 2025",
    )  # fmt: skip
    window = cli("add", "W", "--due", "2025-03-01..2025-03-31", "--json").json()
    assert window["window_start"] == "2025-03-01T00:00:00Z"
    assert window["due_at"] == "2025-03-31T23:59:59.999999Z"
    assert window["precision"] == "day"
    during = cli("add", "M", "--due", "in March 2025", "--json").json()
    assert (during["window_start"], during["due_label"]) == ("2025-03-01T00:00:00Z", "March 2025")
    instant = cli("add", "I", "--due", "2025-02-20T18:00+02:00", "--json").json()
    assert (instant["due_at"], instant["precision"]) == ("2025-02-20T16:00:00Z", "instant")


@freeze_time("2025-02-25 00:00:00")
def test_list_filters_by_status_forecaster_and_tag(seeded: Callable[..., Result]) -> None:
    def keys(*args: str) -> list[str]:
        result = seeded("list", *args, "--json")
        assert result.code == 0, result.err
        return [p["key"] for p in result.json()]

    assert keys("--status", "overdue") == ["syria-demands-russian-withdrawal-2025-02-20"]
    assert keys("--status", "due-soon") == ["russia-full-withdrawal-from-syria-2025-02"]
    assert len(keys()) == 3  # open is the default
    assert keys("--forecaster", "isw") == ["russia-full-withdrawal-from-syria-2025-02"]
    assert keys("--tag", "politics") == ["syria-interim-government-rules-until-2025-03"]
    assert seeded("resolve", "1", "yes").code == 0
    assert keys("--status", "resolved") == ["russia-full-withdrawal-from-syria-2025-02"]
    assert len(keys()) == 2
    assert len(keys("--status", "all")) == 3
    assert_one_line_error(seeded("list", "--status", "late"), contains="late")


def test_list_table_shows_deadlines_as_written(seeded: Callable[..., Result]) -> None:
    with freeze_time("2025-03-10 00:00:00"):
        result = seeded("list", "--status", "all")
    assert result.code == 0
    assert "February 2025" in result.out
    assert "20 February 2025" in result.out
    assert "March 2025" in result.out
    assert "overdue by 17 days" in result.out  # from the end of 20 February to 10 March
    assert "window" not in result.out  # March 2025 has opened


def test_resolve_reopen_keeps_history(seeded: Callable[..., Result]) -> None:
    ref = "syria-demands-russian-withdrawal-2025-02-20"
    with freeze_time("2025-03-01 09:00:00"):
        result = seeded(
            "resolve", ref, "no", "--note", "No such demand was reported.",
            "--evidence", "https://example.org/e", "--by", "alice",
        )  # fmt: skip
    assert result.code == 0, result.err
    assert "Resolved #2" in result.out
    shown = seeded("show", ref, "--json").json()
    assert (shown["status"], shown["outcome"]) == ("resolved", "no")
    assert shown["resolved_at"] == "2025-03-01T09:00:00Z"
    assert shown["resolutions"][0]["resolved_by"] == "alice"
    assert shown["resolutions"][0]["via"] == "cli"

    assert_one_line_error(seeded("resolve", ref, "yes"), contains="already resolved no")
    assert seeded("show", ref, "--json").json()["outcome"] == "no"

    with freeze_time("2025-03-02 09:00:00"):
        assert seeded("resolve", ref, "yes", "--force", "--occurred-on", "2025-02-19").code == 0
    shown = seeded("show", ref, "--json").json()
    assert (shown["outcome"], shown["occurred_on"]) == ("yes", "2025-02-19")
    assert [r["outcome"] for r in shown["resolutions"]] == ["no", "yes"]
    assert shown["resolutions"][0]["superseded_at"] == "2025-03-02T09:00:00Z"
    assert shown["resolutions"][1]["resolved_by"] == "tester"  # the user name by default

    with freeze_time("2025-03-03 09:00:00"):
        reopened = seeded("reopen", ref, "--note", "The report was retracted.")
    assert reopened.code == 0, reopened.err
    shown = seeded("show", ref, "--json").json()
    assert (shown["status"], shown["outcome"]) == ("open", None)
    assert len(shown["resolutions"]) == 2
    assert shown["resolutions"][1]["superseded_note"] == "The report was retracted."
    assert_one_line_error(seeded("reopen", ref), contains="open already")

    assert seeded("resolve", ref, "annulled").code == 0
    shown = seeded("show", ref, "--json").json()
    assert (shown["status"], shown["outcome"]) == ("annulled", "annulled")
    table = seeded("show", ref)
    assert "superseded" in table.out
    assert "annulled" in table.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("resolve", "99", "yes"), "no prediction has id 99"),
        (("resolve", "no-such-key", "yes"), "no prediction has key 'no-such-key'"),
        (("resolve", "1", "maybe"), "maybe"),
        (("resolve", "1", "yes", "--occurred-on", "2999-01-01"), "in the future"),
        (("resolve", "1", "yes", "--occurred-on", "2025-02"), "--occurred-on"),
        (("resolve", "1", "yes", "--evidence", "not-a-url"), "--evidence"),
        (("show", "99"), "no prediction has id 99"),
        (("reopen", "1"), "open already"),
        (("add",), "missing argument"),
        (("frobnicate",), "frobnicate"),
    ],
)
def test_bad_references_and_arguments(
    seeded: Callable[..., Result], database_url: str, args: tuple[str, ...], message: str
) -> None:
    assert_one_line_error(seeded(*args), contains=message)
    assert count_rows(database_url, "resolution") == 0
