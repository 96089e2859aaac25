"""The web page at /, rendered in process: its sections, escaping, read-only mode, failing
deliveries, time zones, and that it loads nothing from anywhere but the app itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.conftest import API_TOKEN, SEEDS, Result, Web, import_due_predictions
from tracker.web.page import LIST_LIMIT

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
SEED_KEYS = (  # by deadline: 20 February, end of February, March 2025
    "syria-demands-russian-withdrawal-2025-02-20",
    "russia-full-withdrawal-from-syria-2025-02",
    "syria-interim-government-rules-until-2025-03",
)


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def _page(web: Web) -> str:
    with freeze_time(NOW):
        response = web.client.get("/")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return str(response.text)


def _section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}".*?</section>', html, re.DOTALL)
    assert match, f"no section {name!r}"
    return match.group(0)


def _items(section: str) -> list[str]:
    """The prediction keys in a section, in the order shown."""
    return re.findall(r'<li class="prediction[^"]*" data-key="([^"]+)"', section)


def _text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)<', html, re.DOTALL)
    assert match, f"no element {element_id!r}"
    return match.group(1).strip()


@pytest.fixture
def history(cli: Callable[..., Result]) -> Callable[..., Result]:
    """The seeds (overdue at NOW) and two forecasts with deadlines ahead, added out of order."""
    with freeze_time(NOW - dt.timedelta(days=30)):
        _ok(cli("seed", SEEDS))
        _ok(
            cli("add", "The ceasefire holds", "--due", "2030-06", "--key", "ceasefire",
                "--probability", "0.7", "--forecaster", "Desk A")
        )  # fmt: skip
        _ok(cli("add", "The talks resume", "--due", "2026-01-20", "--key", "talks"))
    return cli


def test_sections_hold_the_right_predictions(history: Callable[..., Result], web: Web) -> None:
    html = _page(web)

    ahead = _section(html, "ahead")
    assert _items(ahead) == ["talks", "ceasefire"]  # soonest first
    assert "June 2030" in ahead
    assert "in 1627 days" in ahead  # the CLI's wording (`tracker list`)
    assert "Desk A" in ahead
    assert "70%" in ahead
    # Five days away, inside the default due-soon window of seven days.
    assert re.search(r'data-key="talks">.*?due soon', ahead, re.DOTALL)
    assert not re.search(r'data-key="ceasefire">.*?due soon', ahead, re.DOTALL)
    assert "data-outcome" not in ahead  # nothing to resolve before the deadline

    overdue = _section(html, "overdue")
    assert _items(overdue) == list(SEED_KEYS)  # oldest deadline first
    assert "February 2025" in overdue
    assert "20 February 2025" in overdue
    assert "March 2025" in overdue
    assert "ISW" in overdue
    for outcome in ("yes", "no", "annulled"):
        assert overdue.count(f'data-outcome="{outcome}"') == len(SEED_KEYS)

    assert _text_of(html, "open-count") == "5"
    assert _text_of(html, "overdue-count") == "3"
    assert _text_of(html, "resolved-count") == "0"
    assert 'id="nothing-resolved"' in html
    assert '<svg id="calibration"' not in html  # each question's forecast chart is an <svg>
    assert 'id="deliveries-fine"' in html


def test_a_resolved_prediction_moves_to_the_accuracy_numbers(
    history: Callable[..., Result], web: Web
) -> None:
    with freeze_time(NOW - dt.timedelta(days=20)):
        _ok(history("add", "Elections are held", "--due", "2025-09", "--key", "elections",
                    "--probability", "0.8", "--forecaster", "Desk",
                    "--made-at", "2025-08-01"))  # fmt: skip
    assert "elections" in _items(_section(_page(web), "overdue"))
    with freeze_time(NOW):
        _ok(history("resolve", "elections", "yes", "--occurred-on", "2025-09-10"))

    html = _page(web)
    assert "elections" not in _items(_section(html, "overdue"))
    assert _text_of(html, "resolved-count") == "1"
    accuracy = _section(html, "accuracy")
    assert _text_of(accuracy, "summary-resolved") == "1"
    assert _text_of(accuracy, "summary-hits") == "1"
    assert _text_of(accuracy, "summary-hit-rate") == "100%"
    assert _text_of(accuracy, "summary-brier") == "0.040"  # (0.8 - 1)^2
    assert _text_of(accuracy, "summary-log-loss") == "0.322 bits"  # -log2(0.8)
    assert 'id="nothing-resolved"' not in html

    chart = re.search(r'<svg id="calibration".*?</svg>', accuracy, re.DOTALL)
    assert chart, "no calibration chart"
    assert 'viewBox="0 0 320 320"' in chart.group(0)
    assert chart.group(0).count("<circle") == 1
    assert chart.group(0).count('class="interval"') == 1
    assert chart.group(0).count('class="diagonal"') == 1
    assert "80\N{EN DASH}90%: 1 forecast, mean 80%, came true 100%" in chart.group(0)


def test_time_weighted_and_relative_scores_sit_beside_the_plain_ones(
    cli: Callable[..., Result], web: Web
) -> None:
    with freeze_time(NOW):
        _ok(cli("add", "Claim", "--due", "2025-03", "--key", "q", "--forecaster", "ISW",
                "--probability", "0.6", "--made-at", "2025-01-01"))  # fmt: skip
        _ok(cli("forecast", "q", "0.2", "--by", "Desk", "--at", "2025-02-01"))
        _ok(cli("forecast", "q", "0.2", "--by", "ISW", "--at", "2025-03-01"))
        _ok(cli("resolve", "q", "no"))
    accuracy = _section(_page(web), "accuracy")
    assert _text_of(accuracy, "summary-brier") == "0.040"  # plain: both ended at 0.2
    # Time-weighted: ISW held 0.6 for 59 of its 90 days, the desk 0.2 all its 59.
    assert _text_of(accuracy, "summary-tw-brier") == "0.145"  # ((59*.36 + 31*.04)/90 + .04)/2
    ranking = re.search(r'<table class="ranking" id="ranking">.*?</table>', accuracy, re.DOTALL)
    assert ranking, "no ranking"
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', ranking[0])
    assert [name for name, _ in rows] == ["Desk", "ISW"]
    assert rows[0][1].startswith("-")
    assert rows[1][1].startswith("+")


def test_dots_sit_where_their_bins_say(cli: Callable[..., Result], web: Web) -> None:
    """Two bins: 20% forecasts that came true half the time, 90% ones that always did."""
    with freeze_time(NOW - dt.timedelta(days=30)):
        for n, p in enumerate(("0.2", "0.2", "0.9", "0.9", "0.9", "0.9")):
            _ok(cli("add", f"Claim {n}", "--due", "2025-06", "--key", f"k{n}", "--probability", p,
                    "--forecaster", "Desk", "--made-at", "2025-05-01"))  # fmt: skip
    with freeze_time(NOW):
        for n, outcome in enumerate(("yes", "no", "yes", "yes", "yes", "yes")):
            _ok(cli("resolve", f"k{n}", outcome))
    chart = re.search(r'<svg id="calibration".*?</svg>', _page(web), re.DOTALL)
    assert chart
    circles = re.findall(r'<circle class="dot" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', chart[0])
    dots = [(float(x), float(y), float(r)) for x, y, r in circles]
    assert len(dots) == 2
    (x20, y20, r20), (x90, y90, r90) = sorted(dots)
    # The plot runs from x=56 (0%) to 302 (100%), and from y=280 (0%) up to 14 (100%).
    assert x20 == pytest.approx(56 + 0.2 * 246, abs=0.1)
    assert y20 == pytest.approx(280 - 0.5 * 266, abs=0.1)
    assert x90 == pytest.approx(56 + 0.9 * 246, abs=0.1)
    assert y90 == pytest.approx(14, abs=0.1)
    assert r90 > r20  # four forecasts against two


def test_resolved_without_probabilities_says_there_is_no_chart(
    cli: Callable[..., Result], web: Web
) -> None:
    with freeze_time(NOW - dt.timedelta(days=30)):
        _ok(cli("add", "No number given", "--due", "2025-06", "--key", "plain"))
    with freeze_time(NOW):
        _ok(cli("resolve", "plain", "no"))
    html = _page(web)
    assert _text_of(html, "summary-resolved") == "1"
    assert _text_of(html, "summary-hit-rate") == "0%"
    assert 'id="no-chart"' in html
    assert "<svg" not in html
    assert "has no forecast made before it closed" in html  # the summary's own note


def test_claims_and_names_are_escaped(cli: Callable[..., Result], web: Web) -> None:
    with freeze_time(NOW - dt.timedelta(days=30)):
        _ok(
            cli("add", '<script>alert("claim")</script> & co', "--due", "2025-06", "--key", "evil",
                "--forecaster", "<img src=x onerror=alert(1)>", "--source-title", "<b>T</b>")
        )  # fmt: skip
    html = _page(web)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>T</b>" not in html
    assert "&lt;script&gt;alert(&#34;claim&#34;)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # The one script is the page's own.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) == 1
    assert re.fullmatch(r'<script src="static/page\.js\?v=[0-9a-f]+" defer>', scripts[0])


def test_an_empty_database(web: Web) -> None:
    html = _page(web)
    assert _text_of(html, "open-count") == "0"
    assert "No open prediction has its deadline ahead." in html
    assert "Nothing is overdue." in html
    assert 'id="nothing-resolved"' in html
    assert 'id="deliveries-fine"' in html


def test_read_only_server_shows_no_token_field_or_buttons(
    history: Callable[..., Result], make_web: Callable[..., Web]
) -> None:
    html = _page(make_web(api_token=None))
    assert 'id="read-only"' in html
    assert 'id="token"' not in html
    assert "data-outcome" not in html
    overdue = _section(html, "overdue")
    assert 'class="forecast"' not in html  # no form to add a forecast either
    assert f"tracker resolve {SEED_KEYS[0]} yes|no|annulled" in overdue


def test_with_a_token_the_field_is_there_and_the_token_is_not(
    history: Callable[..., Result], web: Web
) -> None:
    html = _page(web)
    assert 'id="token"' in html
    assert 'id="read-only"' not in html
    assert API_TOKEN not in html


def test_failing_deliveries_are_listed(history: Callable[..., Result], web: Web) -> None:
    from sqlmodel import Session, select

    from tracker.persistence.models import Delivery, Prediction

    with Session(web.engine) as session:
        prediction = session.exec(select(Prediction).where(Prediction.key == SEED_KEYS[0])).one()
        assert prediction.id is not None
        for n, (status, error) in enumerate(
            [
                ("dead", "HTTP 410 from <https://hooks.example> & gone"),
                ("retrying", "connection refused"),
                ("delivered", None),
            ]
        ):
            session.add(
                Delivery(
                    prediction_id=prediction.id,
                    reminder=f"overdue-{n + 1}",
                    kind="overdue",
                    due_at=prediction.due_at,
                    channel=f"hook-{status}",
                    webhook_id=f"msg_{n}",
                    event_type="prediction.overdue",
                    payload="{}",
                    scheduled_for=NOW - dt.timedelta(days=3),
                    status=status,
                    attempts=8 if status == "dead" else 2,
                    last_status_code=410 if status == "dead" else None,
                    last_error=error,
                    last_attempt_at=NOW - dt.timedelta(hours=2),
                    next_attempt_at=NOW + dt.timedelta(minutes=5) if status == "retrying" else None,
                )
            )
        session.commit()

    deliveries = _section(_page(web), "deliveries")
    assert 'id="deliveries-fine"' not in deliveries
    assert "hook-dead" in deliveries
    assert "hook-retrying" in deliveries
    assert "hook-delivered" not in deliveries
    assert "overdue-1" in deliveries
    assert SEED_KEYS[0] in deliveries
    assert "8 attempts" in deliveries
    assert "HTTP 410" in deliveries
    # the receiver's own words stay out of the page (they can quote credentials back)
    assert "HTTP 410 Gone" in deliveries
    assert "hooks.example" not in deliveries
    assert "connection refused" not in deliveries
    assert "failed; `tracker deliveries` has the details" in deliveries
    assert "next try at 2026-01-15 12:05 UTC" in deliveries


def test_times_are_shown_in_the_configured_zone(make_web: Callable[..., Web]) -> None:
    web = make_web(timezone="Pacific/Auckland")
    html = _page(web)
    assert "As of 2026-01-16 01:00 NZDT" in html  # NOW is 12:00 UTC
    assert "times are in Pacific/Auckland" in html


def test_long_lists_stop_and_say_how_many_more(
    cli: Callable[..., Result], web: Web, tmp_path: Path
) -> None:
    import_due_predictions(cli, tmp_path, LIST_LIMIT + 3)
    html = _page(web)
    assert len(_items(_section(html, "overdue"))) == LIST_LIMIT
    assert _text_of(html, "overdue-count") == str(LIST_LIMIT + 3)
    assert "and 3 more" in _section(html, "overdue")


def test_nothing_is_loaded_from_elsewhere(history: Callable[..., Result], web: Web) -> None:
    with freeze_time(NOW - dt.timedelta(days=30)):
        _ok(cli_add_with_source(history))
    with freeze_time(NOW):
        response = web.client.get("/")
    html = response.text
    # The source is a link to follow (a navigation, never a load), and the only absolute URL.
    link = '<a class="source" href="https://news.example/bridge" rel="noopener noreferrer">'
    assert f"{link}Example News \N{EM DASH} Bridge report</a>" in html
    # A forecast chart's namespace is a name, never loaded.
    rest = html.replace(link, "").replace(' xmlns="http://www.w3.org/2000/svg"', "")
    assert "<svg" in rest
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}", rest, re.IGNORECASE)
    for attribute, target in re.findall(r'\b(href|src|action)="([^"]*)"', rest):
        assert target == "data:," or not re.match(r"^([a-z][a-z0-9+.-]*:|/)", target), (
            attribute,
            target,
        )
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp

    # The stylesheet and the script: served here, at the hashed URLs the page names, and
    # asking for nothing else (no fonts, no imports).
    for name, kind in (("page.css", "text/css"), ("page.js", "text/javascript")):
        url = re.search(rf'"(static/{re.escape(name)}\?v=([0-9a-f]+))"', html)
        assert url, name
        asset = web.client.get("/" + url.group(1))
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(kind)
        assert hashlib.sha256(asset.content).hexdigest().startswith(url.group(2))
        assert not re.search(r"https?:|@import|@font-face|url\(", asset.text)
    assert web.client.get("/static/app.py").status_code == 404
    assert web.client.get("/static/..%2Fpage.py").status_code == 404


def cli_add_with_source(cli: Callable[..., Result]) -> Result:
    """A prediction whose source has a URL: the page links to it and loads nothing from it."""
    return cli(
        "add", "The bridge reopens", "--due", "2025-07", "--key", "bridge",
        "--source-url", "https://news.example/bridge", "--source-title", "Bridge report",
        "--source-publisher", "Example News",
    )  # fmt: skip


def _item(section: str, key: str) -> str:
    match = re.search(rf'<li class="prediction[^"]*" data-key="{key}">.*?</li>', section, re.DOTALL)
    assert match, f"no item {key!r}"
    return match.group(0)


def test_each_question_shows_its_forecast_history(history: Callable[..., Result], web: Web) -> None:
    with freeze_time(NOW - dt.timedelta(days=10)):
        _ok(history("forecast", "ceasefire", "55%", "--by", "<b>Desk B</b>"))
        _ok(history("forecast", "ceasefire", "0.6", "--by", "Desk A"))
    html = _page(web)
    ceasefire = _item(_section(html, "ahead"), "ceasefire")
    assert "Forecast history (3)" in ceasefire
    # Each forecaster's latest, in the order they first forecast.
    assert '<span class="forecasts">Desk A 60% \N{MIDDLE DOT} &lt;b&gt;Desk B&lt;/b&gt; 55%' in (
        ceasefire
    )
    chart = re.search(r'<svg [^>]*id="forecasts-\d+".*?</svg>', ceasefire, re.DOTALL)
    assert chart, "no forecast chart"
    assert 'class="forecast-chart"' in chart.group(0)
    assert "&lt;b&gt;Desk B&lt;/b&gt;" in chart.group(0)  # escaped, not markup
    assert "<b>" not in html
    assert "style=" not in chart.group(0)  # the CSP refuses inline style
    form = re.search(r'<form class="forecast".*?</form>', ceasefire, re.DOTALL)
    assert form, "no form to add a forecast"
    for name in ("forecaster", "probability", "note"):
        assert f'name="{name}"' in form.group(0)
    # No chart has another's id, and none carries its own script.
    ids = re.findall(r'<svg [^>]*id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "<script" not in "".join(re.findall(r"<svg.*?</svg>", html, re.DOTALL))

    talks = _item(_section(html, "ahead"), "talks")  # no forecast: a form, an empty chart
    assert "No forecasts yet" in talks
    assert '<form class="forecast"' in talks
    # Past its deadline a question takes no forecast: its history, without the form.
    seed = _item(_section(html, "overdue"), SEED_KEYS[0])
    assert 'class="forecast-chart"' in seed
    assert '<form class="forecast"' not in seed
