"""The JSON prediction object, and the reverse: a mapping (seeds, import) to validated input.

The same object is printed by `--json`, written by `export` and read by `import`, so that a
round trip loses nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import (
    DueWindow,
    Precision,
    parse_period,
    parse_zone,
    stored_zone,
)
from tracker.domain.inputs import (
    ImportedPrediction,
    PredictionInput,
    ResolutionInput,
    SourceInput,
    clean_text,
    default_due_text,
    due_window_from,
    in_range,
    make_key,
    normalize_key,
    normalize_tags,
    parse_aware,
    parse_occurred_on,
    parse_outcome,
    parse_probability,
    parse_url,
)
from tracker.errors import InvalidInput
from tracker.io.importchecks import file_via, over_long, tag_list
from tracker.io.questionparts import FieldError as FieldError
from tracker.io.questionparts import question_parts
from tracker.persistence.models import (
    Delivery,
    PredictionRecord,
    PredictionStatus,
    Resolution,
)

PREDICTION_FIELDS = frozenset(
    {
        "id", "key", "claim", "quote", "forecaster", "probability", "due", "due_at",
        "window_start", "precision", "tz", "due_text", "due_label", "tags", "status", "outcome",
        "resolved_at", "occurred_on", "overdue", "snoozed_until", "source", "resolutions",
        "created_at", "updated_at", "criteria", "made_at", "basis", "sources", "forecasts",
        "versions",
    }
)  # fmt: skip
SOURCE_FIELDS = frozenset({"title", "url", "publisher", "author", "published_at", "published"})
_T = TypeVar("_T")
RESOLUTION_FIELDS = frozenset(
    {
        "outcome", "resolved_at", "occurred_on", "note", "evidence_url", "resolved_by", "via",
        "superseded_at", "superseded_note", "came_true",
    }
)  # fmt: skip


@contextlib.contextmanager
def naming(field_name: str) -> Iterator[None]:
    try:
        yield
    except FieldError:
        raise
    except InvalidInput as exc:
        message = str(exc)
        message = message.removeprefix(f"{field_name}: ").removeprefix(f"{field_name} ")
        raise FieldError(field_name, message) from None


def iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def prediction_json(record: PredictionRecord, *, tz: ZoneInfo, now: dt.datetime) -> dict[str, Any]:
    p = record.prediction
    resolution = record.resolution
    source = record.source
    data: dict[str, Any] = {
        "id": p.id,
        "key": p.key,
        "claim": p.claim,
        "quote": p.quote,
        "forecaster": p.forecaster,
        "probability": p.probability,
        "due_at": iso(p.due_at),
        "window_start": iso(p.window_start),
        "precision": p.precision,
        "due_text": p.due_text,
        "due_label": describe_due(
            p.due_at, p.window_start, Precision(p.precision), stored_zone(p.timezone)
        ),
        "tz": p.timezone,
        "tags": list(record.tags),
        "status": p.status,
        "overdue": p.status == PredictionStatus.OPEN and p.due_at < now,
        "snoozed_until": iso(p.snoozed_until),
        "outcome": resolution.outcome if resolution else None,
        "resolved_at": iso(resolution.resolved_at) if resolution else None,
        "occurred_on": iso(resolution.occurred_on) if resolution else None,
        "source": None
        if source is None
        else {
            "title": source.title,
            "url": source.url,
            "publisher": source.publisher,
            "author": source.author,
            "published_at": iso(source.published_at),
        },
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }
    if record.history is not None:
        data["resolutions"] = [resolution_json(r) for r in record.history]
    return data


def delivery_json(row: Delivery, key: str) -> dict[str, Any]:
    """One ledger row as `tracker deliveries --json` and GET /api/v1/deliveries show it."""
    return {
        "id": row.id,
        "prediction": key if row.prediction_id is not None else None,
        "prediction_id": row.prediction_id,
        "proposal_id": row.proposal_id,  # an announcement of new proposals: the first listed
        "reminder": row.reminder,
        "kind": row.kind,
        "channel": row.channel,
        "status": row.status,
        "webhook_id": row.webhook_id,
        "event_type": row.event_type,
        "scheduled_for": iso(row.scheduled_for),
        "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at),
        "lease_owner": row.lease_owner,
        "lease_expires_at": iso(row.lease_expires_at),
        "last_status_code": row.last_status_code,
        "last_duration_ms": row.last_duration_ms,
        "last_error": row.last_error,
        "last_attempt_at": iso(row.last_attempt_at),
        "delivered_at": iso(row.delivered_at),
        "created_at": iso(row.created_at),
        "digest": row.digest,  # "<route>/<period>": held for, or sent as, that digest
        "skipped_reminders": skipped_reminders(row),
    }


def skipped_reminders(row: Delivery) -> list[str]:
    """The earlier reminders this one superseded before they were sent (they have no row)."""
    if row.event_type != "prediction.reminder" or '"skipped":["' not in row.payload:
        return []
    reminder = json.loads(row.payload).get("reminder") or {}
    skipped = reminder.get("skipped")
    return [str(key) for key in skipped] if isinstance(skipped, list) else []


def resolution_json(resolution: Resolution) -> dict[str, Any]:
    return {
        "outcome": resolution.outcome,
        "resolved_at": iso(resolution.resolved_at),
        "occurred_on": iso(resolution.occurred_on),
        "came_true": resolution.came_true,
        "note": resolution.note,
        "evidence_url": resolution.evidence_url,
        "resolved_by": resolution.resolved_by,
        "via": resolution.via,
        "superseded_at": iso(resolution.superseded_at),
        "superseded_note": resolution.superseded_note,
    }


def prediction_from_mapping(
    data: Mapping[str, Any],
    *,
    tz: ZoneInfo,
    now: dt.datetime,
    default_source: SourceInput | None = None,
) -> ImportedPrediction:
    """Validate one record from a seeds file or an export; errors name the field."""
    if not PREDICTION_FIELDS.issuperset(data):
        unknown = sorted(set(data) - PREDICTION_FIELDS)
        raise FieldError(unknown[0], "is not a field of a prediction")
    zone_stated = data.get("tz") not in (None, "")
    if zone_stated:  # a record may state its own zone: its dates are read there, and kept
        tz = _in_field("tz", _record_zone, data["tz"])
    # Read in this order, so that of several bad fields the same one is named as always.
    claim = _in_field("claim", _claim, data.get("claim"))
    due = _due(data, tz)
    forecaster = _in_field("forecaster", clean_text, data.get("forecaster"), "forecaster")
    probability = _in_field("probability", parse_probability, data.get("probability"))
    tags = _in_field("tags", _tags, data.get("tags"))
    quote = _in_field("quote", _quote, data.get("quote"))
    due_text = _in_field("due_text", _due_text, data.get("due_text"), due, tz)
    key = _in_field("key", _key, data.get("key"), claim, due, forecaster)
    created_at = _in_field("created_at", parse_aware, data.get("created_at"), "created_at", tz)
    updated_at = _in_field("updated_at", parse_aware, data.get("updated_at"), "updated_at", tz)
    source = default_source
    if data.get("source") is not None:
        source = _in_field("source", _source, data["source"], tz)
    history = _in_field("resolutions", _history, data, tz, now)
    parts = question_parts(data, tz=tz, source=source, read_source=source_from_mapping)
    prediction = PredictionInput(
        key=key, claim=claim, due=due, due_text=due_text, quote=quote, forecaster=forecaster,
        probability=probability, tags=tags, source=source, created_at=created_at,
        updated_at=updated_at, zone_stated=zone_stated, **_question_fields(data, tz),
    )  # fmt: skip
    item = ImportedPrediction(
        prediction=prediction, history=history, forecasts=parts.forecasts,
        sources=parts.sources, versions=parts.versions,
    )  # fmt: skip
    problem = over_long(item)
    if problem is not None:
        raise FieldError(*problem)
    return item


def _question_fields(data: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """The criteria, and when the first forecast was made and what it rests on."""
    return {
        "criteria": _in_field("criteria", _criteria, data.get("criteria")),
        "made_at": _in_field("made_at", parse_aware, data.get("made_at"), "made_at", tz),
        "basis": _in_field("basis", _basis, data.get("basis")),
    }


def _criteria(value: Any) -> str | None:
    return clean_text(value, "criteria", limit=5000, multiline=True)


def _basis(value: Any) -> str | None:
    return clean_text(value, "basis", limit=500)


def _in_field(name: str, parse: Callable[..., _T], *args: Any) -> _T:
    """parse(*args), its errors named by the record's field `name`. (A plain call
    and a try: a context manager per field cost a third of an import's time.)"""
    try:
        return parse(*args)
    except FieldError:
        raise
    except InvalidInput as exc:
        message = str(exc).removeprefix(f"{name}: ").removeprefix(f"{name} ")
        raise FieldError(name, message) from None
    except OverflowError:  # a 400-digit probability cannot be a float
        raise FieldError(name, "is out of range") from None


def _claim(value: Any) -> str:
    claim = clean_text(value, "claim", required=True, limit=2000, multiline=True)
    assert claim is not None
    return claim


def _due(data: Mapping[str, Any], tz: ZoneInfo) -> DueWindow:
    """The deadline, from a phrase (`due`) or stored values (`due_at`, `precision`)."""
    if data.get("window_start") not in (None, "") and data.get("due_at") in (None, ""):
        # Read alone first, so that its errors name the right field.
        _in_field("window_start", _window_start, data["window_start"], tz)
    return _in_field("due", _due_window, data, tz)


def _due_window(data: Mapping[str, Any], tz: ZoneInfo) -> DueWindow:
    return due_window_from(
        due=data.get("due"),
        window_start=data.get("window_start"),
        due_at=data.get("due_at"),
        precision=data.get("precision"),
        tz=tz,
    )


def _window_start(value: Any, tz: ZoneInfo) -> dt.datetime:
    return in_range(parse_period(str(value), tz).start, "window_start")


def _due_text(value: Any, due: DueWindow, tz: ZoneInfo) -> str:
    return clean_text(value, "due_text") or default_due_text(due, tz)


def _quote(value: Any) -> str | None:
    return clean_text(value, "quote", limit=5000, multiline=True)


def _tags(value: Any) -> tuple[str, ...]:
    return normalize_tags(tag_list(value))


def _key(value: Any, claim: str, due: DueWindow, forecaster: str | None) -> str:
    """The record's key, or one made from its claim, deadline and forecaster."""
    return normalize_key(value) if value not in (None, "") else make_key(claim, due, forecaster)


def _source(value: Any, tz: ZoneInfo) -> SourceInput | None:
    return source_from_mapping(value, tz=tz)


def _history(
    data: Mapping[str, Any], tz: ZoneInfo, now: dt.datetime
) -> tuple[ResolutionInput, ...]:
    return history_from_mapping(data, tz=tz, now=now)


def _record_zone(value: Any) -> ZoneInfo:
    if not isinstance(value, str):
        raise InvalidInput(f"must be a time zone name, not {type(value).__name__}")
    return _cached_zone(value)


_cached_zone = functools.lru_cache(maxsize=256)(parse_zone)  # imports repeat a few zones


def source_from_mapping(data: Any, *, tz: ZoneInfo) -> SourceInput | None:
    if not isinstance(data, Mapping):
        raise InvalidInput("must be a table of title, url, publisher, author, published")
    unknown = sorted(set(data) - SOURCE_FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not a field of a source")
    source = SourceInput(
        title=clean_text(data.get("title"), "title", limit=500),
        url=parse_url(data.get("url"), "url"),
        publisher=clean_text(data.get("publisher"), "publisher"),
        author=clean_text(data.get("author"), "author"),
        published_at=parse_aware(
            data.get("published_at", data.get("published")), "published_at", tz
        ),
    )
    return None if source.is_empty() else source


def history_from_mapping(
    data: Mapping[str, Any], *, tz: ZoneInfo, now: dt.datetime
) -> tuple[ResolutionInput, ...]:
    """The resolution history: the `resolutions` list when present, else the flat outcome."""
    rows = data.get("resolutions")
    if rows in (None, "", []):
        if data.get("outcome") in (None, ""):
            return ()
        rows = [
            {
                "outcome": data["outcome"],
                "resolved_at": data.get("resolved_at") or None,
                "occurred_on": data.get("occurred_on") or None,
            }
        ]
    if not isinstance(rows, list):
        raise InvalidInput("must be a list of resolutions")
    history = tuple(_resolution_from_mapping(row, tz=tz, now=now) for row in rows)
    current = [r for r in history if r.superseded_at is None]
    if len(current) > 1:
        raise InvalidInput("more than one resolution is current (superseded_at empty)")
    if any(r.superseded_at is None for r in history[:-1]):
        raise InvalidInput("only the last resolution may be current")
    return history


def _resolution_from_mapping(row: Any, *, tz: ZoneInfo, now: dt.datetime) -> ResolutionInput:
    if not isinstance(row, Mapping):
        raise InvalidInput("each resolution must be a table")
    unknown = sorted(set(row) - RESOLUTION_FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not a field of a resolution")
    return ResolutionInput(
        outcome=parse_outcome(row.get("outcome")),
        resolved_at=parse_aware(row.get("resolved_at"), "resolved_at", tz) or now,
        occurred_on=parse_occurred_on(row.get("occurred_on"), tz=tz, now=now),
        note=clean_text(row.get("note"), "note", limit=5000, multiline=True),
        evidence_url=parse_url(row.get("evidence_url"), "evidence_url"),
        resolved_by=clean_text(row.get("resolved_by"), "resolved_by"),
        via=file_via(row.get("via")),
        superseded_at=parse_aware(row.get("superseded_at"), "superseded_at", tz),
        superseded_note=clean_text(
            row.get("superseded_note"), "superseded_note", limit=5000, multiline=True
        ),
    )
