"""Rules of a resolution: whether it came true, and the values a resolution row stores.

Pure: the deadline's window and zone come from the caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import within_window
from tracker.domain.inputs import ResolutionInput
from tracker.enums import Outcome


def came_true(
    resolution: ResolutionInput,
    due_at: dt.datetime,
    window_start: dt.datetime | None,
    tz: ZoneInfo,
) -> bool:
    """Yes, and (when we know the day it happened) inside the window."""
    return resolution.outcome == Outcome.YES and (
        resolution.occurred_on is None
        or within_window(resolution.occurred_on, due_at, window_start, tz)
    )


def resolution_row(
    prediction_id: int,
    due_at: dt.datetime,
    window_start: dt.datetime | None,
    resolution: ResolutionInput,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """The values of a resolution as stored, for one insert or a bulk one alike (the caller
    adds events_queued_at: whether it is announced already is the caller's to say)."""
    return {
        "prediction_id": prediction_id,
        "outcome": resolution.outcome.value,
        "resolved_at": resolution.resolved_at,
        "occurred_on": resolution.occurred_on,
        "note": resolution.note,
        "evidence_url": resolution.evidence_url,
        "resolved_by": resolution.resolved_by,
        "via": resolution.via,
        "superseded_at": resolution.superseded_at,
        "superseded_note": resolution.superseded_note,
        "came_true": came_true(resolution, due_at, window_start, tz),
    }
