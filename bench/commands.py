"""How long everyday commands take, as a user runs them, beside a baseline in the same run.

The baseline is `python -c "import sqlalchemy, sqlmodel"` in the same virtualenv: the floor any
command that reads the database through our models has to pay. This machine's speed drifts by
a third over a day, so only the ratio is a target, and the commands and the baseline take
turns (one run of each per round) so that a slow minute slows them all alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.databases import Database
from bench.rows import Row

ROUNDS = 9
EVERYDAY_TARGET = 1.2  # at most this many baselines
TARGETS = {"tracker --help": 0.5}


def _tracker() -> str:
    """The console script a user types, installed beside this interpreter."""
    script = Path(sys.executable).with_name("tracker")
    return str(script) if script.exists() else "tracker"


def command_times(database: Database, *, quick: bool) -> list[Row]:
    """Each everyday command on a seeded SQLite database, and `tracker --help`, against the
    baseline: the median of ROUNDS runs each, the runs interleaved."""
    if database.label != "sqlite":
        return []  # the target is stated for the embedded database
    url, _engine = database.fresh()
    # The caller's own TRACKER_* settings (channels, tokens) must not reach the commands.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = url
    subprocess.run([_tracker(), "seed"], check=True, capture_output=True, env=env)
    commands = _everyday_commands()
    baseline = [sys.executable, "-c", "import sqlalchemy, sqlmodel"]
    runs: dict[str, list[float]] = {label: [] for label in ["baseline", *commands]}
    for round_number in range(3 if quick else ROUNDS):
        for label, argv in [("baseline", baseline), *commands.items()]:
            command = argv(round_number) if callable(argv) else argv
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            runs[label].append(time.perf_counter() - started)
    base = statistics.median(runs["baseline"])
    rows = [Row("sqlite", "python -c 'import sqlalchemy, sqlmodel' (baseline)",
                f"{base * 1000:.0f} ms", "", None)]  # fmt: skip
    for label in commands:
        median = statistics.median(runs[label])
        target = TARGETS.get(label, EVERYDAY_TARGET)
        rows.append(Row("sqlite", label, f"{median * 1000:.0f} ms ({median / base:.2f}x)",
                        f"<= {target}x baseline", median / base <= target))  # fmt: skip
    forecast = statistics.median(runs["tracker forecast 1"])
    rows.append(Row("sqlite", "tracker forecast 1 (the issue's absolute target)",
                    f"{forecast * 1000:.0f} ms", "<= 300 ms", forecast <= 0.3))  # fmt: skip
    return rows


Argv = list[str] | Callable[[int], list[str]]


def _everyday_commands() -> dict[str, Argv]:
    tracker = _tracker()
    # Resolve and reopen take turns on one prediction, so that every round does both.
    return {
        "tracker --help": [tracker, "--help"],
        "tracker list": [tracker, "list"],
        "tracker show 1": [tracker, "show", "1"],
        "tracker add": lambda n: [
            tracker,
            "add",
            f"Claim {n}",
            "--due",
            "2031-03",
            "--key",
            f"b{n}",
        ],
        "tracker forecast 1": lambda n: [
            tracker,
            "forecast",
            "1",
            "40%",
            "--by",
            f"Desk {n}",
            "--at",
            "2025-01-10",
        ],
        "tracker resolve 2 yes": [tracker, "resolve", "2", "yes"],
        "tracker reopen 2": [tracker, "reopen", "2"],
        "tracker status": [tracker, "status"],
        "tracker deliveries": [tracker, "deliveries"],
    }
