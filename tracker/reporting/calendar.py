"""The calendar feed (RFC 5545): one all-day event per open question, built with icalendar.

Pure: the questions, the clock reading and the settings come from the caller (the feed's
reads are in tracker.reporting.calendar_feed), so every rule here is tested on plain values.

- The event spans the deadline's window when the question has one ("in March 2025": 1 to 31
  March), else the deadline's day alone ("by February 2025": 28 February); both read in the
  zone the deadline was stated in, since an all-day event has no zone of its own. DTEND is
  the day after the last one: all-day ends are exclusive (RFC 5545 3.6.1).
- The title keeps the precision ("... (by February 2025)"), never a made-up day.
- UIDs come from the question's key, which no edit changes and an export carries to another
  database: a client updates the event instead of adding a second one. SEQUENCE counts the
  question's earlier versions, so a moved deadline or an edited claim outranks the old copy.
- An alarm per reminder lead time fires that long before the deadline's day (for a window,
  the trigger is counted from its first day, where RELATED=START puts it; clients differ on
  RELATED=END, so it is not used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event, vDuration, vText

from tracker.channels.text import format_probability, resolve_command
from tracker.domain.deadlines import DueWindow, Precision, local_date, stored_zone
from tracker.domain.durations import format_duration
from tracker.domain.forecasts import in_force
from tracker.domain.inputs import default_due_text
from tracker.persistence.models import Prediction, PredictionRecord

PRODID = "-//tracker//calendar feed//EN"
# The domain part of every UID: fixed, so that UIDs stay the same wherever the feed is served.
UID_DOMAIN = "tracker"
# How often subscribed clients are asked to fetch the feed again (RFC 7986, and Outlook's own).
REFRESH = dt.timedelta(hours=1)
MEDIA_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class FeedQuestion:
    """An open question and how many earlier versions it has (its SEQUENCE)."""

    record: PredictionRecord
    versions: int = 0


def question_uid(key: str) -> str:
    """`question-<key>@tracker`, the key percent-encoded so that any key makes a plain UID."""
    return f"question-{quote(key, safe='')}@{UID_DOMAIN}"


def deadline_window(prediction: Prediction) -> DueWindow:
    return DueWindow(
        due_at=prediction.due_at,
        window_start=prediction.window_start,
        precision=Precision(prediction.precision),
        tz=stored_zone(prediction.timezone),
    )


def event_days(prediction: Prediction) -> tuple[dt.date, dt.date]:
    """The event's first and last day (inclusive), in the deadline's own zone."""
    tz = stored_zone(prediction.timezone)
    last = local_date(prediction.due_at, tz)
    first = last if prediction.window_start is None else local_date(prediction.window_start, tz)
    return min(first, last), last


def deadline_phrase(prediction: Prediction) -> str:
    """ "by February 2025", "in March 2025", or the window's two ends: read in its own zone."""
    due = deadline_window(prediction)
    return default_due_text(due, due.tz)


def title(prediction: Prediction) -> str:
    claim = " ".join(prediction.claim.split())  # a SUMMARY is one line
    return f"{claim} ({deadline_phrase(prediction)})"


def alarm_triggers(
    first: dt.date, last: dt.date, lead_times: Iterable[dt.timedelta]
) -> list[dt.timedelta]:
    """Each lead time before the deadline's day, as an offset from the event's start (its
    first day), longest lead first: -P7D for a one-day event, P23D for all of March."""
    span = dt.timedelta(days=(last - first).days)
    return [span - lead for lead in sorted(set(lead_times), reverse=True)]


def description(item: FeedQuestion, *, now: dt.datetime, url: str | None) -> str:
    p = item.record.prediction
    phrase = deadline_phrase(p)
    lines = [f"Deadline: {phrase} ({p.timezone})"]
    if p.due_text.strip() and p.due_text.strip() != phrase:
        lines.append(f'As stated: "{p.due_text}"')
    lines.append(f"Criteria: {p.criteria}" if p.criteria else "Criteria: none written yet")
    forecasts = in_force(item.record.forecasts, now).values()
    if forecasts:
        lines.append("Forecasts in force:")
        lines += [
            f"- {f.forecaster}: {format_probability(f.probability)} "
            f"(since {f.made_at.astimezone(dt.UTC):%Y-%m-%d})"
            for f in forecasts
        ]
    else:
        lines.append("Forecasts in force: none")
    if item.record.tags:
        lines.append(f"Tags: {', '.join(item.record.tags)}")
    lines.append(f"Resolve: {resolve_command(p.key)}")
    if url:
        lines.append(url)
    return "\n".join(lines)


def question_url(public_url: str | None, key: str) -> str | None:
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/api/v1/questions/{quote(key, safe='')}"


def build_event(
    item: FeedQuestion,
    *,
    now: dt.datetime,
    lead_times: Sequence[dt.timedelta],
    public_url: str | None = None,
) -> Event:
    p = item.record.prediction
    first, last = event_days(p)
    url = question_url(public_url, p.key)
    event = Event()
    event.add("uid", question_uid(p.key))
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("sequence", item.versions)
    event.add("created", p.created_at.astimezone(dt.UTC))
    event.add("last-modified", p.updated_at.astimezone(dt.UTC))
    event.add("dtstart", first)  # a date: VALUE=DATE, an all-day event
    event.add("dtend", last + dt.timedelta(days=1))  # exclusive
    event.add("summary", title(p))
    event.add("description", description(item, now=now, url=url))
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    event.add("status", "CONFIRMED")
    if item.record.tags:
        event.add("categories", list(item.record.tags))
    if url:
        event.add("url", url)
    summary = title(p)
    for lead, trigger in zip(
        sorted(set(lead_times), reverse=True), alarm_triggers(first, last, lead_times), strict=True
    ):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", trigger)
        alarm.add("description", f"Due in {format_duration(lead)}: {summary}")
        event.add_component(alarm)
    return event


def calendar_name(*, tag: str | None = None, forecaster: str | None = None) -> str:
    parts = ["tracker deadlines"]
    if tag:
        parts.append(f"tag {tag}")
    if forecaster:
        parts.append(f"forecaster {forecaster}")
    return " \N{MIDDLE DOT} ".join(parts)


def build_calendar(
    items: Iterable[FeedQuestion],
    *,
    now: dt.datetime,
    lead_times: Sequence[dt.timedelta],
    name: str = "tracker deadlines",
    public_url: str | None = None,
) -> bytes:
    """The VCALENDAR as bytes: UTF-8, CRLF line ends, lines folded at 75 octets."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is not typed as TEXT, so nothing would escape a line break in a filter
    # named in it: one line, and typed by hand.
    one_line = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    calendar.add("x-wr-calname", vText(one_line))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))  # an X- property: typed by hand
    for item in items:
        calendar.add_component(
            build_event(item, now=now, lead_times=lead_times, public_url=public_url)
        )
    body: bytes = calendar.to_ical()
    return body
