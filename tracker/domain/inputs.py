"""Validation of what people type or files hold, shared by the CLI, seeds and import.

Pure: no database, no clock (callers pass `now` and the time zone).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    DueWindow,
    Precision,
    parse_day,
    parse_due,
    parse_instant,
    period_containing,
)

# Re-exported where its callers have always found it.
from tracker.domain.probability import parse_probability as parse_probability
from tracker.enums import Outcome
from tracker.errors import InvalidInput

if TYPE_CHECKING:  # (they import this module)
    from tracker.domain.forecasts import ForecastInput
    from tracker.domain.versions import VersionInput

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
TAG_PATTERN = re.compile(r"^[\w][\w .:/+-]{0,99}$")
MAX_CLAIM = 2000
MAX_TEXT = 200


@dataclass(frozen=True)
class SourceInput:
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    published_at: dt.datetime | None = None

    def is_empty(self) -> bool:
        return not any((self.title, self.url, self.publisher, self.author, self.published_at))


@dataclass(frozen=True)
class PredictionInput:
    """A prediction that passed validation, ready to store."""

    key: str
    claim: str
    due: DueWindow
    due_text: str
    quote: str | None = None
    forecaster: str | None = None
    probability: float | None = None
    criteria: str | None = None  # how the question will be judged
    # When the first forecast (forecaster, probability, quote) was made, and what its
    # probability rests on; made_at None: the writer decides (see forecasts.first_forecast).
    made_at: dt.datetime | None = None
    basis: str | None = None
    tags: tuple[str, ...] = ()
    source: SourceInput | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    # Whether the input named its zone (`tz`), or the deadline was read in the default one:
    # seeding again under another default zone must not move a stored deadline.
    zone_stated: bool = True


@dataclass(frozen=True)
class ResolutionInput:
    outcome: Outcome
    resolved_at: dt.datetime
    occurred_on: dt.date | None = None
    note: str | None = None
    evidence_url: str | None = None
    resolved_by: str | None = None
    via: str = "import"
    superseded_at: dt.datetime | None = None
    superseded_note: str | None = None


@dataclass(frozen=True)
class ImportedPrediction:
    """A question read from a file. forecasts None: the record lists none (seeds, exports of
    format 1), so its forecaster and probability state its one forecast; sources None: it
    cites its `source` alone."""

    prediction: PredictionInput
    history: tuple[ResolutionInput, ...] = field(default=())
    forecasts: tuple[ForecastInput, ...] | None = None
    sources: tuple[SourceInput, ...] | None = None
    versions: tuple[VersionInput, ...] = ()

    def cited(self) -> tuple[SourceInput, ...]:
        """The sources the question cites, in order."""
        if self.sources is not None:
            return self.sources
        source = self.prediction.source
        return () if source is None or source.is_empty() else (source,)


_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates: stored, they
# reach terminals (ESC sequences retitle or clear one) and pages (bidi controls make a claim
# read otherwise than it is stored, as in "Trojan Source", CVE-2021-42574).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Multi-line text (a claim, a quote, a note) keeps its tabs and line breaks, Windows ones too.
_CONTROL_MULTILINE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)


def refuse_control_characters(text: str, name: str, *, multiline: bool = False) -> None:
    """Refuse text that holds a control character, naming the field and the character."""
    if text.isprintable():
        return  # the common case, and quicker than the search
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    if found is not None:
        raise InvalidInput(
            f"{name} must not contain control characters (U+{ord(found.group()[0]):04X} at "
            f"character {found.start() + 1})"
        )


def clean_text(
    value: Any,
    name: str,
    *,
    required: bool = False,
    limit: int = MAX_TEXT,
    multiline: bool = False,
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, not {type(value).__name__}")
    text = value.strip()
    if "\x00" in text:
        raise InvalidInput(f"{name} must not contain NUL characters")
    if not text.isascii() and _SURROGATE.search(text):
        # A lone surrogate (JSON can carry "\ud800") cannot be stored or encoded as UTF-8.
        raise InvalidInput(f"{name} is not valid Unicode (a lone surrogate)")
    if len(text) > limit:
        raise InvalidInput(f"{name} is too long ({len(text)} characters; at most {limit})")
    refuse_control_characters(text, name, multiline=multiline)
    return text


def parse_url(value: Any, name: str) -> str | None:
    text = clean_text(value, name, limit=2000)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # "http://[::1": an unclosed IPv6 address
        raise InvalidInput(f"{name} {text!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise InvalidInput(f"{name} {text!r} is not an http(s) URL")
    return text


def normalize_key(value: Any) -> str:
    text = clean_text(value, "key", required=True, limit=120)
    assert text is not None
    key = text.lower()
    if not KEY_PATTERN.match(key) or key.isdigit():
        raise InvalidInput(
            f"key {text!r} must be lower-case letters, digits, '.', '_' or '-', start with a "
            "letter or digit, and not be a bare number (numbers are ids)"
        )
    return key


def normalize_tags(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return _tags_from_text(values)
    if not isinstance(values, list | tuple):
        raise InvalidInput("tags must be a list of words")
    return tuple(sorted({_tag(value) for value in values}))


@functools.lru_cache(maxsize=4096)  # "syria; russia" recurs across thousands of CSV rows
def _tags_from_text(text: str) -> tuple[str, ...]:
    return tuple(sorted({_tag(part) for part in re.split(r"[;,]", text) if part.strip()}))


@functools.lru_cache(maxsize=4096)  # a few tags recur across thousands of imported rows
def _tag(value: Any) -> str:
    tag = clean_text(value, "tag", required=True, limit=100)
    assert tag is not None
    tag = tag.lower()
    if not TAG_PATTERN.match(tag):
        raise InvalidInput(f"tag {tag!r} may hold letters, digits, spaces and . : / + - only")
    return tag


def make_key(claim: str, due: DueWindow, forecaster: str | None) -> str:
    """A readable key that stays the same for the same claim, deadline and forecaster."""
    ascii_claim = unicodedata.normalize("NFKD", claim).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_claim.lower())
    slug = "-".join(words[:8])[:60].strip("-") or "prediction"
    digest = hashlib.sha256(
        "|".join(
            [" ".join(claim.lower().split()), due.due_at.isoformat(), forecaster or ""]
        ).encode()
    ).hexdigest()[:6]
    return f"{slug}-{digest}"


@functools.lru_cache(maxsize=4096)  # imports repeat the same few deadlines many times
def default_due_text(due: DueWindow, tz: ZoneInfo) -> str:
    label = describe_due(due.due_at, due.window_start, due.precision, tz)
    if due.window_start is None:
        return f"by {label}"
    return f"in {label}" if "\N{EN DASH}" not in label else label


def parse_aware(value: Any, name: str, tz: ZoneInfo) -> dt.datetime | None:
    """An ISO 8601 time (or a date, read in tz) as aware UTC, within the years we store."""
    if type(value) is str and value[-1:] == "Z" and "T" in value:  # as exports write them
        try:
            return in_range(dt.datetime.fromisoformat(value), name)  # "Z" reads as UTC
        except ValueError:
            pass  # read below, which names what is wrong
    try:
        moment = _parse_aware(value, name, tz)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        moment = dt.datetime.min.replace(tzinfo=dt.UTC)
    return None if moment is None else in_range(moment, name)


def _parse_aware(value: Any, name: str, tz: ZoneInfo) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=tz)
        return aware.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tz).astimezone(dt.UTC)
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a date or time")
    if "T" in value:  # the ISO 8601 times exports hold: the standard library reads them fast
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            aware = moment if moment.tzinfo else moment.replace(tzinfo=tz)
            return aware.astimezone(dt.UTC)
    try:
        return parse_instant(value, tz)
    except InvalidInput as exc:
        raise InvalidInput(f"{name}: {exc}") from None


_PRECISIONS = {p.value: p for p in Precision}


def parse_precision(value: Any) -> Precision:
    precision = _PRECISIONS.get(str(value).strip().lower())
    if precision is None:
        choices = ", ".join(_PRECISIONS)
        raise InvalidInput(f"precision {value!r} is not one of {choices}")
    return precision


def parse_outcome(value: Any) -> Outcome:
    try:
        return Outcome(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(f"outcome {value!r} is not one of yes, no, annulled") from None


def due_window_from(
    *, due: Any, window_start: Any, due_at: Any, precision: Any, tz: ZoneInfo
) -> DueWindow:
    """Either a due phrase (`due`, optional `window_start`) or stored values (`due_at`, ...)."""
    if due_at not in (None, ""):
        if isinstance(due_at, str) and _str_or_none(window_start) and _str_or_none(precision):
            return _cached_stored_window(due_at, window_start, precision, tz)
        return _stored_window(due_at, window_start, precision, tz)
    if isinstance(due, dt.date) and not isinstance(due, dt.datetime):
        due = due.isoformat()  # a TOML date (due = 2025-02-20) reads like its text
    text = clean_text(due, "due", required=True)
    assert text is not None
    start_text = clean_text(window_start, "window_start")
    return _in_range(parse_due(text, tz, start_text))


def _str_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _stored_window(due_at: Any, window_start: Any, precision: Any, tz: ZoneInfo) -> DueWindow:
    """A window from stored values: due_at must be the last instant of its period."""
    instant = parse_aware(due_at, "due_at", tz)
    assert instant is not None
    start = parse_aware(window_start, "window_start", tz)
    if start is not None and start > instant:
        raise InvalidInput("window_start is after due_at")
    level = parse_precision(precision) if precision not in (None, "") else Precision.INSTANT
    # A deadline is the last instant of its period; anything else would fall due early
    # while its label promised the whole period.
    expected = _period_end(instant, level, tz)
    if instant != expected:
        raise InvalidInput(
            f"due_at {instant.isoformat()} is not the end of a {level.value} in {tz.key} "
            f"(that would be {expected.isoformat()})"
        )
    return _in_range(DueWindow(due_at=instant, window_start=start, precision=level, tz=tz))


# Exports repeat the same deadlines (ends of months, quarters) across thousands of rows.
_cached_stored_window = functools.lru_cache(maxsize=4096)(_stored_window)


EARLIEST_DUE_YEAR, LATEST_DUE_YEAR = EARLIEST_YEAR, LATEST_YEAR


def _in_range(window: DueWindow) -> DueWindow:
    if not EARLIEST_DUE_YEAR <= window.due_at.year <= LATEST_DUE_YEAR:
        raise InvalidInput(
            f"a deadline must fall between the years {EARLIEST_DUE_YEAR} and {LATEST_DUE_YEAR}"
        )
    if window.window_start is not None:
        in_range(window.window_start, "window_start")
    return window


def in_range(moment: dt.datetime, name: str) -> dt.datetime:
    """Every stored time (window start, published, created, resolved) is kept to the years
    a deadline may have, so that reading it in any zone or a step from it cannot overflow."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InvalidInput(f"{name} must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


@functools.lru_cache(maxsize=4096)  # imports repeat the same few deadlines many times
def _period_end(instant: dt.datetime, precision: Precision, tz: ZoneInfo) -> dt.datetime:
    return period_containing(instant, precision, tz).end.astimezone(dt.UTC)


def parse_occurred_on(value: Any, *, tz: ZoneInfo, now: dt.datetime) -> dt.date | None:
    """The day an event happened: a calendar day, not in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        raise InvalidInput("occurred_on must be a day (YYYY-MM-DD), not a time")
    day = value if isinstance(value, dt.date) else parse_day(str(value))
    return check_occurred_on(day, tz=tz, now=now)


def check_occurred_on(
    day: dt.date, *, tz: ZoneInfo, now: dt.datetime, name: str = "occurred_on"
) -> dt.date:
    """Every front end's rule for the day an event happened: in the years we keep, and not
    after today (in tz)."""
    if day.year < EARLIEST_YEAR:
        raise InvalidInput(f"{name} must fall in or after the year {EARLIEST_YEAR}")
    if day > now.astimezone(tz).date():
        raise InvalidInput(f"{name} {day.isoformat()} is in the future")
    return day
