"""The one place that reads the clock: every operation reads it once and passes `now` down."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)  # noqa: TID251 - this is the one allowed reader
