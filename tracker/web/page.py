"""The web page at /: deadlines ahead, overdue predictions to resolve, proposals to accept or
reject, scores, failing deliveries.

Rendered on the server with Jinja2 (autoescaped); the only script is static/page.js, which
sends the resolve, accept and reject buttons' and the forecast forms' POSTs to the JSON API
with the token the user typed, and asks /api/v1/whoami whose that token is. Each question's
forecast history is an SVG step chart drawn on the server (tracker.reporting.forecast_chart),
with presentation attributes rather than inline style.
Nothing is loaded from anywhere but this app, so the page works offline, and the
Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from tracker import service
from tracker.channels.text import format_probability
from tracker.delivery import admin as delivery_admin
from tracker.domain.deadlines import Precision
from tracker.domain.durations import format_duration
from tracker.domain.forecasts import in_force
from tracker.domain.scoring import CalibrationBin
from tracker.enums import DeliveryStatus, ListStatus
from tracker.errors import BadCursor, InvalidInput
from tracker.io.records import prediction_json
from tracker.persistence.models import PredictionRecord
from tracker.persistence.paging import Page
from tracker.reporting.forecast_chart import forecast_chart_svg
from tracker.reporting.summary import summarize
from tracker.web.auth import any_token_can_write
from tracker.web.deps import Cursor, Search, WebContext, context, request_now
from tracker.web.evidence_page import evidence_by_key
from tracker.web.proposed import proposed_items

router = APIRouter()

Context = Annotated[WebContext, Depends(context)]
Now = Annotated[dt.datetime, Depends(request_now)]

# Each list on the page stops here; the counts in the header still cover everything, and the
# CLI and the API list the rest. A database with a million open predictions must not become a
# page of a million items.
LIST_LIMIT = 50

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {"page.css": "text/css; charset=utf-8", "page.js": "text/javascript; charset=utf-8"}

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("tracker.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Item:
    """One open prediction as the page shows it."""

    data: dict[str, Any]  # prediction_json
    when: str  # "in 3 days", "4 months overdue"
    due_soon: bool
    probability: str | None
    source: str | None
    source_url: str | None  # a link to read it; the page loads nothing from it
    forecasts: str | None  # each forecaster's latest: "ISW 35% · Desk 60%"
    forecast_count: int
    chart: Markup  # the forecast history, an <svg> drawn here from escaped text


@dataclass(frozen=True)
class Failing:
    channel: str
    prediction: str
    reminder: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: str | None
    next_attempt_at: str | None


@dataclass(frozen=True)
class Dot:
    cx: str
    cy: str
    r: str
    interval: tuple[str, str] | None  # the y of the interval's top and bottom
    title: str
    bin: CalibrationBin


@dataclass(frozen=True)
class Chart:
    size: int
    left: int
    top: int
    right: int
    bottom: int
    ticks: list[tuple[str, str, str]]  # (x of the value, y of the value, label)
    dots: list[Dot]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(ctx: Context, now: Now, q: Search = None, after: Cursor = None) -> HTMLResponse:
    """The page; `q` adds the questions that hold its words, `after` turns the first list
    (the search's, else the deadlines ahead) to the page after the one that cursor ends."""
    settings = ctx.settings
    tz = settings.tz
    summary = summarize(ctx.engine, now=now, due_soon=settings.due_soon)
    found, unsearchable = _search(ctx, now, q, after)
    ahead = service.open_predictions(
        ctx.engine, now=now, overdue=False, limit=LIST_LIMIT, cursor=None if found else after
    )
    overdue = service.open_predictions(ctx.engine, now=now, overdue=True, limit=LIST_LIMIT).items
    failing = {
        status: delivery_admin.deliveries_in_trouble(
            ctx.engine, status=status, limit=LIST_LIMIT + 1
        )
        for status in (DeliveryStatus.DEAD, DeliveryStatus.RETRYING)
    }
    counts = summary.counts
    proposed, proposed_more = proposed_items(ctx.engine, tz=tz, limit=LIST_LIMIT)
    html = TEMPLATES.get_template("index.html").render(
        now=_local(now, tz),
        timezone=settings.timezone,
        read_only=not any_token_can_write(ctx, now),
        counts=counts,
        resolved_count=counts["resolved_yes"] + counts["resolved_no"],
        q=q or "",
        found=None
        if found is None
        else [_item(r, tz=tz, now=now, due_soon=settings.due_soon) for r in found.items],
        found_next=found.next if found else None,
        unsearchable=unsearchable,
        ahead=[_item(r, tz=tz, now=now, due_soon=settings.due_soon) for r in ahead.items],
        ahead_next=ahead.next,
        turned=after is not None,
        overdue=[_item(r, tz=tz, now=now, due_soon=settings.due_soon) for r in overdue],
        overdue_more=max(0, counts["overdue"] - len(overdue)),
        proposed=proposed,
        proposed_more=proposed_more,
        evidence=evidence_by_key(ctx.engine, [*ahead.items, *overdue]),
        summary=summary,
        chart=_chart(summary.calibration) if summary.scores else None,
        failing=[
            _failing(problem, tz) for rows in failing.values() for problem in rows[:LIST_LIMIT]
        ],
        failing_more=any(len(rows) > LIST_LIMIT for rows in failing.values()),
        css=_static_url("page.css"),
        js=_static_url("page.js"),
        percent=_percent,
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


def _search(
    ctx: WebContext, now: dt.datetime, q: str | None, after: str | None
) -> tuple[Page[PredictionRecord] | None, str | None]:
    """The page of questions that hold the words of `q` (None without a search), and why
    there are none when the words could not be searched for."""
    if q is None or not q.strip():
        return None, None
    try:
        found = service.list_predictions(
            ctx.engine, status=ListStatus.ALL, now=now, due_soon=ctx.settings.due_soon,
            search=q, limit=LIST_LIMIT, cursor=after,
        )  # fmt: skip
    except BadCursor:
        raise
    except InvalidInput as exc:  # said beside the box, not as a bare JSON error
        return Page([], None), str(exc)
    return found, None


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in STATIC_TYPES:
        raise HTTPException(404, f"no static file {name!r}")
    # The page asks for each file by its content's hash, so a browser may keep it for good.
    return Response(
        _static_file(name),
        media_type=STATIC_TYPES[name],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@cache
def _static_file(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _static_url(name: str) -> str:
    # Relative, so the page also works behind a proxy that serves it under a path prefix.
    digest = hashlib.sha256(_static_file(name)).hexdigest()[:12]
    return f"static/{name}?v={digest}"


def _item(
    record: PredictionRecord, *, tz: ZoneInfo, now: dt.datetime, due_soon: dt.timedelta
) -> Item:
    data = prediction_json(record, tz=tz, now=now)
    due_at = record.prediction.due_at
    source = record.source
    source_text = None
    if source is not None:
        source_text = " \N{EM DASH} ".join(t for t in (source.publisher, source.title) if t)
    return Item(
        data=data,
        when=f"overdue by {format_duration(now - due_at)}"
        if due_at < now
        else f"in {format_duration(due_at - now)}",
        due_soon=now <= due_at < now + due_soon,
        probability=_percent(record.prediction.probability),
        source=source_text or (source.url if source is not None else None) or None,
        source_url=source.url if source is not None else None,
        forecasts=" \N{MIDDLE DOT} ".join(
            f"{f.forecaster} {format_probability(f.probability)}"
            for f in in_force(record.forecasts).values()
        )
        or None,
        forecast_count=len(record.forecasts),
        chart=_forecast_chart(record, now),
    )


def _forecast_chart(record: PredictionRecord, now: dt.datetime) -> Markup:
    p = record.prediction
    svg = forecast_chart_svg(
        record.forecasts,
        due_at=p.due_at,
        tz=p.timezone,
        now=now,
        window_start=p.window_start,
        resolution=record.resolution,
        precision=Precision(p.precision),
        chart_id=f"forecasts-{p.id}",  # one per question on the page
    )
    return Markup(svg)  # the chart escapes every text that comes from the data


def _failing(problem: delivery_admin.DeliveryProblem, tz: ZoneInfo) -> Failing:
    return Failing(
        channel=problem.channel,
        prediction=problem.prediction_key,
        reminder=problem.reminder,
        status=problem.status,
        attempts=problem.attempts,
        last_status_code=problem.last_status_code,
        last_error=problem.public_error,  # never the receiver's text
        last_attempt_at=_local(problem.last_attempt_at, tz),
        next_attempt_at=_local(problem.next_attempt_at, tz)
        if problem.status == DeliveryStatus.RETRYING
        else None,
    )


def _local(value: dt.datetime | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _percent(value: float | None) -> str | None:
    return None if value is None else format_probability(value)


# The chart's coordinates, in the SVG's own units; the browser scales it to the column's width.
CHART_SIZE = 320
CHART_MARGINS = (56, 14, 18, 40)  # left, top, right, bottom: room for the tick labels
MIN_RADIUS, MAX_RADIUS = 4.0, 12.0


def _chart(bins: Sequence[CalibrationBin]) -> Chart | None:
    """Forecast on x, how often it came true on y; one dot per non-empty bin, its area growing
    with the bin's count, and the bin's 90% Wilson interval as a vertical line."""
    used = [b for b in bins if b.count and b.mean_forecast is not None and b.observed is not None]
    if not used:
        return None
    left, top, right, bottom = CHART_MARGINS
    width = CHART_SIZE - left - right
    height = CHART_SIZE - top - bottom
    largest = max(b.count for b in used)

    def x(p: float) -> str:
        return f"{left + p * width:.1f}"

    def y(p: float) -> str:
        return f"{top + (1 - p) * height:.1f}"

    dots = []
    for b in used:
        assert b.mean_forecast is not None
        assert b.observed is not None
        interval = None
        if b.wilson_low is not None and b.wilson_high is not None:
            interval = (y(b.wilson_high), y(b.wilson_low))
            span = f"; 90% interval {_percent(b.wilson_low)}\N{EN DASH}{_percent(b.wilson_high)}"
        else:
            span = ""
        radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(b.count / largest)
        dots.append(
            Dot(
                cx=x(b.mean_forecast),
                cy=y(b.observed),
                r=f"{radius:.1f}",
                interval=interval,
                title=(
                    f"{b.low}\N{EN DASH}{b.high}%: {b.count} "
                    f"forecast{'' if b.count == 1 else 's'}, "
                    f"mean {_percent(b.mean_forecast)}, came true {_percent(b.observed)}{span}"
                ),
                bin=b,
            )
        )
    ticks = [(x(t / 4), y(t / 4), f"{t * 25}%") for t in range(5)]
    return Chart(
        size=CHART_SIZE,
        left=left,
        top=top,
        right=left + width,
        bottom=top + height,
        ticks=ticks,
        dots=dots,
    )
