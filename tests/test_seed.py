"""Seeds: the three forecasts of the seed article, idempotent, and strict about bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Result, assert_one_line_error

EXPECTED: dict[str, dict[str, str | None]] = {
    "russia-full-withdrawal-from-syria-2025-02": {
        "due_at": "2025-02-28T23:59:59.999999Z",
        "window_start": None,
        "precision": "month",
        "due_label": "February 2025",
        "due_text": "by February 2025",
        "forecaster": "ISW",
    },
    "syria-demands-russian-withdrawal-2025-02-20": {
        "due_at": "2025-02-20T23:59:59.999999Z",
        "window_start": None,
        "precision": "day",
        "due_label": "20 February 2025",
        "due_text": "by February 20, 2025",
        "forecaster": "Sources within Syria",
    },
    "syria-interim-government-rules-until-2025-03": {
        "due_at": "2025-03-31T23:59:59.999999Z",
        "window_start": "2025-03-01T00:00:00Z",
        "precision": "month",
        "due_label": "March 2025",
        "due_text": "until March 2025",
        "forecaster": "Syrian interim government",
    },
}


def test_seed_loads_the_three_forecasts_of_the_article(seeded: Callable[..., Result]) -> None:
    listed = seeded("list", "--status", "all", "--json").json()
    assert {p["key"]: {k: p[k] for k in EXPECTED[p["key"]]} for p in listed} == EXPECTED
    article_text = (SEEDS / "2024-12-isw-russia-syria-pullout.txt").read_text()
    for prediction in listed:
        assert prediction["quote"] in article_text  # verbatim
        assert prediction["status"] == "open"
        assert prediction["source"]["publisher"] == "Caliber.Az"
        assert prediction["source"]["author"] == "Tamilla Hasanova"


def test_second_seed_changes_nothing(seeded: Callable[..., Result]) -> None:
    before = seeded("export").json()
    again = seeded("seed", SEEDS)
    assert again.code == 0
    assert "0 created, 0 updated, 3 unchanged" in again.out
    assert seeded("export").json() == before


def test_seed_reads_deadlines_in_the_configured_zone(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_TIMEZONE", "Europe/Moscow")
    assert cli("seed", SEEDS).code == 0
    shown = cli("show", "russia-full-withdrawal-from-syria-2025-02", "--json").json()
    assert shown["due_at"] == "2025-02-28T20:59:59.999999Z"
    assert shown["due_label"] == "February 2025"


def test_edited_seed_updates_the_prediction(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    text = (SEEDS / "predictions.toml").read_text()
    (folder / "predictions.toml").write_text(text)
    assert cli("seed", folder).code == 0
    (folder / "predictions.toml").write_text(
        text.replace('forecaster = "ISW"', 'forecaster = "IS W"')
    )
    result = cli("seed", folder)
    assert "0 created, 1 updated, 2 unchanged" in result.out
    shown = cli("show", "russia-full-withdrawal-from-syria-2025-02", "--json").json()
    assert shown["forecaster"] == "IS W"


def _bad_seed(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "bad-seeds"
    folder.mkdir(exist_ok=True)
    text = (SEEDS / "predictions.toml").read_text()
    assert old in text
    (folder / "predictions.toml").write_text(text.replace(old, new, 1))
    return folder


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "predictions.toml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ('due = "2025-02-20"', 'due = "sometime soon"', "predictions[2].due", "sometime soon"),
        (
            "probability = 0.675\n",
            "probability = 1.5\n",
            "predictions[1].probability",
            "probability = 1.5",
        ),
        (
            'key = "syria-interim-government-rules-until-2025-03"',
            'key = "Not A Key!"',
            "predictions[3].key",
            "Not A Key!",
        ),
        (
            'tags = ["syria", "politics"]',
            'tags = ["syria", "politics"]\nconfidence = "high"',
            "predictions[3].confidence",
            "confidence",
        ),
        ('author = "Tamilla Hasanova"', 'url = "not a url"', "source", "not a url"),
    ],
)
def test_malformed_seed_names_file_line_and_field_and_writes_nothing(
    cli: Callable[..., Result], tmp_path: Path, old: str, new: str, field: str, needle: str
) -> None:
    folder = _bad_seed(tmp_path, old, new)
    result = cli("seed", folder)
    line = _line_of(folder, needle)
    assert_one_line_error(result, contains=f"predictions.toml:{line}: {field}")
    assert cli("list", "--status", "all", "--json").json() == []


def test_toml_syntax_error_names_the_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = _bad_seed(tmp_path, 'forecaster = "ISW"', 'forecaster = "ISW')
    line = _line_of(folder, 'forecaster = "ISW')
    result = cli("seed", folder)
    assert_one_line_error(result, contains="not valid TOML")
    assert f"line {line}" in result.err


def test_duplicate_keys_are_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = _bad_seed(
        tmp_path,
        'key = "syria-interim-government-rules-until-2025-03"',
        'key = "russia-full-withdrawal-from-syria-2025-02"',
    )
    assert_one_line_error(cli("seed", folder), contains="appears twice")
    assert cli("list", "--status", "all", "--json").json() == []


def test_missing_or_empty_seed_folder(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert_one_line_error(cli("seed", tmp_path / "nowhere"), contains="no such folder")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(cli("seed", tmp_path / "empty"), contains="no seeds file")


def test_each_seed_question_has_the_forecast_its_words_imply(seeded: Callable[..., Result]) -> None:
    """Made on the article's date by the forecaster it names, with the probability and basis
    the extractor reads in the quote (ICD 203's bands)."""
    from tracker.extract.cues import estimate, find_cues

    for key in EXPECTED:
        shown = seeded("show", key, "--json").json()
        [forecast] = shown["forecasts"]
        implied = estimate(shown["quote"], find_cues(shown["quote"]))
        assert forecast["forecaster"] == EXPECTED[key]["forecaster"]
        assert (forecast["probability"], forecast["basis"]) == (implied.probability, implied.basis)
        assert forecast["made_at"] == "2024-12-24T00:00:00Z"
        assert shown["probability"] == implied.probability
    basis = seeded("show", "syria-demands-russian-withdrawal-2025-02-20", "--json").json()
    assert (
        basis["forecasts"][0]["basis"] == "implied by 'may' (ICD 203: roughly even chance 45-55%)"
    )
    again = seeded("seed", SEEDS)
    assert "0 created, 0 updated, 3 unchanged" in again.out
    assert sum(len(p["forecasts"]) for p in seeded("list", "--json").json()) == 3


def test_a_database_seeded_by_the_previous_release_gets_each_forecast_once(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Its seeds stated no probabilities, so the upgrade made them no forecast; seeding
    again adds each one, and a third time nothing."""
    import shutil

    database = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "release-0006.db", database)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("TRACKER_TIMEZONE", "Europe/Kyiv")  # as it was seeded
    first = cli("seed", SEEDS)
    assert "0 created, 3 updated, 0 unchanged" in first.out, first.err
    assert "0 created, 0 updated, 3 unchanged" in cli("seed", SEEDS).out
    for key in EXPECTED:
        forecasts = cli("show", key, "--json").json()["forecasts"]
        assert [f["made_at"] for f in forecasts] == ["2024-12-23T22:00:00Z"]  # 24th in Kyiv
