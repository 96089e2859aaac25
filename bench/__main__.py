"""Benchmarks: python -m bench [--quick] [--only NAME] [--postgres URL].

Builds its own data in a temporary SQLite file (and a fresh PostgreSQL schema when a server
is reachable), measures, and prints a table of figures, targets and ratios measured in the
same run. Targets are for a 2-core machine; see BENCHMARKS.md for recorded results.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.cases import CASES
from bench.databases import databases
from bench.rows import Row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="run only this")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TRACKER_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="PostgreSQL server to measure on too (skipped when unreachable)",
    )
    args = parser.parse_args(argv)
    print(f"machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {platform.platform()}")  # fmt: skip
    before = speed_gauge()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for database in databases(Path(folder), args.postgres):
            for name, case in CASES.items():
                if args.only and name not in args.only:
                    continue
                run: Callable[..., list[Row]] = case
                print(f"… {name} on {database.label}", file=sys.stderr, flush=True)
                try:
                    rows += run(database, quick=args.quick)
                finally:
                    database.discard()
    _print(rows)
    print(f"machine speed: a fixed Python workload took {before * 1000:.0f} ms before the "
          f"benchmarks and {speed_gauge() * 1000:.0f} ms after (BENCHMARKS.md says what it "
          "took on the days recorded there)")  # fmt: skip
    return 0 if all(row.met is not False for row in rows) else 1


def speed_gauge() -> float:
    """Seconds for a fixed piece of pure Python, the best of 3: this machine's speed drifts
    by a third over a day, and figures of different runs compare only beside it."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        table: dict[int, str] = {}
        for number in range(300_000):
            table[number % 1000] = f"{number:x}"
        best = min(best, time.perf_counter() - started)
    return best


def _print(rows: list[Row]) -> None:
    headers = ("database", "benchmark", "measured", "target", "met")
    table = [(r.database, r.name, r.measured, r.target, _met(r.met)) for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *table, strict=False)]
    for line in (headers, *table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))


def _met(met: bool | None) -> str:
    return "-" if met is None else "yes" if met else "NO"


if __name__ == "__main__":
    raise SystemExit(main())
