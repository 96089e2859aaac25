"""A benchmark's result row."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    database: str
    name: str
    measured: str
    target: str
    met: bool | None
