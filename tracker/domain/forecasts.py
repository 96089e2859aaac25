"""Forecasts on a question: what one is, which is in force when, and when a question closes.

A forecast is a forecaster's probability as of made_at. Forecasts are never edited: a revision
is a new forecast, and of one forecaster's forecasts the latest made at or before a time (by
made_at, then by id) is the one in force then.

Pure: no database, no clock (callers pass `now`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import UTC_ZONE
from tracker.domain.inputs import PredictionInput, SourceInput, clean_text, parse_aware, parse_url
from tracker.domain.probability import parse_probability
from tracker.errors import InvalidInput

# How far ahead of the clock a forecast may be dated: clocks disagree by a little.
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_BASIS = 500
MAX_NOTE = 5000

FORECAST_FIELDS = frozenset(
    {"forecaster", "probability", "made_at", "quote", "source_url", "note", "basis"}
)


@dataclass(frozen=True)
class ForecastInput:
    """A forecast that passed validation. made_at None: the writer's `now`."""

    forecaster: str
    probability: float
    made_at: dt.datetime | None = None
    quote: str | None = None
    source: SourceInput | None = None
    note: str | None = None
    basis: str | None = None  # why this probability: "implied by 'may' (ICD 203: ...)"


# A probability stated without a forecaster (allowed since the first release, and scored then)
# is still a forecast: it is kept, and scored, under this name.
UNNAMED_FORECASTER = "unnamed"


def first_forecast(data: PredictionInput, *, made_at: dt.datetime) -> ForecastInput | None:
    """The forecast a new question states, when it states a probability (by its forecaster,
    else UNNAMED_FORECASTER); made at the input's own made_at, else at `made_at`."""
    if data.probability is None:
        return None
    return ForecastInput(
        forecaster=data.forecaster or UNNAMED_FORECASTER,
        probability=data.probability,
        made_at=data.made_at or made_at,
        quote=data.quote,
        source=data.source,
        basis=data.basis,
    )


def stated_at(data: PredictionInput, *, now: dt.datetime) -> dt.datetime:
    """When a stored or imported forecast was made, if the record does not say: when its
    source was published, else when it was stored, else now (as migration 0009 reads it)."""
    if data.made_at is not None:
        return data.made_at
    if data.source is not None and data.source.published_at is not None:
        return data.source.published_at
    return data.created_at or now


def forecast_input(raw: Mapping[str, Any], *, tz: ZoneInfo = UTC_ZONE) -> ForecastInput:
    """Validate a forecast's fields (forecaster, probability; made_at, quote, source_url,
    note, basis). A made_at without an offset is read in tz (UTC unless given).

    An import reads 100,000 of these: fields left out are not looked at, and a forecaster's
    name, which recurs, is checked once."""
    if not FORECAST_FIELDS.issuperset(raw):
        unknown = sorted(set(raw) - FORECAST_FIELDS)
        raise InvalidInput(f"{unknown[0]!r} is not a field of a forecast")
    get = raw.get
    name = get("forecaster")
    forecaster = _forecaster(name) if type(name) is str else _forecaster.__wrapped__(name)
    probability = parse_probability(get("probability"))
    if probability is None:
        raise InvalidInput("probability is required")
    url, made_at, quote, note, basis = (
        get("source_url"), get("made_at"), get("quote"), get("note"), get("basis")
    )  # fmt: skip
    return ForecastInput(
        forecaster=forecaster,
        probability=probability,
        made_at=None if made_at in _LEFT_OUT else parse_aware(made_at, "made_at", tz),
        quote=None if quote in _LEFT_OUT else _text(quote, "quote", MAX_NOTE, multiline=True),
        source=None if url in _LEFT_OUT else _source(url),
        note=None if note in _LEFT_OUT else _text(note, "note", MAX_NOTE, multiline=True),
        basis=None if basis in _LEFT_OUT else _text(basis, "basis", MAX_BASIS),
    )


_LEFT_OUT = (None, "")  # a field not given (CSV files give empty cells)


@functools.lru_cache(maxsize=4096)  # a few forecasters make most of an import's forecasts
def _forecaster(value: Any) -> str:
    forecaster = clean_text(value, "forecaster", required=True)
    assert forecaster is not None
    return forecaster


def _text(value: Any, name: str, limit: int, *, multiline: bool = False) -> str | None:
    return clean_text(value, name, limit=limit, multiline=multiline)


def _source(value: Any) -> SourceInput | None:
    url = parse_url(value, "source_url")
    return SourceInput(url=url) if url else None


def check_made_at(made_at: dt.datetime, *, close: dt.datetime, now: dt.datetime) -> dt.datetime:
    """A forecast's time, as the rules allow it: before the question closed, and not in the
    future (beyond a few minutes of clock skew)."""
    if made_at > now + CLOCK_SKEW:
        raise InvalidInput(f"made_at {_iso(made_at)} is in the future")
    if made_at >= close:
        raise InvalidInput(
            f"the question closed at {_iso(close)}; a forecast made at {_iso(made_at)} "
            "would be made knowing the answer"
        )
    return made_at


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def close_time(
    due_at: dt.datetime,
    resolved_at: dt.datetime | None = None,
    occurred_on: dt.date | None = None,
    tz: ZoneInfo = UTC_ZONE,
) -> dt.datetime:
    """When a question closes: the earliest of its deadline, when it was resolved, and the
    start (in the deadline's zone) of the day the event happened."""
    times = [due_at]
    if resolved_at is not None:
        times.append(resolved_at)
    if occurred_on is not None:
        times.append(dt.datetime.combine(occurred_on, dt.time(), tz).astimezone(dt.UTC))
    return min(times)


class ForecastLike(Protocol):
    @property
    def forecaster(self) -> str: ...
    @property
    def made_at(self) -> dt.datetime: ...
    @property
    def id(self) -> int | None: ...


F = TypeVar("F", bound=ForecastLike)


def in_force(forecasts: Iterable[F], at: dt.datetime | None = None) -> dict[str, F]:
    """Each forecaster's forecast in force at `at` (the latest made at or before it; two at
    the same time: the later id), in the order the forecasters first forecast. at None:
    each one's latest."""
    chosen: dict[str, F] = {}
    for forecast in sorted(forecasts, key=order):
        if at is None or forecast.made_at <= at:
            chosen[forecast.forecaster] = forecast
    return chosen


def order(forecast: ForecastLike) -> tuple[dt.datetime, int]:
    """The order of forecasts: by made_at, then by id (one not stored yet comes last)."""
    return (forecast.made_at, forecast.id if forecast.id is not None else 2**63)
