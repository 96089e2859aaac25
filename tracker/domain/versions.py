"""A question's earlier version as a file states it (an export's "versions"): checked here
before it is stored, since `show` reads every field of its snapshot.

Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import Precision, parse_zone
from tracker.domain.inputs import MAX_CLAIM, clean_text, normalize_tags, parse_aware
from tracker.errors import InvalidInput

VERSION_FIELDS = frozenset({"version", "changed_at", "note", "snapshot"})
# What QuestionFields.snapshot() keeps: the question's fields before an edit.
SNAPSHOT_FIELDS = frozenset(
    {"claim", "criteria", "due_at", "window_start", "precision", "due_text", "tz", "tags"}
)
MAX_NOTE = 5000
MAX_VERSION = 2**31 - 1  # an INTEGER column


@dataclass(frozen=True)
class VersionInput:
    version: int  # 1 is the original
    changed_at: dt.datetime
    note: str  # why it was edited
    snapshot: str  # JSON, as question_version.snapshot holds it


def versions_input(value: Any, *, tz: ZoneInfo) -> tuple[VersionInput, ...]:
    """A list of versions, numbered upwards (oldest first)."""
    if value in (None, "", []):
        return ()
    if not isinstance(value, list):
        raise InvalidInput("must be a list of versions")
    versions = []
    for index, raw in enumerate(value, start=1):
        try:
            versions.append(version_input(raw, tz=tz))
        except InvalidInput as exc:
            raise InvalidInput(f"[{index}]: {exc}") from None
        if len(versions) > 1 and versions[-1].version <= versions[-2].version:
            raise InvalidInput(f"[{index}]: version numbers must go up, oldest first")
    return tuple(versions)


def version_input(raw: Any, *, tz: ZoneInfo) -> VersionInput:
    if not isinstance(raw, Mapping):
        raise InvalidInput("each version must be a table")
    unknown = sorted(set(raw) - VERSION_FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not a field of a version")
    number = raw.get("version")
    if type(number) is not int or not 1 <= number <= MAX_VERSION:
        raise InvalidInput("version must be a whole number from 1")
    changed_at = parse_aware(raw.get("changed_at"), "changed_at", tz)
    if changed_at is None:
        raise InvalidInput("changed_at is required")
    note = clean_text(raw.get("note"), "note", required=True, limit=MAX_NOTE, multiline=True)
    assert note is not None
    return VersionInput(number, changed_at, note, snapshot_text(raw.get("snapshot")))


def snapshot_text(value: Any) -> str:
    """A snapshot checked field by field and written as QuestionFields.snapshot() writes one;
    its values are kept as they are, so that it reads back the same."""
    if not isinstance(value, Mapping):
        raise InvalidInput("snapshot must be a table of the question's fields")
    unknown = sorted(set(value) - SNAPSHOT_FIELDS)
    missing = sorted(SNAPSHOT_FIELDS - set(value))
    if unknown or missing:
        name = (unknown or missing)[0]
        raise InvalidInput(f"snapshot: {name!r} is {'not a field' if unknown else 'missing'}")
    try:
        _check_snapshot(value)
    except InvalidInput as exc:
        raise InvalidInput(f"snapshot: {exc}") from None
    except ValueError:  # not a precision
        raise InvalidInput(f"snapshot: precision {value['precision']!r} is unknown") from None
    return json.dumps(dict(value), ensure_ascii=False, sort_keys=True)


def _check_snapshot(value: Mapping[str, Any]) -> None:
    clean_text(value["claim"], "claim", required=True, limit=MAX_CLAIM, multiline=True)
    clean_text(value["criteria"], "criteria", limit=MAX_NOTE, multiline=True)
    clean_text(value["due_text"], "due_text", required=True)
    utc = ZoneInfo("UTC")
    if parse_aware(value["due_at"], "due_at", utc) is None:
        raise InvalidInput("due_at is required")
    parse_aware(value["window_start"], "window_start", utc)
    Precision(value["precision"])
    if not isinstance(value["tz"], str):
        raise InvalidInput("tz must be a time zone name")
    parse_zone(value["tz"])
    tags = value["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("tags must be a list of words")
    if list(normalize_tags(tags)) != sorted(tags):
        raise InvalidInput("tags must be written as tracker writes them (sorted, lower case)")
