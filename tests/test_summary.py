"""`tracker summary` end to end: counts, hit rates, scores, groups, filters and the chart."""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import Result, assert_one_line_error

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def _add(cli: Callable[..., Result], key: str, due: str, *extra: str) -> None:
    result = cli("add", f"Claim {key}", "--due", due, "--key", key, *extra)
    assert result.code == 0, result.err


@pytest.fixture
def history(cli: Callable[..., Result]) -> Callable[..., Result]:
    with freeze_time(NOW - dt.timedelta(days=200)):
        _add(cli, "a", "2025-01", "--probability", "0.7", "--forecaster", "ISW", "--tag", "syria")
        _add(cli, "b", "2025-02", "--probability", "0.7", "--forecaster", "ISW")
        _add(cli, "c", "2025-03", "--probability", "0.2", "--forecaster", "GUR", "--tag", "syria")
        _add(cli, "d", "2025-04", "--forecaster", "GUR")  # no probability
        _add(cli, "e", "2025-12", "--probability", "0.9", "--forecaster", "ISW")  # not yet due
        _add(cli, "f", "2025-05", "--probability", "0.15")  # annulled
        _add(cli, "g", "2025-06-05")  # open, due soon
        _add(cli, "h", "2025-05-20")  # open, overdue
    with freeze_time(NOW):
        for key, outcome, *extra in [
            ("a", "yes", "--occurred-on", "2025-01-20"),
            ("b", "no"),
            ("c", "no"),
            ("d", "yes", "--occurred-on", "2025-04-30"),
            ("e", "yes"),
            ("f", "annulled"),
        ]:
            assert cli("resolve", key, outcome, *extra).code == 0
    return cli


def _summary(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    with freeze_time(NOW):
        result = cli("summary", "--json", *args)
    assert result.code == 0, result.err
    summary: dict[str, Any] = result.json()
    return summary


def test_counts_hit_rate_and_scores(history: Callable[..., Result]) -> None:
    s = _summary(history)
    assert s["counts"] == {
        "open": 2, "due_soon": 1, "overdue": 1, "resolved_yes": 3, "resolved_no": 2,
        "annulled": 1,
    }  # fmt: skip
    assert s["hit_rate"] == {"resolved": 5, "hits": 3, "rate": pytest.approx(0.6)}
    scores = s["scores"]
    # a 0.7 yes, b 0.7 no, c 0.2 no, e 0.9 yes; d has no probability, f is annulled
    assert scores["n"] == 4
    assert scores["brier"] == pytest.approx((0.09 + 0.49 + 0.04 + 0.01) / 4)
    bits = -(math.log2(0.7) + math.log2(0.3) + math.log2(0.8) + math.log2(0.9)) / 4
    assert scores["log_loss_bits"] == pytest.approx(bits)
    assert scores["baselines"]["base_rate"]["probability"] == pytest.approx(0.5)
    assert scores["baselines"]["always_50"] == {"probability": 0.5, "brier": 0.25,
                                                "log_loss_bits": 1.0}  # fmt: skip
    bins = {(b["low"], b["high"]): b for b in s["calibration"] if b["count"]}
    assert set(bins) == {(20, 30), (70, 80), (90, 100)}
    assert bins[(70, 80)]["observed"] == pytest.approx(0.5)
    assert s["timeliness"]["count"] == 2
    assert s["timeliness"]["min_days"] == -11  # a: 20 January against 31 January
    unscored = "1 resolved question has no forecast made before it closed: it counts in the hit"
    assert any(note.startswith(unscored) for note in s["notes"])


def test_exclude_early_leaves_out_yes_not_yet_due(history: Callable[..., Result]) -> None:
    s = _summary(history, "--exclude-early")
    assert s["hit_rate"] == {"resolved": 4, "hits": 2, "rate": pytest.approx(0.5)}
    assert s["scores"]["n"] == 3


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("forecaster", {"ISW": (3, 2), "GUR": (2, 1)}),
        ("tag", {"syria": (2, 1), "(untagged)": (3, 2)}),
        ("source", {"(no source)": (5, 3)}),
    ],
)
def test_by_group(
    history: Callable[..., Result], by: str, expected: dict[str, tuple[int, int]]
) -> None:
    groups = _summary(history, "--by", by)["groups"]
    assert {g["name"]: (g["resolved"], g["hits"]) for g in groups} == expected


def test_filters(history: Callable[..., Result]) -> None:
    assert _summary(history, "--forecaster", "gur")["hit_rate"]["resolved"] == 2
    since = _summary(history, "--since", "2025-03")
    assert since["hit_rate"]["resolved"] == 3  # c, d, e are due in or after March
    assert since["filters"]["since"] == "2025-03-01T00:00:00Z"


def test_a_yes_that_came_after_the_window_did_not_come_true(cli: Callable[..., Result]) -> None:
    with freeze_time(NOW):
        _add(cli, "late", "2025-02", "--probability", "0.8", "--forecaster", "ISW",
             "--made-at", "2025-01-15")  # fmt: skip
        resolved = cli("resolve", "late", "yes", "--occurred-on", "2025-03-10")
        assert "outside its window (February 2025)" in resolved.out
        s = _summary(cli)
    assert s["counts"]["resolved_yes"] == 1
    assert s["hit_rate"]["hits"] == 0
    assert s["scores"]["brier"] == pytest.approx(0.64)
    assert s["timeliness"]["late"] == 1
    assert any("after their deadline" in note for note in s["notes"])


def test_table_output(history: Callable[..., Result]) -> None:
    with freeze_time(NOW):
        result = history("summary", "--by", "forecaster")
    assert result.code == 0
    for text in ("Hit rate: 3 of 5", "Brier (0-1", "Log loss (bits", "Murphy", "[70%, 80%)",
                 "By forecaster", "Timeliness"):  # fmt: skip
        assert text in result.out, text


def test_the_last_calibration_bin_includes_100_percent(history: Callable[..., Result]) -> None:
    with freeze_time(NOW):
        result = history("summary")
    assert result.code == 0
    assert "[90%, 100%]" in result.out  # 100% falls in the last bin, so it closes with "]"
    assert "[70%, 80%)" in result.out


def test_empty_database_is_friendly(cli: Callable[..., Result]) -> None:
    assert cli("db", "upgrade").code == 0  # summary, which only reads, creates no database
    result = cli("summary")
    assert result.code == 0
    assert "Nothing resolved yet" in result.out
    s = cli("summary", "--json").json()
    assert s["hit_rate"] == {"resolved": 0, "hits": 0, "rate": None}
    assert s["scores"] is None
    assert s["calibration"] == []


def test_questions_without_probabilities(cli: Callable[..., Result]) -> None:
    # (The seeds state probabilities now: a forecaster named without one is scored nowhere.)
    assert cli("add", "A", "--due", "2025-02", "--forecaster", "ISW", "--key", "a").code == 0
    assert cli("resolve", "a", "yes", "--occurred-on", "2025-02-25").code == 0
    s = cli("summary", "--json").json()
    assert s["hit_rate"]["resolved"] == 1
    assert s["scores"] is None


def test_plot_writes_a_png(history: Callable[..., Result], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    chart = tmp_path / "calibration.png"
    with freeze_time(NOW):
        result = history("summary", "--plot", chart)
    assert result.code == 0, result.err
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.stat().st_size > 5_000


def test_plot_without_matplotlib_says_how_to_get_it(
    history: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name)
    )
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = history("summary", "--plot", tmp_path / "c.png")
    assert_one_line_error(result, code=1, contains="pip install 'tracker[plot]'")
    assert not (tmp_path / "c.png").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "whenever"), "--since"),
        (("--by", "colour"), "colour"),
        (("--bins", "0"), "--bins"),
        (("--plot", "/no/such/folder/c.png"), "does not exist"),
        (("--plot", "chart.jpg"), ".png"),
    ],
)
def test_bad_arguments(cli: Callable[..., Result], args: tuple[str, ...], message: str) -> None:
    assert_one_line_error(cli("summary", *args), contains=message)
