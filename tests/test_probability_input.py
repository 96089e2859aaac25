"""A probability is written with ASCII digits, as 0.7 or 70%; nothing float() merely tolerates."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, assert_one_line_error
from tracker.domain.inputs import parse_probability
from tracker.errors import InvalidInput


@pytest.mark.parametrize(
    "text",
    ["1_0%", "0_5", "\u0667\u0660%", "\u0660.\u0667", "\uff17\uff10%", "5e-1%", "0x1", "½"],
)
def test_digits_float_tolerates_are_not_probabilities(
    cli: Callable[..., Result], text: str
) -> None:
    assert cli("db", "upgrade").code == 0  # so that `list` has a database to read
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_probability(text)
    assert_one_line_error(
        cli("add", "X", "--due", "2025-02", "--probability", text), contains="not a number"
    )
    assert cli("list", "--status", "all", "--json").json() == []


USUAL = [("0.7", 0.7), ("70%", 0.7), (".5", 0.5), ("1e-1", 0.1), ("+0.25", 0.25), (" 1 ", 1.0)]


@pytest.mark.parametrize(("text", "value"), USUAL)
def test_the_usual_forms_still_read(text: str, value: float) -> None:
    assert parse_probability(text) == pytest.approx(value)


def test_a_400_digit_probability_in_an_import_is_bad_input(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert cli("db", "upgrade").code == 0  # so that `list` has a database to read
    huge = "1" + "0" * 400
    path = tmp_path / "in.json"
    path.write_text(
        '{"format": "tracker-export", "version": 1, "predictions": [{"claim": "X", '
        f'"due": "2025-02", "probability": {huge}}}]}}'
    )
    json.loads(path.read_text())  # the file itself is valid JSON
    result = cli("import", path)
    assert_one_line_error(result, contains="probability")
    assert huge not in result.err
    assert cli("list", "--status", "all", "--json").json() == []
