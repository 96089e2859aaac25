"""The forecast history chart: well-formed, accessible SVG; one step line per forecaster with a
step per forecast, running forward in time to the right close; markers, tooltips in the
deadline's zone, escaping, and the edges (nothing, one forecast, one instant, many forecasters,
the ends of the calendar)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.deadlines import Precision
from tracker.errors import InvalidInput
from tracker.reporting.chart_time import MAX_TICKS, time_ticks
from tracker.reporting.forecast_chart import (
    LEFT,
    NAME_LIMIT,
    PLOT_HEIGHT,
    PLOT_WIDTH,
    TOP,
    forecast_chart_svg,
)

pytestmark = pytest.mark.no_database

NS = "{http://www.w3.org/2000/svg}"
KYIV = "Europe/Kyiv"
UTC = dt.UTC
DEC_24 = dt.datetime(2024, 12, 23, 22, 0, tzinfo=UTC)  # midnight, 24 December, in Kyiv
DUE = dt.datetime(2025, 2, 28, 21, 59, 59, 999999, tzinfo=UTC)  # the end of February in Kyiv
RIGHT_EDGE = LEFT + PLOT_WIDTH


@dataclass(frozen=True)
class Forecast:
    forecaster: str
    made_at: dt.datetime
    probability: float


@dataclass(frozen=True)
class Resolution:
    outcome: str
    resolved_at: dt.datetime


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def _chart(forecasts: list[Forecast], **options: object) -> ET.Element:
    arguments: dict[str, object] = {"due_at": DUE, "tz": KYIV, "now": DUE + _days(10)}
    arguments.update(options)
    svg = forecast_chart_svg(forecasts, **arguments)  # type: ignore[arg-type]
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def _paths(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{NS}path")


def _points(path: ET.Element) -> list[tuple[float, float]]:
    """The corners of a step path written as M x y, H x and V y."""
    tokens = path.get("d", "").split()
    assert tokens[0] == "M"
    x, y = float(tokens[1]), float(tokens[2])
    points = [(x, y)]
    for command, value in zip(tokens[3::2], tokens[4::2], strict=True):
        assert command in ("H", "V"), command
        x, y = (float(value), y) if command == "H" else (x, float(value))
        points.append((x, y))
    return points


def _steps(path: ET.Element) -> int:
    return path.get("d", "").split().count("H")


def _marker_x(root: ET.Element, kind: str) -> float:
    [group] = root.findall(f".//{NS}g[@class='{kind}']")
    line = group.find(f"{NS}line")
    assert line is not None
    return float(line.get("x1", "nan"))


def _dot_titles(root: ET.Element) -> list[str]:
    return [
        title.text or ""
        for dot in root.iter(f"{NS}circle")
        if dot.get("class") == "fc-dot"
        for title in dot.iter(f"{NS}title")
    ]


def _y(probability: float) -> float:
    return round(TOP + (1 - probability) * PLOT_HEIGHT, 1)


HISTORY = [
    Forecast("ISW", DEC_24, 0.35),
    Forecast("Desk", DEC_24 + _days(5), 0.6),
    Forecast("ISW", DEC_24 + _days(20), 0.5),
    Forecast("Reuters", DEC_24 + _days(30), 0.2),
    Forecast("Desk", DEC_24 + _days(40), 0.8),
    Forecast("ISW", DEC_24 + _days(50), 0.45),
]


def test_the_chart_is_well_formed_and_names_and_describes_itself() -> None:
    root = _chart(HISTORY)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    for labelled_by in (root.get("aria-labelledby") or "").split():
        assert labelled_by in ids
    title, desc = ids["forecast-chart-title"], ids["forecast-chart-desc"]
    assert title.tag == f"{NS}title"
    assert desc.tag == f"{NS}desc"
    assert desc.text is not None
    assert "6 forecasts by 3 forecasters from 24 Dec 2024" in desc.text
    assert "Latest: ISW 45%, Desk 80%, Reuters 20%" in desc.text


def test_nothing_in_it_runs_loads_or_needs_inline_style() -> None:
    """The page's Content-Security-Policy allows no inline style and no other origin."""
    svg = forecast_chart_svg(HISTORY, due_at=DUE, tz=KYIV, now=DUE)
    root = ET.fromstring(svg)
    tags = {element.tag.removeprefix(NS) for element in root.iter()}
    assert not tags & {"script", "style", "image", "foreignObject", "a", "use"}
    assert not any(element.get("style") for element in root.iter())
    assert re.findall(r"https?://[^\"]*", svg) == ["http://www.w3.org/2000/svg"]
    assert not any(name.startswith("on") for element in root.iter() for name in element.attrib)


def test_one_path_per_forecaster_with_a_step_per_forecast() -> None:
    root = _chart(HISTORY)
    paths = _paths(root)
    assert [_steps(path) for path in paths] == [3, 2, 1]  # ISW, Desk, Reuters: first to speak
    assert len(_dot_titles(root)) == len(HISTORY)


def test_each_line_runs_forward_in_time_and_holds_each_probability() -> None:
    root = _chart(HISTORY)
    isw = _points(_paths(root)[0])
    xs = [x for x, _ in isw]
    assert xs == sorted(xs)
    assert xs[0] == LEFT  # the first forecast opens the axis
    # M, then H V per revision, then the last H: the y of each horizontal run is the forecast's.
    runs = [y for (x0, y), (x1, _) in pairwise(isw) if x1 > x0]
    assert runs == [_y(0.35), _y(0.5), _y(0.45)]


def test_a_resolved_question_holds_forecasts_until_its_resolution() -> None:
    early = Resolution("yes", DUE - _days(10))
    root = _chart(HISTORY, resolution=early)
    ends = {_points(path)[-1][0] for path in _paths(root)}
    assert ends == {_marker_x(root, "fc-resolution")}
    assert _marker_x(root, "fc-deadline") == RIGHT_EDGE  # the axis runs on to the deadline


def test_a_late_resolution_stops_the_lines_at_the_deadline_and_ends_the_axis() -> None:
    late = Resolution("no", DUE + _days(5))
    root = _chart(HISTORY, resolution=late)
    ends = {_points(path)[-1][0] for path in _paths(root)}
    assert ends == {_marker_x(root, "fc-deadline")}
    assert _marker_x(root, "fc-resolution") == RIGHT_EDGE


def test_an_open_question_holds_forecasts_until_now_and_shows_the_deadline_ahead() -> None:
    now = DEC_24 + _days(55)
    root = _chart(HISTORY, now=now)
    ends = {_points(path)[-1][0] for path in _paths(root)}
    assert ends == {_marker_x(root, "fc-now")}
    assert _marker_x(root, "fc-now") < RIGHT_EDGE
    assert _marker_x(root, "fc-deadline") == RIGHT_EDGE
    assert not root.findall(f".//{NS}g[@class='fc-resolution']")


def test_an_open_question_past_its_deadline_runs_the_axis_to_now() -> None:
    root = _chart(HISTORY, now=DUE + _days(20))
    assert _marker_x(root, "fc-now") == RIGHT_EDGE
    ends = {_points(path)[-1][0] for path in _paths(root)}
    assert ends == {_marker_x(root, "fc-deadline")}


def test_a_window_start_before_the_first_forecast_opens_the_axis() -> None:
    root = _chart(HISTORY, window_start=DEC_24 - _days(30), precision=Precision.MONTH)
    [band] = root.iter(f"{NS}rect")
    assert float(band.get("x", "nan")) == LEFT
    assert _points(_paths(root)[0])[0][0] > LEFT
    [band_title] = band.iter(f"{NS}title")
    assert band_title.text == "window: 24 November 2024 \N{EN DASH} February 2025"


@pytest.mark.parametrize("outcome", ["yes", "no", "annulled"])
def test_the_resolution_marker_says_the_outcome(outcome: str) -> None:
    root = _chart(HISTORY, resolution=Resolution(outcome, DUE - _days(1)))
    [group] = root.findall(f".//{NS}g[@class='fc-resolution']")
    assert [text.text for text in group.iter(f"{NS}text")] == [outcome]
    [deadline] = root.findall(f".//{NS}g[@class='fc-deadline']")
    assert [text.text for text in deadline.iter(f"{NS}text")] == ["deadline"]


def test_tooltips_read_in_the_deadlines_zone() -> None:
    forecasts = [
        Forecast("ISW", DEC_24, 0.35),
        Forecast("ISW", DEC_24 + dt.timedelta(hours=14, minutes=5), 0.355),
    ]
    root = _chart(forecasts, precision=Precision.MONTH)
    assert _dot_titles(root) == ["ISW: 35% on 24 Dec 2024", "ISW: 35.5% on 24 Dec 2024 14:05"]
    [deadline] = root.findall(f".//{NS}g[@class='fc-deadline']/{NS}title")
    assert deadline.text == "deadline: February 2025"
    in_utc = _chart(forecasts, tz="UTC")
    assert _dot_titles(in_utc)[0] == "ISW: 35% on 23 Dec 2024 22:00"


def test_a_forecast_after_the_close_says_so() -> None:
    forecasts = [Forecast("ISW", DEC_24, 0.3), Forecast("ISW", DUE + _days(1), 0.9)]
    root = _chart(forecasts)
    assert _dot_titles(root)[1].endswith("(after the close)")
    assert not _dot_titles(root)[0].endswith("(after the close)")


def test_names_are_escaped_everywhere() -> None:
    name = "<b>\"Tom\" & 'Jerry'</b>\x01"
    svg = forecast_chart_svg([Forecast(name, DEC_24, 0.5)], due_at=DUE, tz=KYIV, now=DUE)
    assert "<b>" not in svg
    assert "\x01" not in svg
    root = ET.fromstring(svg)
    shown = name.replace("\x01", "\N{REPLACEMENT CHARACTER}")
    [legend_title] = root.findall(f".//{NS}g[@class='fc-legend']/{NS}g/{NS}title")
    assert legend_title.text == shown
    assert _dot_titles(root) == [f"{shown}: 50% on 24 Dec 2024"]
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert desc.text is not None
    assert shown in desc.text


def test_long_names_are_cut_in_the_legend_and_whole_in_its_tooltip() -> None:
    name = "The Institute for the Study of War, Washington"
    root = _chart([Forecast(name, DEC_24, 0.5), Forecast("ISW", DEC_24, 0.4)])
    entries = root.findall(f".//{NS}g[@class='fc-legend']/{NS}g")
    texts = [entry.findtext(f"{NS}text") for entry in entries]
    assert texts[1] == "ISW"
    assert texts[0] is not None
    assert len(texts[0]) == NAME_LIMIT
    assert texts[0].endswith("\N{HORIZONTAL ELLIPSIS}")
    assert entries[0].findtext(f"{NS}title") == name


def test_many_forecasters_cycle_colours_with_another_dash_and_a_legend_row_each_three() -> None:
    forecasts = [Forecast(f"F{n}", DEC_24 + _days(n), n / 20) for n in range(12)]
    root = _chart(forecasts)
    paths = _paths(root)
    styles = [(path.get("stroke"), path.get("stroke-dasharray")) for path in paths]
    assert len(set(styles)) == 12
    assert len({colour for colour, _ in styles[:8]}) == 8
    assert styles[8][0] == styles[0][0]
    assert styles[8][1] is not None
    entries = root.findall(f".//{NS}g[@class='fc-legend']/{NS}g")
    assert [entry.findtext(f"{NS}text") for entry in entries] == [f"F{n}" for n in range(12)]
    places = {
        (line.get("x1"), line.get("y1")) for entry in entries for line in entry.iter(f"{NS}line")
    }
    assert len(places) == 12
    rows = {y for _, y in places}
    assert len(rows) == 4
    height = float((root.get("viewBox") or "").split()[3])
    assert max(float(y or "nan") for y in rows) < height


def test_forecasts_at_one_instant() -> None:
    """Two forecasters at one instant start together; one forecaster's two forecasts at one
    instant both get a dot, and the later one (in the caller's order) is in force."""
    forecasts = [
        Forecast("ISW", DEC_24, 0.3),
        Forecast("Desk", DEC_24, 0.6),
        Forecast("ISW", DEC_24 + _days(3), 0.4),
        Forecast("ISW", DEC_24 + _days(3), 0.7),
    ]
    root = _chart(forecasts)
    isw, desk = _paths(root)
    assert _points(isw)[0][0] == _points(desk)[0][0] == LEFT
    assert _steps(isw) == 3
    assert _points(isw)[-1][1] == _y(0.7)
    assert len(_dot_titles(root)) == 4


def test_no_forecasts_draws_a_small_chart_that_says_so() -> None:
    root = _chart([])
    assert root.findtext(f"{NS}title") == "No forecasts yet"
    assert root.findtext(f"{NS}text") == "No forecasts yet"
    assert root.get("aria-labelledby") == "forecast-chart-title"
    assert not _paths(root)


@pytest.mark.parametrize("resolved", [False, True])
def test_one_forecast_at_one_instant_with_everything_else(resolved: bool) -> None:
    """Made at its deadline, which is also now or the resolution: a span of nothing is widened,
    not divided by."""
    only = [Forecast("ISW", DUE, 1.0)]
    resolution = Resolution("yes", DUE) if resolved else None
    root = _chart(only, now=DUE, resolution=resolution)
    [path] = _paths(root)
    middle = LEFT + PLOT_WIDTH / 2
    assert _points(path) == [(middle, _y(1.0)), (middle, _y(1.0))]
    assert _marker_x(root, "fc-deadline") == middle


def test_times_without_a_zone_and_impossible_values_are_refused() -> None:
    naive = dt.datetime(2025, 1, 1)
    with pytest.raises(InvalidInput, match="time zone"):
        _chart([Forecast("ISW", naive, 0.5)])
    with pytest.raises(InvalidInput, match="time zone"):
        _chart(HISTORY, now=naive)
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        _chart([Forecast("ISW", DEC_24, float("nan"))])
    with pytest.raises(InvalidInput, match="chart id"):
        _chart(HISTORY, chart_id='x" onload="alert(1)')


def test_the_chart_id_names_its_title_and_description() -> None:
    root = _chart(HISTORY, chart_id="q-42")
    assert root.get("aria-labelledby") == "q-42-title q-42-desc"
    assert root.get("id") == "q-42"


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (dt.datetime(2025, 3, 1, 9, tzinfo=UTC), dt.datetime(2025, 3, 1, 15, tzinfo=UTC), ":00"),
        (dt.datetime(2025, 3, 1, tzinfo=UTC), dt.datetime(2025, 3, 4, tzinfo=UTC), " 2025"),
        (dt.datetime(2024, 12, 1, tzinfo=UTC), dt.datetime(2025, 4, 1, tzinfo=UTC), "Jan 2025"),
        (dt.datetime(2001, 1, 1, tzinfo=UTC), dt.datetime(2025, 1, 1, tzinfo=UTC), "2020"),
        (dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, tzinfo=UTC), "2000"),
    ],
)
def test_axis_ticks_are_round_dates_in_the_range(
    start: dt.datetime, end: dt.datetime, label: str
) -> None:
    ticks = time_ticks(start, end, ZoneInfo(KYIV))
    assert 2 <= len(ticks) <= MAX_TICKS
    instants = [instant for instant, _ in ticks]
    assert instants == sorted(set(instants))
    assert all(start <= instant <= end for instant in instants)
    assert any(label in text for _, text in ticks)


def test_the_ends_of_the_calendar_draw() -> None:
    first = dt.datetime(1, 1, 1, 12, tzinfo=UTC)
    last = dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    forecasts = [Forecast("ISW", first, 0.2), Forecast("ISW", last, 0.8)]
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        root = _chart(forecasts, due_at=last, now=last, tz=zone)
        assert _steps(_paths(root)[0]) == 2
    lone = _chart([Forecast("ISW", last, 0.5)], due_at=last, now=last, tz="Pacific/Kiritimati")
    assert len(_paths(lone)) == 1
