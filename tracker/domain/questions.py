"""Editing a question: what an edit asks for, the deadline it moves to, and the record of the
question as it was before (a version).

Pure: the stored question's values come from the caller.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.domain.deadlines import DueWindow, parse_period
from tracker.domain.inputs import (
    clean_text,
    default_due_text,
    due_window_from,
    in_range,
    normalize_tags,
)
from tracker.errors import InvalidInput

MAX_CRITERIA = 5000


@dataclass(frozen=True)
class QuestionChanges:
    """What an edit asks for; None (or empty) leaves a field as it is. `due` and
    `window_start` are phrases read in the question's own zone; criteria "" clears it."""

    claim: str | None = None
    criteria: str | None = None
    due: str | None = None
    window_start: str | None = None
    due_text: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionFields:
    """The fields of a question an edit may change, as stored (and as a version keeps them)."""

    claim: str
    criteria: str | None
    due: DueWindow
    due_text: str
    tags: tuple[str, ...]

    def snapshot(self) -> str:
        """The JSON a question_version keeps."""
        return json.dumps(
            {
                "claim": self.claim,
                "criteria": self.criteria,
                "due_at": _iso(self.due.due_at),
                "window_start": _iso(self.due.window_start),
                "precision": self.due.precision.value,
                "due_text": self.due_text,
                "tz": self.due.zone,
                "tags": sorted(self.tags),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    def deadline(self) -> tuple[Any, ...]:
        return (self.due.due_at, self.due.window_start, self.due.precision, self.due.zone)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def edited(current: QuestionFields, changes: QuestionChanges) -> QuestionFields:
    """The question as the edit leaves it (validated); refused when that is no change."""
    claim = clean_text(changes.claim, "claim", limit=2000, multiline=True) or current.claim
    criteria = current.criteria
    if changes.criteria is not None:
        criteria = clean_text(changes.criteria, "criteria", limit=MAX_CRITERIA, multiline=True)
    due = _edited_window(changes.due, changes.window_start, current.due)
    due_text = clean_text(changes.due_text, "due_text")
    if due_text is None:
        due_text = current.due_text if due == current.due else default_due_text(due, due.tz)
    added, removed = _tags(changes.add_tags, "tag"), _tags(changes.remove_tags, "untag")
    tags = tuple(sorted((set(current.tags) | set(added)) - set(removed)))
    result = QuestionFields(claim=claim, criteria=criteria, due=due, due_text=due_text, tags=tags)
    if result == current:
        raise InvalidInput("nothing to change: the question is like that already")
    return result


def _tags(values: Sequence[str], name: str) -> tuple[str, ...]:
    try:
        return normalize_tags(list(values))
    except InvalidInput as exc:
        raise InvalidInput(f"{name}: {exc}") from None


def _edited_window(due: str | None, window_start: str | None, current: DueWindow) -> DueWindow:
    """The new deadline, read in the question's zone: a new due phrase (with its own window,
    or the one given), or the same deadline with a new window start."""
    tz = current.tz
    if due is not None:
        return due_window_from(
            due=due, window_start=window_start, due_at=None, precision=None, tz=tz
        )
    if window_start is None:
        return current
    text = clean_text(window_start, "window_start", required=True)
    assert text is not None
    start = in_range(parse_period(text, tz).start.astimezone(dt.UTC), "window_start")
    if start > current.due_at:
        raise InvalidInput("window_start is after the deadline")
    return DueWindow(due_at=current.due_at, window_start=start, precision=current.precision, tz=tz)
