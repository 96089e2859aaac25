"""What a question record of an export (format 2) holds beside the prediction's fields: the
sources it cites, every forecast and its earlier versions, read and checked. Records without
them (seeds, exports of format 1) leave them to the writer: see ImportedPrediction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.forecasts import ForecastInput, forecast_input
from tracker.domain.inputs import SourceInput
from tracker.domain.versions import VersionInput, versions_input
from tracker.errors import InvalidInput


class FieldError(InvalidInput):
    """A bad value in a named field of a record (so file loaders can point at its line);
    index: which forecast of the record, when it is one of them."""

    def __init__(self, field_name: str, message: str, index: int | None = None) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message
        self.index = index


class ForecastError(InvalidInput):
    """A bad value in the index-th forecast of a record (0 first), so that a CSV file, which
    holds a forecast a row, can name that row's line."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class QuestionParts:
    forecasts: tuple[ForecastInput, ...] | None
    sources: tuple[SourceInput, ...] | None
    versions: tuple[VersionInput, ...]


def sources_input(value: Any, *, tz: ZoneInfo, read_source: Any) -> tuple[SourceInput, ...] | None:
    """The `sources` list (each read by read_source(mapping, tz=...)); None when absent."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInput("must be a list of sources")
    sources = []
    for index, raw in enumerate(value, start=1):
        try:
            source = read_source(raw, tz=tz)
        except InvalidInput as exc:
            raise InvalidInput(f"[{index}]: {exc}") from None
        if source is not None:
            sources.append(source)
    return tuple(sources)


def forecasts_input(
    value: Any, *, tz: ZoneInfo, cited: tuple[SourceInput, ...]
) -> tuple[ForecastInput, ...] | None:
    """The `forecasts` list; None when absent. A forecast's source_url names one of the
    sources the question cites (taken whole), else a source known by its URL alone."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInput("must be a list of forecasts")
    by_url = {source.url: source for source in cited if source.url}
    forecasts = []
    for index, raw in enumerate(value):
        if type(raw) is not dict and not isinstance(raw, Mapping):
            raise ForecastError(index, f"[{index + 1}]: each forecast must be a table")
        try:
            forecast = forecast_input(raw, tz=tz)
        except InvalidInput as exc:
            raise ForecastError(index, f"[{index + 1}]: {exc}") from None
        except OverflowError:  # a 400-digit probability cannot be a float
            raise ForecastError(index, f"[{index + 1}]: probability is out of range") from None
        if by_url and forecast.source is not None and forecast.source.url in by_url:
            forecast = dc_replace(forecast, source=by_url[forecast.source.url])
        forecasts.append(forecast)
    return tuple(forecasts)


def question_parts(
    data: Mapping[str, Any], *, tz: ZoneInfo, source: SourceInput | None, read_source: Any
) -> QuestionParts:
    """Sources, forecasts and versions of one record; errors name the field (the caller
    adds the record's line)."""
    try:
        sources = sources_input(data.get("sources"), tz=tz, read_source=read_source)
    except InvalidInput as exc:
        raise FieldError("sources", str(exc)) from None
    cited = sources if sources is not None else (() if source is None else (source,))
    try:
        forecasts = forecasts_input(data.get("forecasts"), tz=tz, cited=cited)
    except ForecastError as exc:
        raise FieldError("forecasts", str(exc), exc.index) from None
    except InvalidInput as exc:
        raise FieldError("forecasts", str(exc)) from None
    try:
        versions = versions_input(data.get("versions"), tz=tz)
    except InvalidInput as exc:
        raise FieldError("versions", str(exc)) from None
    return QuestionParts(forecasts=forecasts, sources=sources, versions=versions)
