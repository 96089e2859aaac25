"""A question's forecast history as a step chart: SVG text drawn on the server for the web page.

One step line per forecaster: a forecast holds until that forecaster's next one, and the last one
until the question's close (the earlier of the deadline and the resolution; while the question
is open, the earlier of the deadline and now), the span the time-weighted scores are taken over.
The axis runs from the first forecast (or the window's start) to the later of the deadline and
the resolution, or to now while an open question is past its deadline. Labels read in the
deadline's zone.

Made to sit inline in the page, like the calibration chart: role="img" named by a <title> and
described in words by a <desc>, a <title> tooltip on every dot and legend entry, no script, no
font but the page's own. Colours are presentation attributes, since the page's
Content-Security-Policy refuses inline style; class names let page.css restyle them, and
currentColor keeps text and rules readable in the dark scheme. Every text that comes from the
data is escaped, and characters XML cannot hold at all become U+FFFD.

Pure: the caller passes `now`, and any rows with the three fields (a Forecast row will do).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from tracker.channels.text import format_probability
from tracker.domain.deadline_labels import describe_due
from tracker.domain.deadlines import EN_DASH, Precision, stored_zone
from tracker.errors import InvalidInput
from tracker.reporting.chart_time import date_label, day_label, shifted, time_ticks

# The chart's own units; the browser scales it to the column's width.
WIDTH = 640
PLOT_HEIGHT = 200
LEFT, TOP, RIGHT, BOTTOM = 44, 36, 28, 30  # room for % ticks, marker labels, dates
PLOT_WIDTH = WIDTH - LEFT - RIGHT
LEGEND_COLUMNS = 3
LEGEND_ROW = 18
NAME_LIMIT = 24  # characters of a name in the legend; the full name is its tooltip
DOT_RADIUS = 3.5
# Eight hues, each at least 3:1 against both the page's light and dark backgrounds. Past eight
# forecasters the hues come round again with a dashed, then a dotted, line.
PALETTE = ("#3a78c9", "#d9730d", "#2f9e57", "#d9484f", "#9a6bc9", "#1e9aa8", "#b8860b", "#d05ca0")
DASHES = ("", "6 3", "2 3")
NO_FORECASTS = "No forecasts yet"

# The deadline dashed, the resolution solid, now dotted and fainter: now is no event.
_RULE_LOOKS = {
    "fc-deadline": ' stroke-dasharray="4 3"',
    "fc-resolution": "",
    "fc-now": ' stroke-dasharray="2 3" stroke-opacity="0.6"',
}
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ChartForecast(Protocol):
    @property
    def forecaster(self) -> str: ...
    @property
    def made_at(self) -> dt.datetime: ...
    @property
    def probability(self) -> float: ...


class ChartResolution(Protocol):
    @property
    def outcome(self) -> str: ...  # "yes", "no" or "annulled" (an Outcome is a str)
    @property
    def resolved_at(self) -> dt.datetime: ...


@dataclass(frozen=True)
class _Frame:
    """Instants to x and probabilities to y; start < end always, so nothing divides by zero."""

    start: dt.datetime
    end: dt.datetime
    zone: ZoneInfo

    def x(self, at: dt.datetime) -> str:
        share = (at - self.start) / (self.end - self.start)
        return f"{LEFT + share * PLOT_WIDTH:.1f}"

    def y(self, probability: float) -> str:
        return f"{TOP + (1 - probability) * PLOT_HEIGHT:.1f}"


def forecast_chart_svg(
    forecasts: Sequence[ChartForecast],
    *,
    due_at: dt.datetime,
    tz: str | None,
    now: dt.datetime,
    window_start: dt.datetime | None = None,
    resolution: ChartResolution | None = None,
    precision: Precision | None = None,
    chart_id: str = "forecast-chart",
) -> str:
    """The chart as one <svg> element. Forecasts come ordered by (made_at, id); ties keep that
    order, so of one forecaster's two forecasts at one instant the later is in force. With no
    forecasts it is a small SVG that says "No forecasts yet". Given the deadline's `precision`,
    its tooltip reads as everywhere else ("February 2025"), not as its last instant. `chart_id`
    prefixes the ids of the <title> and <desc>, and must differ between charts on one page."""
    _check(forecasts, due_at, now, window_start, resolution, chart_id)
    if not forecasts:
        return _empty(chart_id)
    zone = stored_zone(tz)
    ordered = sorted(forecasts, key=lambda f: f.made_at)  # stable: ties keep the caller's order
    histories: dict[str, list[ChartForecast]] = {}
    for forecast in ordered:
        histories.setdefault(forecast.forecaster, []).append(forecast)
    frame = _frame(ordered, due_at, window_start, resolution, now, zone)
    deadline = _deadline_label(due_at, None, precision, zone)
    window = None
    if window_start is not None and window_start < due_at:
        window = (window_start, _deadline_label(due_at, window_start, precision, zone))
    closed_at = due_at if resolution is None else min(due_at, resolution.resolved_at)
    held_until = closed_at if resolution is not None else min(due_at, now)
    description = _describe(ordered, histories, deadline, resolution, zone)
    rows = -(-len(histories) // LEGEND_COLUMNS)
    height = TOP + PLOT_HEIGHT + BOTTOM + rows * LEGEND_ROW + 4
    parts = [
        _open(chart_id, height),
        f'<title id="{chart_id}-title">Forecast history</title>',
        f'<desc id="{chart_id}-desc">{description}</desc>',
        *_grid(frame),
        *_markers(frame, due_at, deadline, window, resolution, now),
    ]
    for index, (name, history) in enumerate(histories.items()):
        parts += _series(frame, index, name, history, held_until, closed_at)
    parts += _legend(list(histories), TOP + PLOT_HEIGHT + BOTTOM + LEGEND_ROW // 2)
    parts.append("</svg>")
    return "\n".join(parts)


def _check(
    forecasts: Sequence[ChartForecast],
    due_at: dt.datetime,
    now: dt.datetime,
    window_start: dt.datetime | None,
    resolution: ChartResolution | None,
    chart_id: str,
) -> None:
    if not _ID.match(chart_id):
        raise InvalidInput(f"a chart id is a letter then letters, digits, - or _: {chart_id!r}")
    instants = [due_at, now, *(f.made_at for f in forecasts)]
    if window_start is not None:
        instants.append(window_start)
    if resolution is not None:
        instants.append(resolution.resolved_at)
    if any(t.utcoffset() is None for t in instants):
        raise InvalidInput("the chart's times must carry a time zone")
    if any(not 0.0 <= f.probability <= 1.0 for f in forecasts):  # NaN fails this too
        raise InvalidInput("a probability to chart must lie between 0 and 1")


def _frame(
    ordered: Sequence[ChartForecast],
    due_at: dt.datetime,
    window_start: dt.datetime | None,
    resolution: ChartResolution | None,
    now: dt.datetime,
    zone: ZoneInfo,
) -> _Frame:
    """Wide enough for every forecast and marker. A span of nothing (one forecast made at its
    deadline) opens to a day around that instant."""
    ends = [ordered[0].made_at, ordered[-1].made_at, due_at]
    ends += [resolution.resolved_at] if resolution else [now]
    start = min([*ends, window_start] if window_start else ends)
    end = max(ends)
    if end <= start:
        start, end = shifted(start, -dt.timedelta(hours=12)), shifted(end, dt.timedelta(hours=12))
    return _Frame(start=start, end=end, zone=zone)


def _open(chart_id: str, height: int, *, described: bool = True) -> str:
    labels = f"{chart_id}-title {chart_id}-desc" if described else f"{chart_id}-title"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="forecast-chart" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{labels}" '
        'font-family="system-ui, sans-serif" font-size="11" fill="currentColor">'
    )


def _empty(chart_id: str) -> str:
    return "\n".join(
        (
            _open(chart_id, 40, described=False),
            f'<title id="{chart_id}-title">{NO_FORECASTS}</title>',
            f'<text class="fc-empty" x="{WIDTH // 2}" y="24" text-anchor="middle" '
            f'font-size="13">{NO_FORECASTS}</text>',
            "</svg>",
        )
    )


def _describe(
    ordered: Sequence[ChartForecast],
    histories: dict[str, list[ChartForecast]],
    deadline: str,
    resolution: ChartResolution | None,
    zone: ZoneInfo,
) -> str:
    """The chart in words, for screen readers and for anyone the lines do not reach."""
    count, people = len(ordered), len(histories)
    first, last = date_label(ordered[0].made_at, zone), date_label(ordered[-1].made_at, zone)
    span = f"on {first}" if first == last else f"from {first} to {last}"
    latest = ", ".join(f"{name} {_percent(h[-1].probability)}" for name, h in histories.items())
    if resolution is None:
        state = "Not resolved yet."
    else:
        state = f"Resolved {resolution.outcome} on {day_label(resolution.resolved_at, zone)}."
    return _text(
        f"{count} forecast{_s(count)} by {people} forecaster{_s(people)} {span}. "
        f"Latest: {latest}. Deadline: {deadline}. {state}"
    )


def _grid(frame: _Frame) -> list[str]:
    """Rules and labels at 0, 25, 50, 75 and 100%, and at round dates along the bottom."""
    bottom = TOP + PLOT_HEIGHT
    parts = ['<g class="fc-grid" stroke="currentColor" stroke-opacity="0.15">']
    for quarter in range(5):
        y = frame.y(quarter / 4)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_WIDTH}" y2="{y}"/>')
    parts.append("</g>")
    parts.append('<g class="fc-tick" fill-opacity="0.75">')
    for quarter in range(5):
        parts.append(
            f'<text x="{LEFT - 6}" y="{frame.y(quarter / 4)}" text-anchor="end" '
            f'dominant-baseline="middle">{quarter * 25}%</text>'
        )
    for instant, label in time_ticks(frame.start, frame.end, frame.zone):
        x = frame.x(instant)
        parts.append(
            f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 4}" stroke="currentColor"/>'
        )
        parts.append(
            f'<text x="{x}" y="{bottom + 16}" text-anchor="{_anchor(x, 40)}">{_text(label)}</text>'
        )
    parts.append("</g>")
    return parts


def _markers(
    frame: _Frame,
    due_at: dt.datetime,
    deadline: str,
    window: tuple[dt.datetime, str] | None,
    resolution: ChartResolution | None,
    now: dt.datetime,
) -> list[str]:
    """The window as a band, the deadline as a dashed rule, and the resolution (or, while the
    question is open, now) as a solid one; each labelled above the plot, its date a tooltip."""
    parts = []
    zone = frame.zone
    if window is not None:
        left, right = float(frame.x(window[0])), float(frame.x(due_at))
        parts.append(
            f'<rect class="fc-window" x="{left:.1f}" y="{TOP}" width="{right - left:.1f}" '
            f'height="{PLOT_HEIGHT}" fill="currentColor" fill-opacity="0.06">'
            f"<title>{_text('window: ' + window[1])}</title></rect>"
        )
    parts.append(_rule(frame, "fc-deadline", due_at, "deadline", f"deadline: {deadline}"))
    if resolution is not None:
        outcome, at = str(resolution.outcome), resolution.resolved_at
        parts.append(
            _rule(frame, "fc-resolution", at, outcome, f"resolved {outcome}: {day_label(at, zone)}")
        )
    else:
        parts.append(_rule(frame, "fc-now", now, "now", f"now: {day_label(now, zone)}"))
    return parts


def _deadline_label(
    due_at: dt.datetime,
    window_start: dt.datetime | None,
    precision: Precision | None,
    zone: ZoneInfo,
) -> str:
    if precision is not None:
        return describe_due(due_at, window_start, precision, zone)
    if window_start is None:
        return day_label(due_at, zone)
    return f"{day_label(window_start, zone)} {EN_DASH} {day_label(due_at, zone)}"


def _rule(frame: _Frame, kind: str, at: dt.datetime, label: str, title: str) -> str:
    x = frame.x(at)
    anchor = _anchor(x, 30)
    # The deadline's label sits on the upper line, the others on the lower: the two often meet.
    y = TOP - 20 if kind == "fc-deadline" else TOP - 7
    dash = _RULE_LOOKS[kind]
    return (
        f'<g class="{kind}"><title>{_text(title)}</title>'
        f'<line x1="{x}" y1="{y + 4}" x2="{x}" y2="{TOP + PLOT_HEIGHT}" stroke="currentColor" '
        f'stroke-width="1.5"{dash}/>'
        f'<text x="{x}" y="{y}" text-anchor="{anchor}">{_text(label)}</text></g>'
    )


def _series(
    frame: _Frame,
    index: int,
    name: str,
    history: Sequence[ChartForecast],
    held_until: dt.datetime,
    closed_at: dt.datetime,
) -> list[str]:
    """One forecaster: the step line, then a dot with a tooltip at each forecast."""
    colour, dash = _style(index)
    first = history[0]
    steps = [f"M {frame.x(first.made_at)} {frame.y(first.probability)}"]
    steps += [f"H {frame.x(f.made_at)} V {frame.y(f.probability)}" for f in history[1:]]
    steps.append(f"H {frame.x(max(held_until, history[-1].made_at))}")
    dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [
        f'<g class="fc-forecaster" fill="{colour}">',
        f'<path class="fc-steps" d="{" ".join(steps)}" fill="none" stroke="{colour}" '
        f'stroke-width="2"{dash_attribute}/>',
    ]
    for forecast in history:
        when = day_label(forecast.made_at, frame.zone)
        tip = f"{name}: {_percent(forecast.probability)} on {when}"
        if forecast.made_at >= closed_at:
            tip += " (after the close)"
        parts.append(
            f'<circle class="fc-dot" cx="{frame.x(forecast.made_at)}" '
            f'cy="{frame.y(forecast.probability)}" r="{DOT_RADIUS}"><title>{_text(tip)}</title>'
            "</circle>"
        )
    parts.append("</g>")
    return parts


def _legend(names: Sequence[str], top: int) -> list[str]:
    """Names in rows of LEGEND_COLUMNS under the plot, each beside a sample of its line; a long
    name is cut with an ellipsis and shown whole as the entry's tooltip."""
    column = PLOT_WIDTH // LEGEND_COLUMNS
    parts = ['<g class="fc-legend">']
    for index, name in enumerate(names):
        colour, dash = _style(index)
        x = LEFT + (index % LEGEND_COLUMNS) * column
        y = top + (index // LEGEND_COLUMNS) * LEGEND_ROW
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f"<g><title>{_text(name)}</title>"
            f'<line x1="{x}" y1="{y}" x2="{x + 20}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash_attribute}/>'
            f'<circle cx="{x + 10}" cy="{y}" r="{DOT_RADIUS}" fill="{colour}"/>'
            f'<text x="{x + 26}" y="{y}" dominant-baseline="middle">{_text(_short(name))}</text>'
            "</g>"
        )
    parts.append("</g>")
    return parts


def _anchor(x: str, room: int) -> str:
    """How a label at x lines up: centred, unless that would push it past the plot's edge."""
    offset = float(x) - LEFT
    return "start" if offset < room else "end" if offset > PLOT_WIDTH - room else "middle"


def _style(index: int) -> tuple[str, str]:
    """The colour and dash pattern of the index-th forecaster (in order of first forecast)."""
    return PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]


def _short(name: str) -> str:
    name = " ".join(name.split())  # a newline or a run of spaces reads as one space
    if len(name) <= NAME_LIMIT:
        return name
    return name[: NAME_LIMIT - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def _text(value: str) -> str:
    """Safe as XML text and as an attribute value."""
    return html.escape(_NOT_XML.sub("\N{REPLACEMENT CHARACTER}", value), quote=True)


def _percent(probability: float) -> str:
    return format_probability(probability)


def _s(count: int) -> str:
    return "" if count == 1 else "s"
