"""What `tracker add` was given, read into a validated prediction: each option by its own
validator (tracker.domain.inputs), each error naming the flag that was typed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from tracker.domain.inputs import PredictionInput, SourceInput

# The flag that gives each field of a prediction, so that an error can name what was typed.
FIELD_FLAGS = {
    "claim": "CLAIM",
    "due": "--due",
    "window_start": "--window-start",
    "tz": "--tz",
    "forecaster": "--forecaster",
    "probability": "--probability",
    "quote": "--quote",
    "due_text": "--due-text",
    "tags": "--tag",
    "key": "--key",
    "criteria": "--criteria",
    "made_at": "--made-at",
}
SOURCE_FLAGS = {
    "title": "--source-title",
    "url": "--source-url",
    "publisher": "--source-publisher",
    "published_at": "--source-published",
}


@dataclass(frozen=True)
class AddOptions:
    """What `tracker add` was given, as typed (None: not given)."""

    claim: str
    due: str
    window_start: str | None = None
    tz: str | None = None
    forecaster: str | None = None
    probability: str | None = None
    quote: str | None = None
    due_text: str | None = None
    tags: tuple[str, ...] = ()
    key: str | None = None
    source: dict[str, str | None] = field(default_factory=dict)  # SOURCE_FLAGS' fields
    criteria: str | None = None
    made_at: str | None = None


@contextlib.contextmanager
def _flag(flag: str, field_name: str = "") -> Iterator[None]:
    """Errors raised inside name the flag: "--due: ...". The validators word their messages
    for any front end, starting with the field's name, which gives way to the flag's."""
    try:
        yield
    except InvalidInput as exc:
        reason = str(exc)
        if field_name:
            reason = reason.removeprefix(f"{field_name}: ").removeprefix(f"{field_name} ")
        raise InvalidInput(f"{flag}: {reason}") from None
    except OverflowError:
        raise InvalidInput(f"{flag}: is out of range") from None


def _field(name: str) -> Any:
    """The flag of a field, for errors in it."""
    return _flag(FIELD_FLAGS[name], name)


def validated_prediction(options: AddOptions, *, default_tz: ZoneInfo) -> PredictionInput:
    """The input `tracker add` describes, each option read by its own validator; the first
    error names its flag."""
    from tracker.domain import inputs
    from tracker.domain.deadlines import UTC_ZONE, parse_period, parse_zone

    o = options
    with _field("tz"):
        tz = parse_zone(o.tz) if o.tz else default_tz
    with _field("claim"):
        claim = inputs.clean_text(o.claim, "claim", required=True, limit=2000, multiline=True)
        assert claim is not None
    if o.window_start:
        with _field("window_start"):  # read alone first, so that its errors name it
            inputs.in_range(parse_period(o.window_start, tz).start, "window_start")
    with _field("due"):
        due = inputs.due_window_from(
            due=o.due, window_start=o.window_start, due_at=None, precision=None, tz=tz
        )
    with _field("forecaster"):
        forecaster = inputs.clean_text(o.forecaster, "forecaster")
    with _field("probability"):
        probability = inputs.parse_probability(o.probability)
    with _field("tags"):
        tags = inputs.normalize_tags(list(o.tags))
    with _field("quote"):
        quote = inputs.clean_text(o.quote, "quote", limit=5000, multiline=True)
    with _field("due_text"):
        due_text = inputs.clean_text(o.due_text, "due_text") or inputs.default_due_text(due, tz)
    with _field("key"):
        key = inputs.normalize_key(o.key) if o.key else inputs.make_key(claim, due, forecaster)
    with _field("criteria"):
        criteria = inputs.clean_text(o.criteria, "criteria", limit=5000, multiline=True)
    with _field("made_at"):  # UTC unless it has an offset, as `tracker forecast --at`
        made_at = inputs.parse_aware(o.made_at, "made_at", UTC_ZONE)
    prediction = inputs.PredictionInput(
        key=key, claim=claim, due=due, due_text=due_text, quote=quote, forecaster=forecaster,
        probability=probability, tags=tags, source=_source(o.source, tz), criteria=criteria,
        made_at=made_at,
    )  # fmt: skip
    _refuse_over_long(prediction)
    return prediction


def _source(given: dict[str, str | None], tz: ZoneInfo) -> SourceInput | None:
    from tracker.domain.inputs import SourceInput, clean_text, parse_aware, parse_url

    with _flag(SOURCE_FLAGS["title"]):
        title = clean_text(given.get("title"), "title", limit=500)
    with _flag(SOURCE_FLAGS["url"]):
        url = parse_url(given.get("url"), "url")
    with _flag(SOURCE_FLAGS["publisher"]):
        publisher = clean_text(given.get("publisher"), "publisher")
    with _flag(SOURCE_FLAGS["published_at"]):
        published_at = parse_aware(given.get("published_at"), "published_at", tz)
    source = SourceInput(title=title, url=url, publisher=publisher, published_at=published_at)
    return None if source.is_empty() else source


def _refuse_over_long(prediction: PredictionInput) -> None:
    """Texts longer than their columns hold, named by flag (a source's reason starts with the
    name of its field: "title is too long ...")."""
    from tracker.domain.inputs import ImportedPrediction
    from tracker.io.importchecks import over_long

    problem = over_long(ImportedPrediction(prediction=prediction))
    if problem is None:
        return
    name, reason = problem
    if name == "source":
        flag = SOURCE_FLAGS.get(reason.split(" ", 1)[0], SOURCE_FLAGS["url"])
    else:
        flag = FIELD_FLAGS.get(name, "--" + name.replace("_", "-"))
    raise InvalidInput(f"{flag}: {reason}")
