"""Random input for every argument: never a traceback, never a partial write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Result, count_rows

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
DATES = st.one_of(
    TEXT,
    st.sampled_from(["2025-02", "February 2025", "2025-Q1", "2025-H2", "2025", "2025-02-30",
                     "2025-13", "in March 2025", "2025-03-01..2025-02-01", "by 2026", ""]),
)  # fmt: skip
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _assert_clean(result: Result, rows_before: int, rows_after: int) -> None:
    assert "Traceback" not in result.err
    assert result.code in (0, 2), (result.code, result.err)
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert result.err.startswith("tracker: error: ")
        assert rows_after == rows_before, "a failed command wrote something"


@PROPERTY
@given(claim=TEXT, due=DATES, probability=TEXT, forecaster=TEXT, tag=TEXT, key=TEXT)
def test_add(
    cli: Callable[..., Result],
    database_url: str,
    claim: str,
    due: str,
    probability: str,
    forecaster: str,
    tag: str,
    key: str,
) -> None:
    cli("db", "upgrade")
    before = count_rows(database_url, "prediction")
    result = cli("add", claim, "--due", due, "--probability", probability,
                 "--forecaster", forecaster, "--tag", tag, "--key", key)  # fmt: skip
    after = count_rows(database_url, "prediction")
    _assert_clean(result, before, after)
    if result.code == 0:
        assert after == before + 1


@PROPERTY
@given(
    ref=st.one_of(TEXT, st.sampled_from(["1", "0", "-1", "99999999999999999999", "\uff11"])),
    outcome=st.one_of(TEXT, st.sampled_from(["yes", "no", "annulled", "YES"])),
    note=TEXT,
    occurred=DATES,
    evidence=TEXT,
)
def test_resolve(
    cli: Callable[..., Result],
    database_url: str,
    ref: str,
    outcome: str,
    note: str,
    occurred: str,
    evidence: str,
) -> None:
    if count_rows_or_zero(database_url) == 0:
        assert cli("add", "Something happens", "--due", "2025-02").code == 0
    before = count_rows(database_url, "resolution")
    result = cli("resolve", ref, outcome, "--note", note, "--occurred-on", occurred,
                 "--evidence", evidence, "--force")  # fmt: skip
    _assert_clean(result, before, count_rows(database_url, "resolution"))


def count_rows_or_zero(database_url: str) -> int:
    try:
        return count_rows(database_url, "prediction")
    except Exception:
        return 0


@PROPERTY
@given(text=TEXT | st.sampled_from(['[{"claim": "x", "due": "2025"}, 5]', "claim\n\x00",
                                    '{"predictions": {}}', "claim,due_at\nx,2025-99\n"]),
       suffix=st.sampled_from([".json", ".csv"]))  # fmt: skip
def test_import(
    cli: Callable[..., Result], database_url: str, tmp_path: Path, text: str, suffix: str
) -> None:
    cli("db", "upgrade")
    path = tmp_path / f"in{suffix}"
    path.write_text(text, encoding="utf-8")
    before = count_rows(database_url, "prediction")
    result = cli("import", path)
    _assert_clean(result, before, count_rows(database_url, "prediction"))


@PROPERTY
@given(
    text=TEXT
    | st.sampled_from(
        ["[[predictions]]\nclaim = 1\n", "[[predictions]]\nclaim='x'\ndue='2025'\nkey='K K'\n",
         "[source]\nurl = 'nope'\n", "predictions = 3\n", "[[predictions]]\n"]
    )
)  # fmt: skip
def test_seed(cli: Callable[..., Result], database_url: str, tmp_path: Path, text: str) -> None:
    cli("db", "upgrade")
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "predictions.toml").write_text(text, encoding="utf-8")
    before = count_rows(database_url, "prediction")
    result = cli("seed", folder)
    _assert_clean(result, before, count_rows(database_url, "prediction"))


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.toml", '[source]\ntitle = "x"\n\n[[predictions]]\nclaim = "a\n', 5),
        ("bad.json", '[\n  {"claim": "a",\n   "due": "2025",,}\n]', 3),
        ("bad.csv", 'claim,due_at\n"a,2025\n', 2),
    ],
)
def test_malformed_files_name_the_line(
    cli: Callable[..., Result], tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = cli("seed", tmp_path) if name.endswith(".toml") else cli("import", path)
    assert result.code == 2
    assert f":{line}:" in result.err or f"line {line}" in result.err, result.err
