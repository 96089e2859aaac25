"""`tracker summary`'s scores over time, end to end: time-weighted and relative Brier beside the
plain scores, --by horizon, and the ranking's warnings (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import Result

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def _summary(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    with freeze_time(NOW):
        summary: dict[str, Any] = _ok(cli("summary", "--json", *args)).json()
    return summary


def _question(cli: Callable[..., Result], key: str, due: str, *forecasts: str) -> None:
    """A question, then forecasts given as "NAME P WHEN" strings."""
    with freeze_time(NOW):
        _ok(cli("add", f"Claim {key}", "--due", due, "--key", key))
        for forecast in forecasts:
            name, probability, made_at = forecast.split()
            _ok(cli("forecast", key, probability, "--by", name, "--at", made_at))


@pytest.fixture
def syria(cli: Callable[..., Result]) -> Callable[..., Result]:
    """The README's worked example: closed at the end of February 2025, resolved no."""
    _question(cli, "syria", "2025-02",
              "ISW 0.6 2024-12-24", "Desk 0.3 2025-01-03", "ISW 0.4 2025-01-20",
              "Desk 0.1 2025-01-28", "ISW 0.2 2025-02-10")  # fmt: skip
    with freeze_time(NOW):
        _ok(cli("resolve", "syria", "no"))
    return cli


def test_the_readme_worked_example(syria: Callable[..., Result]) -> None:
    s = _summary(syria, "--by", "forecaster")
    groups = {g["name"]: g for g in s["groups"]}
    isw, desk = groups["ISW"], groups["Desk"]
    # Days held: ISW 27 at 0.6, 21 at 0.4, 19 at 0.2; the desk 25 at 0.3, 32 at 0.1.
    assert isw["time_weighted"]["n"] == 1
    assert isw["time_weighted"]["brier"] == pytest.approx((27 * 0.36 + 21 * 0.16 + 19 * 0.04) / 67)
    assert desk["time_weighted"]["brier"] == pytest.approx((25 * 0.09 + 32 * 0.01) / 57)
    bits = -(27 * math.log2(0.4) + 21 * math.log2(0.6) + 19 * math.log2(0.8)) / 67
    assert isw["time_weighted"]["log_loss_bits"] == pytest.approx(bits)
    crowd_isw = (10 * 0.36 + 17 * 0.225 + 8 * 0.125 + 13 * 0.085 + 19 * 0.025) / 67
    crowd_desk = (17 * 0.225 + 8 * 0.125 + 13 * 0.085 + 19 * 0.025) / 57
    isw_tb, desk_tb = isw["time_weighted"]["brier"], desk["time_weighted"]["brier"]
    assert isw["relative"] == {"n": 1, "brier_vs_median": pytest.approx(isw_tb - crowd_isw)}
    assert desk["relative"] == {"n": 1, "brier_vs_median": pytest.approx(desk_tb - crowd_desk)}
    # The README's table, to its three decimals.
    table = {name: (g["time_weighted"]["brier"], g["time_weighted"]["log_loss_bits"],
                    g["relative"]["brier_vs_median"], g["scores"]["brier"])
             for name, g in groups.items()}  # fmt: skip
    assert {name: tuple(round(x, 3) for x in row) for name, row in table.items()} == {
        "ISW": (0.207, 0.855, 0.057, 0.040),
        "Desk": (0.045, 0.311, -0.067, 0.010),
    }
    assert [g["name"] for g in s["groups"]] == ["Desk", "ISW"]  # ranked: lower relative first
    assert s["time_weighted"] == {"n": 2, "questions": 1,
                                  "brier": pytest.approx((isw_tb + desk_tb) / 2),
                                  "log_loss_bits": pytest.approx(0.5830123)}  # fmt: skip
    assert s["scores"]["n"] == 2  # plain: ISW's 0.2 and the desk's 0.1
    assert s["scores"]["brier"] == pytest.approx((0.04 + 0.01) / 2)


def test_text_says_which_score_is_which_and_warns_of_few_shared(
    syria: Callable[..., Result],
) -> None:
    with freeze_time(NOW):
        plain = _ok(syria("summary")).out
        grouped = _ok(syria("summary", "--by", "forecaster")).out
    assert "Plain scores of 2 forecasts: each forecaster's latest before the close" in plain
    assert "Time-weighted scores" in plain
    assert "ranked by relative Brier" in plain
    assert plain.index(" Desk ") < plain.index(" ISW ")
    assert "TW Brier" in grouped
    for out in (plain, grouped):
        assert "fewer than 5 shared questions for Desk (1), ISW (1)" in " ".join(out.split())


def test_five_shared_questions_need_no_warning(cli: Callable[..., Result]) -> None:
    for n in range(5):
        _question(cli, f"q{n}", "2025-03", "A 0.8 2025-01-01", "B 0.3 2025-02-01")
        with freeze_time(NOW):
            _ok(cli("resolve", f"q{n}", "yes"))
    s = _summary(cli, "--by", "forecaster")
    assert {g["name"]: g["relative"]["n"] for g in s["groups"]} == {"A": 5, "B": 5}
    assert not any("shared questions" in note for note in s["notes"])
    # B joined at 0.3 for the last 59 of A's 90 days: A's 0.04 against a median of 0.265 then.
    assert s["groups"][0]["name"] == "A"


def test_one_forecaster_has_no_relative_score(cli: Callable[..., Result]) -> None:
    _question(cli, "solo", "2025-03", "A 0.8 2025-01-01", "A 0.6 2025-02-01")
    with freeze_time(NOW):
        _ok(cli("resolve", "solo", "yes"))
        out = _ok(cli("summary")).out
    [group] = _summary(cli, "--by", "forecaster")["groups"]
    assert group["relative"] == {"n": 0, "brier_vs_median": None}
    assert group["time_weighted"]["brier"] == pytest.approx((31 * 0.04 + 59 * 0.16) / 90)
    assert "ranked" not in out
    assert "shared questions" not in out


def test_annulled_questions_are_not_scored(cli: Callable[..., Result]) -> None:
    _question(cli, "void", "2025-03", "A 0.8 2025-01-01", "B 0.2 2025-01-02")
    with freeze_time(NOW):
        _ok(cli("resolve", "void", "annulled"))
    s = _summary(cli, "--by", "forecaster")
    assert s["counts"]["annulled"] == 1
    assert s["scores"] is None
    assert s["time_weighted"] == {"n": 0, "questions": 0, "brier": None, "log_loss_bits": None}
    assert s["groups"] == []


def test_forecasts_made_after_the_close_do_not_count(cli: Callable[..., Result]) -> None:
    # It happened on 10 January: the 0.9 of the 15th was made knowing it.
    _question(cli, "known", "2025-03", "A 0.2 2025-01-01", "A 0.9 2025-01-15")
    # Added late, after its deadline: its first forecast is made now, too late to count.
    with freeze_time(NOW):
        _ok(cli("resolve", "known", "yes", "--occurred-on", "2025-01-10"))
        _ok(cli("add", "Late", "--due", "2025-02", "--key", "late", "--forecaster", "B",
                "--probability", "0.9"))  # fmt: skip
        _ok(cli("resolve", "late", "yes"))
    s = _summary(cli, "--by", "forecaster")
    assert s["scores"]["n"] == 1
    assert s["scores"]["brier"] == pytest.approx(0.64)  # the 0.2, held to the close
    assert s["time_weighted"]["brier"] == pytest.approx(0.64)
    assert s["hit_rate"]["resolved"] == 2
    groups = {g["name"]: g for g in s["groups"]}
    assert groups["B"]["resolved"] == 1
    assert groups["B"]["scores"] is None
    assert any(note.startswith("1 resolved question has no forecast") for note in s["notes"])


def test_a_probability_without_a_forecaster_is_still_scored(cli: Callable[..., Result]) -> None:
    # Allowed (and scored) before questions had forecasts: it is a forecast by "unnamed".
    with freeze_time(NOW):
        _ok(cli("add", "Alone", "--due", "2025-09", "--key", "alone", "--probability", "0.8"))
    with freeze_time(NOW + dt.timedelta(days=10)):
        _ok(cli("resolve", "alone", "no"))
    s = _summary(cli, "--by", "forecaster")
    assert s["scores"]["n"] == 1
    assert s["scores"]["brier"] == pytest.approx(0.64)
    assert [g["name"] for g in s["groups"]] == ["unnamed"]


def test_a_forecast_added_late_is_made_when_its_source_was_published(
    cli: Callable[..., Result],
) -> None:
    # Recorded after the deadline, from an article of before it: made when it was published.
    with freeze_time(NOW):
        _ok(cli("add", "Past", "--due", "2025-02", "--key", "past", "--forecaster", "ISW",
                "--probability", "0.7", "--source-published", "2024-12-24"))  # fmt: skip
        _ok(cli("resolve", "past", "yes"))
        shown = _ok(cli("show", "past", "--json")).json()
    assert [f["made_at"][:10] for f in shown["forecasts"]] == ["2024-12-24"]
    s = _summary(cli)
    assert s["scores"]["n"] == 1
    assert s["scores"]["brier"] == pytest.approx(0.09)


def test_by_horizon(cli: Callable[..., Result]) -> None:
    # Due at the end of 30 April: forecasts 100, 40, 10 and 2 days before, and one at 95.
    _question(cli, "h", "2025-04-30",
              "A 0.9 2025-01-21", "B 0.7 2025-01-26", "A 0.6 2025-03-22", "A 0.5 2025-04-21",
              "A 0.2 2025-04-29")  # fmt: skip
    _question(cli, "other", "2025-04-30", "A 0.5 2025-04-25")
    with freeze_time(NOW):
        _ok(cli("resolve", "h", "no"))
        _ok(cli("resolve", "other", "yes"))
    groups = _summary(cli, "--by", "horizon")["groups"]
    assert [g["name"] for g in groups] == ["90d+", "30-90d", "7-30d", "<7d"]
    by_name = {g["name"]: g for g in groups}
    assert by_name["90d+"]["scores"]["n"] == 2
    assert by_name["90d+"]["scores"]["brier"] == pytest.approx((0.81 + 0.49) / 2)
    assert by_name["30-90d"]["scores"]["brier"] == pytest.approx(0.36)
    assert by_name["7-30d"]["scores"]["brier"] == pytest.approx(0.25)
    assert (by_name["<7d"]["resolved"], by_name["<7d"]["hits"]) == (2, 1)
    assert by_name["<7d"]["scores"]["brier"] == pytest.approx((0.04 + 0.25) / 2)
    with freeze_time(NOW):
        out = _ok(cli("summary", "--by", "horizon")).out
    assert "≥ 90 days before" in out


def test_a_forecaster_filter_keeps_the_crowd(syria: Callable[..., Result]) -> None:
    s = _summary(syria, "--by", "forecaster", "--forecaster", "isw")
    [isw] = s["groups"]
    assert isw["name"] == "ISW"
    assert isw["relative"]["brier_vs_median"] == pytest.approx(0.0572388)
    assert s["scores"]["n"] == 1
    assert s["time_weighted"]["n"] == 1


def test_rows_stream_across_batches(
    syria: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows come from the cursor a batch at a time (after the one the result reads ahead):
    batches of 2 lose none and split a question's forecasts anywhere."""
    from tracker.reporting import forecast_rows

    _question(syria, "more", "2025-03", "ISW 0.5 2025-01-01", "Desk 0.5 2025-01-02",
              "Kyiv 0.5 2025-01-03")  # fmt: skip
    with freeze_time(NOW):
        _ok(syria("resolve", "more", "yes"))
    whole = _summary(syria, "--by", "forecaster")
    monkeypatch.setattr(forecast_rows, "BATCH", 2)
    batched = _summary(syria, "--by", "forecaster")
    assert batched == whole
    assert batched["time_weighted"]["n"] == 5
    isw = next(g for g in batched["groups"] if g["name"] == "ISW")
    first_question = (27 * 0.36 + 21 * 0.16 + 19 * 0.04) / 67  # the first row is not lost
    assert isw["time_weighted"]["brier"] == pytest.approx((first_question + 0.25) / 2)
