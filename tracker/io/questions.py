"""A question's forecasts, sources and versions as JSON: what `show --json` and `list --json`
add to the prediction object (tracker.io.records), which exports of today's format keep as it
was."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.forecasts import in_force
from tracker.io.records import iso, prediction_json
from tracker.persistence.models import Forecast, PredictionRecord, QuestionVersion, Source


def source_json(source: Source) -> dict[str, Any]:
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "author": source.author,
        "published_at": iso(source.published_at),
    }


def forecast_json(forecast: Forecast, record: PredictionRecord) -> dict[str, Any]:
    """One forecast; its source named by URL (the question cites it)."""
    cited = {s.id: s for s in record.sources}
    source = cited.get(forecast.source_id) if forecast.source_id is not None else None
    return {
        "id": forecast.id,
        "forecaster": forecast.forecaster,
        "probability": forecast.probability,
        "made_at": iso(forecast.made_at),
        "quote": forecast.quote,
        "source_url": source.url if source is not None else None,
        "note": forecast.note,
        "basis": forecast.basis,
        "created_at": iso(forecast.created_at),
    }


def version_json(version: QuestionVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "changed_at": iso(version.changed_at),
        "note": version.note,
        "snapshot": json.loads(version.snapshot),
    }


def latest_forecasts_json(
    record: PredictionRecord, at: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Each forecaster's latest forecast (at `at`: the one in force then), in the order they
    first forecast. What a reminder's payload freezes, too."""
    return [
        {"forecaster": f.forecaster, "probability": f.probability, "made_at": iso(f.made_at)}
        for f in in_force(record.forecasts, at).values()
    ]


def question_json(
    record: PredictionRecord, *, tz: ZoneInfo, now: dt.datetime, full: bool = False
) -> dict[str, Any]:
    """The prediction object with the question's criteria and its latest forecast per
    forecaster; full: every forecast, source and version instead."""
    data = prediction_json(record, tz=tz, now=now)
    data["criteria"] = record.prediction.criteria
    if not full:
        data["forecasts"] = latest_forecasts_json(record)
        return data
    data["forecasts"] = [forecast_json(f, record) for f in record.forecasts]
    data["sources"] = [source_json(s) for s in record.sources]
    data["versions"] = [version_json(v) for v in record.versions]
    return data


def export_json(record: PredictionRecord, *, tz: ZoneInfo, now: dt.datetime) -> dict[str, Any]:
    """A question as an export of format 2 writes it: the prediction object (format 1's),
    then its criteria, every source it cites, every forecast (by made_at) and its earlier
    versions (oldest first), then its resolution history. Nothing here is numbered by the
    database it came from, but the question's own id, which format 1 had too."""
    data = prediction_json(record, tz=tz, now=now)
    resolutions = data.pop("resolutions", [])
    urls = {s.id: s.url for s in record.sources}
    data["criteria"] = record.prediction.criteria
    data["sources"] = [source_json(s) for s in record.sources]
    data["forecasts"] = [
        {
            "forecaster": f.forecaster,
            "probability": f.probability,
            "made_at": iso(f.made_at),
            "quote": f.quote,
            "source_url": urls.get(f.source_id) if f.source_id is not None else None,
            "note": f.note,
            "basis": f.basis,
        }
        for f in record.forecasts
    ]
    data["versions"] = [version_json(v) for v in record.versions]
    data["resolutions"] = resolutions
    return data
