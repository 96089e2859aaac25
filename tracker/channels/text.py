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


DIGEST = "digest"
PROPOSAL = "proposal"  # new proposals found in an article, waiting for a person
EVIDENCE = "evidence"  # an article reports how an open question ended, waiting for a person


def evidence_headline(data: Mapping[str, Any]) -> str:
    """ "The news says yes: <claim>"."""
    found = data.get("evidence") or {}
    claim = (data.get("prediction") or {}).get("claim") or found.get("claim") or ""
    return _flat(f"The news says {found.get('outcome') or '?'}: {claim}")


def evidence_text(data: Mapping[str, Any]) -> str:
    """What the article says, and how to accept it: "<quote>" (happened 2025-02-18; score
    0.96; <title or url>) [key]: tracker evidence accept 4"."""
    found = data.get("evidence") or {}
    source = found.get("source") or {}
    details = [f"happened {found['occurred_on']}"] if found.get("occurred_on") else []
    details.append(f"score {found.get('score')}")
    if source.get("title") or source.get("url"):
        details.append(str(source.get("title") or source.get("url")))
    key = (data.get("prediction") or {}).get("key") or found.get("question")
    return _flat(
        f'"{found.get("quote") or ""}" ({"; ".join(details)}) [{key}]: {found.get("accept") or ""}'
    )


def digest_headline(data: Mapping[str, Any]) -> str:
    """ "Digest: 3 items (daily 08:00, Europe/Berlin)"."""
    items = data.get("items") or []
    schedule = (data.get("digest") or {}).get("schedule")
    noun = "item" if len(items) == 1 else "items"
    return f"Digest: {len(items)} {noun}" + (f" ({schedule})" if schedule else "")


def digest_lines(data: Mapping[str, Any], now: dt.datetime, tz: ZoneInfo) -> list[str]:
    """One line per item a digest lists, in the wording of a message of its own."""
    return [digest_item_line(item, now, tz) for item in data.get("items") or []]


def digest_item_line(item: Mapping[str, Any], now: dt.datetime, tz: ZoneInfo) -> str:
    """ "Overdue by 9 days: <claim> (due February 2025; ISW 35%) [key]"."""
    kind = (item.get("reminder") or {}).get("kind")
    prediction = item.get("prediction") or {}
    if kind == PROPOSAL:
        return _flat(f"{proposal_headline(item)}: {'; '.join(proposal_lines(item))}")
    if kind == EVIDENCE:
        return _flat(f"{evidence_headline(item)} {evidence_text(item)}")
    if kind == "stale-forecast" and prediction:
        return _flat(stale_forecast_text(item, now, tz))
    if not prediction:
        return _flat(f"{kind or 'event'}")
    details = [f"due {due_label(prediction, tz)}"]
    if forecasts_line(item):
        details.append(forecasts_line(item))
    if kind == "resolved":
        resolution = item.get("resolution") or {}
        head = f"Resolved {resolution.get('outcome') or prediction.get('outcome') or '?'}"
    else:
        word, when = timing(str(kind), dt.datetime.fromisoformat(prediction["due_at"]), now)
        head = f"{word} {when}"
    return _flat(f"{head}: {prediction['claim']} ({'; '.join(details)}) [{prediction['key']}]")


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def proposal_headline(data: Mapping[str, Any]) -> str:
    """ "New proposal from <article title>" or "3 new proposals from <feed>"."""
    count = len(data.get("proposals") or [])
    article = data.get("article") or {}
    where = article.get("title") or article.get("feed") or article.get("url")
    noun = "New proposal" if count == 1 else f"{count} new proposals"
    return _flat(f"{noun} from {where}" if where else noun)


def proposal_details(entry: Mapping[str, Any]) -> str:
    """ "due February 2025; ISW 35%; matches KEY, 0.82"."""
    details = [f"due {entry.get('due') or entry.get('due_at')}"]
    probability = entry.get("probability")
    chance = format_probability(probability) if isinstance(probability, int | float) else ""
    said = " ".join(part for part in (_flat(entry.get("forecaster") or ""), chance) if part)
    if said:
        details.append(said)
    match = entry.get("match")
    if match:
        score = match.get("score")
        shown = f", {score:.2f}" if isinstance(score, int | float) else ""
        details.append(f"matches {match.get('key')}{shown}")
    return _flat("; ".join(details))


def proposal_accept(entry: Mapping[str, Any]) -> str:
    return str(entry.get("accept") or f"tracker proposals accept {entry.get('id')}")


def proposal_line(entry: Mapping[str, Any]) -> str:
    """ "<claim> (due February 2025; ISW 35%; matches KEY, 0.82): tracker proposals accept 5"."""
    return _flat(f"{entry.get('claim')} ({proposal_details(entry)}): {proposal_accept(entry)}")


def proposal_lines(data: Mapping[str, Any]) -> list[str]:
    """A line per proposal, then where to review them when the page's address is known."""
    lines = [proposal_line(entry) for entry in data.get("proposals") or []]
    page = data.get("page")
    return [*lines, f"Review them at {page}"] if page else lines
