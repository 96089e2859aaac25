"""The summary from the forecast_score table equals the one that scores every forecast as it
streams past, after random histories of writes through the command line: questions, forecasts
by several forecasters, resolutions yes, no and annulled, reopening, resolving again, forced
deadline moves, backdated forecasts on resolved questions, and the import of an export
(SQLite, and PostgreSQL when set). If any write path forgot to rescore, the table would be
stale and the two would differ."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import Result
from tracker.enums import GroupBy
from tracker.persistence.db import make_engine, transaction
from tracker.persistence.models import ForecastScore
from tracker.persistence.scores import rescore_all
from tracker.reporting.summary import summarize

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FORECASTERS = ("ISW", "Desk", "Kyiv", "isw")  # "isw": a name differing only in case
DUES = ("2025-02", "2025-03-15", "2025-04", "2025-05-20", "2025-06", "2025-12")


def _day(days: float) -> dt.datetime:
    return START + dt.timedelta(days=days)


def _at(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class History:
    """Random writes through the CLI, each at a later frozen time than the one before."""

    def __init__(self, cli: Callable[..., Result], rng: random.Random) -> None:
        self.cli, self.rng, self.days = cli, rng, 0.0
        self.keys: list[str] = []

    def run(self, *args: str) -> Result:
        self.days += self.rng.uniform(0.5, 4)
        with freeze_time(_day(self.days)):
            return self.cli(*args)

    def add(self, n: int) -> None:
        for i in range(n):
            key = f"q{i}"
            args = ["add", f"Claim {i}", "--due", self.rng.choice(DUES), "--key", key]
            args += [a for tag in self.rng.sample(["war", "gas", "eu"], 2)[: i % 3]
                     for a in ("--tag", tag)]  # fmt: skip
            if i % 2:
                args += ["--source-url", f"https://example.org/{i % 3}"]
            if i % 3:
                probability = f"{self.rng.randint(1, 99)}%"
                args += ["--forecaster", self.rng.choice(FORECASTERS), "--probability",
                         probability, "--made-at", _at(_day(self.days))]  # fmt: skip
            assert self.run(*args).code == 0
            self.keys.append(key)

    def step(self) -> str:
        """One random write; what it was, and whether it was taken."""
        key = self.rng.choice(self.keys)
        action = self.rng.choices(
            ["forecast", "resolve", "force", "reopen", "edit"], weights=[8, 3, 1, 1, 2]
        )[0]
        if action == "forecast":  # often backdated; refused (exit 2) after the close
            made = _day(self.rng.uniform(0, self.days))
            result = self.run("forecast", key, str(self.rng.randint(0, 100) / 100), "--by",
                     self.rng.choice(FORECASTERS), "--at", _at(made))  # fmt: skip
        elif action in ("resolve", "force"):
            outcome = self.rng.choice(["yes", "yes", "no", "no", "annulled"])
            args = ["resolve", key, outcome] + (["--force"] if action == "force" else [])
            if outcome == "yes" and self.rng.random() < 0.3:
                args += ["--occurred-on", _day(self.rng.uniform(0, self.days)).date().isoformat()]
            result = self.run(*args)
        elif action == "reopen":
            result = self.run("reopen", key)
        else:
            result = self.run(
                "edit", key, "--due", self.rng.choice(DUES), "--note", "moved", "--force"
            )
        return f"{action} {key}: exit {result.code}"

    def import_export(self, tmp_path: Path) -> None:
        """The export back in under new keys (new questions with their history), and again
        under its own keys with a forecast added to each resolved question before its close."""
        exported = json.loads(self.run("export").out)
        copies = json.loads(json.dumps(exported))
        for question in copies["questions"]:
            question["key"] += "-copy"
        for question in exported["questions"]:
            if question["status"] == "resolved" and question["forecasts"]:
                first = question["forecasts"][0]
                question["forecasts"].append(first | {"forecaster": "Import", "probability": 0.5})
        for name, data in (("copies.json", copies), ("more.json", exported)):
            path = tmp_path / name
            path.write_text(json.dumps(data))
            assert self.run("import", str(path)).code == 0, name


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 (SQL sums in its own order)."""
    if isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert list(a) == list(b), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def _rows(engine: sa.Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The table's rows as the writes left them, and as scoring every question afresh gives
    them (rolled back)."""
    table: Any = ForecastScore.__table__  # type: ignore[attr-defined]
    query = sa.select(table).order_by(table.c.prediction_id, table.c.forecaster)
    with transaction(engine, commit=False) as session:
        kept = [tuple(row) for row in session.execute(query)]
        session.execute(sa.delete(table))
        rescore_all(session.connection())
        fresh = [tuple(row) for row in session.execute(query)]
        session.rollback()
    return kept, fresh


def _check_rows(engine: sa.Engine, after: str) -> int:
    kept, fresh = _rows(engine)
    assert kept == fresh, after
    return len(kept)


VARIANTS: list[dict[str, Any]] = [
    {},
    {"by": GroupBy.forecaster},
    {"by": GroupBy.source},
    {"by": GroupBy.tag},
    {"by": GroupBy.forecaster, "forecaster": "isw"},
    {"forecaster": "Desk", "by": GroupBy.tag},
    {"since": dt.datetime(2025, 4, 1, tzinfo=dt.UTC), "by": GroupBy.forecaster},
    {"exclude_early": True, "by": GroupBy.forecaster},
    {"exclude_early": True, "by": GroupBy.source, "forecaster": "ISW"},
]


# Two histories, each of 55 random writes checked after every one.
@pytest.mark.parametrize("seed", range(2))
def test_the_table_gives_what_streaming_gives(
    seed: int, cli: Callable[..., Result], database_url: str, tmp_path: Path
) -> None:
    history = History(cli, random.Random(seed))
    engine = make_engine(database_url)
    history.add(12)
    most = 0
    for step in range(45):
        action = history.step()
        most = max(most, _check_rows(engine, f"step {step}: {action}"))
    history.import_export(tmp_path)
    _check_rows(engine, "import")
    for step in range(10):
        action = history.step()
        _check_rows(engine, f"step {step} after the import: {action}")
    assert most > 0  # the histories do score something
    now = _day(history.days)
    scored = 0
    for variant in VARIANTS:
        kwargs: dict[str, Any] = {"now": now, "due_soon": dt.timedelta(days=7), **variant}
        table = summarize(engine, **kwargs).as_json()
        streamed = summarize(engine, streamed=True, **kwargs).as_json()
        _close(table, streamed, str(variant))
        scored += table["time_weighted"]["n"]
    engine.dispose()
    assert scored > 0
