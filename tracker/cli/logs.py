"""Log lines for `run`, `serve` and `check`: text for people, or one JSON object per line for
a log collector (TRACKER_LOG_FORMAT=json)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from tracker.cli.terminal import printable

# What every LogRecord has; anything else on a record came as `extra=` and is logged too.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class PrintableFormatter(logging.Formatter):
    """A claim in a reminder line (the console channel) or a receiver's answer in an error is
    stored text: its control characters are escaped like any human output."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, then the
    record's extra fields, and the traceback as `exception` when there is one. ASCII only, so
    that no control or direction character reaches a terminal or a collector raw."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        line: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter()
    return PrintableFormatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
