"""Histograms of what this process timed (sends, passes), kept in memory for GET /metrics.

Plain Python rather than prometheus_client, which costs a command 70 ms to import: `tracker
check` sends too and records here, and only the web app, when scraped, turns these into
Prometheus families (tracker.web.health). They are this process's alone: a `tracker serve`
that sends nothing shows them empty.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    """One label set's observations: counts per bucket (not cumulative), their sum, count."""

    labels: tuple[str, ...]
    buckets: tuple[int, ...]
    total: float
    count: int


class Timings:
    """A histogram with fixed upper bounds in seconds (the last bucket is +Inf)."""

    def __init__(
        self, name: str, help_text: str, label_names: tuple[str, ...], bounds: tuple[float, ...]
    ) -> None:
        self.name = name
        self.help_text = help_text
        self.label_names = label_names
        self.bounds = bounds
        self._lock = threading.Lock()
        self._series: dict[tuple[str, ...], tuple[list[int], list[float]]] = {}

    def observe(self, seconds: float, *labels: str) -> None:
        if len(labels) != len(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}, given {labels}")
        seconds = max(0.0, seconds)
        with self._lock:
            counts, total = self._series.setdefault(labels, ([0] * (len(self.bounds) + 1), [0.0]))
            counts[bisect_left(self.bounds, seconds)] += 1
            total[0] += seconds

    def series(self) -> list[Series]:
        with self._lock:
            return [
                Series(labels, tuple(counts), total[0], sum(counts))
                for labels, (counts, total) in sorted(self._series.items())
            ]


SEND_SECONDS = Timings(
    "tracker_send_duration_seconds",
    "Time of one attempt to deliver, by channel and outcome (sends made by this process).",
    ("channel", "outcome"),
    (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
PASS_SECONDS = Timings(
    "tracker_pass_duration_seconds",
    "Time of one pass (queue what is due, send what is pending) run by this process.",
    (),
    (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
