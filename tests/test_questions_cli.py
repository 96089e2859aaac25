"""`tracker add`, `forecast`, `edit`, `list` and `show` for questions with several forecasts."""

from __future__ import annotations

from collections.abc import Callable

from freezegun import freeze_time

from tests.conftest import Result, assert_one_line_error, count_rows

NOW = "2025-01-10T12:00:00Z"


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


@freeze_time(NOW)
def test_add_states_the_first_forecast_and_criteria(cli: Callable[..., Result]) -> None:
    _ok(cli("add", "Russia leaves Syria", "--due", "February 2025", "--key", "q",
            "--forecaster", "ISW", "--probability", "7:3", "--made-at", "2024-12-24",
            "--criteria", "Both bases handed over", "--source-url", "https://e.org/a"))  # fmt: skip
    shown = _ok(cli("show", "q", "--json")).json()
    assert shown["criteria"] == "Both bases handed over"
    assert (shown["forecaster"], shown["probability"]) == ("ISW", 0.7)
    [forecast] = shown["forecasts"]
    assert forecast["made_at"] == "2024-12-24T00:00:00Z"
    assert (forecast["forecaster"], forecast["source_url"]) == ("ISW", "https://e.org/a")
    assert [s["url"] for s in shown["sources"]] == ["https://e.org/a"]
    assert shown["versions"] == []
    # Without --made-at: made now.
    _ok(
        cli("add", "B", "--due", "2025-03", "--key", "b", "--forecaster", "A", "--probability", "1")
    )
    assert _ok(cli("show", "b", "--json")).json()["forecasts"][0]["made_at"] == NOW
    for args, flag in (
        (("--made-at", "2025-03-02"), "--made-at"),  # after the deadline
        (("--made-at", "2026-01-01"), "--made-at"),  # in the future
        (("--made-at", "soon"), "--made-at"),
    ):
        result = cli(
            "add", "C", "--due", "2025-02", "--forecaster", "A", "--probability", "0.5", *args
        )
        assert_one_line_error(result)
        assert flag in result.err or "closed" in result.err or "future" in result.err
    assert count_rows_of(cli) == 2


def count_rows_of(cli: Callable[..., Result]) -> int:
    return len(_ok(cli("list", "--status", "all", "--json")).json())


@freeze_time(NOW)
def test_forecasts_are_recorded_listed_and_shown(
    cli: Callable[..., Result], database_url: str
) -> None:
    _ok(cli("add", "Russia leaves Syria", "--due", "February 2025", "--key", "q"))
    said = _ok(cli("forecast", "q", "35%", "--by", "ISW", "--at", "2025-01-02",
                   "--basis", "implied by 'may'"))  # fmt: skip
    assert said.out.strip() == "Recorded ISW's forecast on #1 q: 35%, made 2025-01-02 00:00 UTC."
    listed = _ok(cli("list"))
    assert "ISW 35%" in listed.out
    printed = _ok(cli("forecast", "q", "0.6", "--by", "Desk", "--note", "news", "--json")).json()
    assert (printed["forecaster"], printed["probability"], printed["made_at"]) == ("Desk", 0.6, NOW)
    assert printed["note"] == "news"
    _ok(cli("forecast", "q", "1:3", "--by", "ISW", "--at", "2025-01-05T10:00:00+02:00"))
    assert "ISW 25%, Desk 60%" in _ok(cli("list")).out
    item = _ok(cli("list", "--json")).json()[0]
    assert (item["forecaster"], item["probability"]) == ("ISW", 0.35)  # as first stated
    assert item["forecasts"] == [
        {"forecaster": "ISW", "probability": 0.25, "made_at": "2025-01-05T08:00:00Z"},
        {"forecaster": "Desk", "probability": 0.6, "made_at": NOW},
    ]
    assert [p["key"] for p in _ok(cli("list", "--forecaster", "desk", "--json")).json()] == ["q"]
    _ok(cli("forecast", "q", "0.1", "--by", "Third"))
    assert "3 forecasters" in _ok(cli("list")).out
    shown = _ok(cli("show", "q")).out
    # Each forecaster's forecasts in order, with the note and basis.
    assert shown.index("ISW 35% on 2025-01-02") < shown.index("25% on 2025-01-05T08:00")
    assert shown.index("25% on 2025-01-05") < shown.index("Desk 60%")
    assert "implied by 'may'" in shown
    assert "news" in shown
    assert count_rows(database_url, "forecast") == 4


@freeze_time(NOW)
def test_a_bad_forecast_is_one_line_and_writes_nothing(
    cli: Callable[..., Result], database_url: str
) -> None:
    _ok(cli("add", "A", "--due", "2025-02", "--key", "q"))
    _ok(cli("add", "Past", "--due", "2025-01-05", "--key", "past"))
    for args, contains in (
        (("q", "1.5", "--by", "A"), "PROBABILITY"),
        (("q", "0:0", "--by", "A"), "PROBABILITY"),
        (("q", "seventy", "--by", "A"), "PROBABILITY"),
        (("q", "0.5", "--by", ""), "--by"),
        (("q", "0.5", "--by", "A", "--at", "2025-01-11"), "future"),
        (("q", "0.5", "--by", "A", "--at", "yesterday-ish"), "--at"),
        (("q", "0.5", "--by", "A", "--source-url", "ftp://x"), "--source-url"),
        (("past", "0.5", "--by", "A"), "closed"),
        (("nope", "0.5", "--by", "A"), "no prediction has key"),
        (("q", "0.5"), "--by"),
    ):
        assert_one_line_error(cli("forecast", *args), contains=contains)
    _ok(cli("resolve", "q", "yes"))
    assert_one_line_error(cli("forecast", "q", "0.5", "--by", "A"), contains="closed")
    assert count_rows(database_url, "forecast") == 0


@freeze_time(NOW)
def test_edit_keeps_versions_and_refuses_what_it_cannot_do(
    cli: Callable[..., Result], database_url: str
) -> None:
    _ok(cli("add", "Russia leaves", "--due", "February 2025", "--key", "q", "--tag", "syria"))
    assert_one_line_error(cli("edit", "q", "--claim", "X"), contains="--note")
    assert_one_line_error(cli("edit", "q", "--note", "why"), contains="nothing to change")
    assert_one_line_error(cli("edit", "q", "--due", "sometime", "--note", "w"), contains="")
    changes = ("--claim", "Russia leaves Syria", "--tag", "russia", "--untag", "syria",
               "--criteria", "Both bases")  # fmt: skip
    said = _ok(cli("edit", "q", *changes, "--note", "sharper"))
    assert "Edited #1 q (version 2)" in said.out
    _ok(cli("edit", "q", "--due", "2025-06", "--note", "slipped"))
    shown = _ok(cli("show", "q", "--json")).json()
    assert (shown["claim"], shown["criteria"], shown["tags"]) == (
        "Russia leaves Syria", "Both bases", ["russia"]
    )  # fmt: skip
    assert shown["due_label"] == "June 2025"
    assert [(v["version"], v["note"], v["snapshot"]["claim"]) for v in shown["versions"]] == [
        (1, "sharper", "Russia leaves"), (2, "slipped", "Russia leaves Syria"),
    ]  # fmt: skip
    text = _ok(cli("show", "q")).out
    assert "Version 1" in text
    assert "sharper" in text
    _ok(cli("resolve", "q", "no"))
    assert_one_line_error(cli("edit", "q", "--due", "2025-07", "--note", "n"), contains="--force")
    _ok(cli("edit", "q", "--due", "2025-07", "--note", "n", "--force"))
    assert count_rows(database_url, "question_version") == 3
