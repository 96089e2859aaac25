"""Wording that every channel shares: when a prediction is due, its window as written, and
the command that resolves it. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import Precision, stored_zone
from tracker.domain.durations import format_duration

RESOLVE_OUTCOMES = "yes|no|annulled"
UTC_ZONE = ZoneInfo("UTC")
# A "due" reminder delivered a little late still reads "Due now"; later it says how late.
_DUE_NOW_GRACE = dt.timedelta(hours=1)


def timing(kind: str, due_at: dt.datetime, now: dt.datetime) -> tuple[str, str]:
    """("Due", "in 1 day"), ("Due", "now") or ("Overdue", "by 9 days"), told from `now`.

    Worked out at sending time rather than trusted from the kind, so that an "upcoming" reminder
    retried after the deadline does not announce time left.
    """
    remaining = due_at - now
    if remaining > dt.timedelta(0):
        return "Due", f"in {format_duration(remaining)}"
    late = -remaining
    if late == dt.timedelta(0) or (kind != "overdue" and late <= _DUE_NOW_GRACE):
        return "Due", "now"
    return "Overdue", f"by {format_duration(late)}"


def due_label(prediction: dict[str, Any], tz: ZoneInfo) -> str:
    """The due window as written ("February 2025"), never a made-up day, read in the zone the
    deadline was stated in (`tz` only for payloads frozen before deadlines kept their zone)."""
    window_start = prediction.get("window_start")
    zone = stored_zone(prediction["tz"]) if prediction.get("tz") else tz
    return describe_due(
        dt.datetime.fromisoformat(prediction["due_at"]),
        None if window_start is None else dt.datetime.fromisoformat(window_start),
        Precision(prediction["precision"]),
        zone,
    )


def resolve_command(key: str) -> str:
    return f"tracker resolve {key} {RESOLVE_OUTCOMES}"


def format_probability(probability: float) -> str:
    return f"{round(probability * 100, 1):g}%"


def forecasts_line(data: Mapping[str, Any]) -> str:
    """Each forecaster's forecast in force when the message was queued, on one line ("ISW 35%
    · Desk 60%"); "" for a payload frozen before reminders carried them, or with none."""
    parts = []
    for forecast in data.get("forecasts") or []:
        name, probability = forecast.get("forecaster"), forecast.get("probability")
        if name and isinstance(probability, int | float):
            parts.append(f"{' '.join(str(name).split())} {format_probability(probability)}")
    return " \N{MIDDLE DOT} ".join(parts)


def stale_forecast_text(data: Mapping[str, Any], now: dt.datetime, tz: ZoneInfo) -> str:
    """A stale-forecast nudge in one sentence: "Update your forecast? ISW's 35% on <claim>
    (due February 2025) is 45 days old: tracker forecast KEY P --by ISW"."""
    prediction, reminder = data["prediction"], data.get("reminder") or {}
    forecaster = " ".join(str(reminder.get("forecaster") or "?").split())
    made = reminder.get("forecast_made_at")
    age = format_duration(now - dt.datetime.fromisoformat(made)) if made else "?"
    mine = [f for f in data.get("forecasts") or [] if f.get("forecaster") == forecaster]
    probability = mine[-1].get("probability") if mine else None
    what = f" {format_probability(probability)}" if isinstance(probability, int | float) else ""
    claim = " ".join(str(prediction["claim"]).split())
    return (
        f'Update your forecast? {forecaster}\'s{what} on "{claim}" (due '
        f"{due_label(prediction, tz)}) is {age} old: tracker forecast {prediction['key']} "
        f"PROBABILITY --by {forecaster!r}"
    )
