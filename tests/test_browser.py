"""The page in a real headless Chromium at a phone's size: resolve a prediction, see it move.

Debian's chromium, driven by Playwright's Python package (no browser download). Without a
chromium these tests skip, except in CI, where they fail: there .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import API_TOKEN, SEEDS, Result, Web, live_server

pytestmark = pytest.mark.browser

# A phone: the page must fit this without scrolling sideways.
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 30_000  # two slow cores: Chromium starts and reloads at its own pace
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if path is None:
        reason = "no chromium (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser tests: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module (each start costs about a second); a fresh context, with
    its own storage, for each test."""
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def seeded_web(cli: Callable[..., Result], web: Web) -> Web:
    for args in (
        ("seed", SEEDS),
        ("add", "The ceasefire holds", "--due", "2025-01", "--key", "ceasefire",
         "--probability", "0.8", "--forecaster", "Desk A", "--made-at", "2024-12-01"),
        ("add", "The bridge reopens", "--due", "2099-06", "--key", "bridge"),
    ):  # fmt: skip
        result = cli(*args)
        assert result.code == 0, result.err
    return web


class Watch:
    """What the page asked for and complained about while a test ran."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.origin = urlsplit(base_url).netloc
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request: Any) -> None:
        url = urlsplit(request.url)
        if url.scheme != "data" and url.netloc != self.origin:
            self.elsewhere.append(request.url)

    def _console(self, message: Any) -> None:
        # The 401 of a refused resolve is logged by Chromium as a failed resource; that one is
        # expected. Anything else (a CSP violation, a script error) is not.
        if message.type == "error" and "401" not in message.text:
            self.errors.append(message.text)


def assert_fits(page: Any) -> None:
    """No sideways scrolling. Against the phone's width, not window.innerWidth: a mobile
    Chromium widens its viewport to whatever the content needs, so innerWidth grows with it."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert max(widths) <= PHONE["width"], f"the page scrolls sideways on a phone: {widths}"


def overdue_item(page: Any, key: str) -> Any:
    return page.locator(f'#overdue li[data-key="{key}"]')


def test_resolve_on_a_phone_and_see_the_summary_change(seeded_web: Web, phone: Any) -> None:
    from playwright.sync_api import expect

    with live_server(seeded_web) as url:
        watch = Watch(phone, url)
        phone.goto(url + "/")

        assert_fits(phone)
        expect(phone.locator("#resolved-count")).to_have_text("0")
        expect(phone.locator("#nothing-resolved")).to_be_visible()
        expect(phone.locator("#ahead li[data-key=bridge]")).to_be_visible()
        expect(overdue_item(phone, "ceasefire")).to_be_visible()

        phone.fill("#token", API_TOKEN)
        expect(phone.locator("#token-who")).to_have_text(
            "TRACKER_API_TOKEN \N{MIDDLE DOT} admin: may read, forecast, resolve and administer"
        )
        overdue_item(phone, "ceasefire").get_by_role("button", name="Yes").click()

        # The page reloads once the API has answered: the server renders the new state.
        expect(phone.locator("#summary-resolved")).to_have_text("1", timeout=TIMEOUT_MS)
        expect(phone.locator("#resolved-count")).to_have_text("1")
        expect(phone.locator("#summary-hit-rate")).to_have_text("100%")
        expect(phone.locator("#summary-brier")).to_have_text("0.040")
        expect(phone.locator("#calibration circle")).to_have_count(1)
        expect(overdue_item(phone, "ceasefire")).to_have_count(0)
        expect(phone.locator("#overdue li[data-key]")).to_have_count(3)
        expect(phone.locator("#flash")).to_contain_text("The ceasefire holds")
        # Typed once: the token is still there after the reload.
        expect(phone.locator("#token")).to_have_value(API_TOKEN)
        assert "token" not in phone.url

        # The chart drawn, the page still fits the phone.
        assert_fits(phone)
        box = phone.locator("#calibration").bounding_box()
        assert box is not None
        assert 0 < box["width"] <= PHONE["width"]

    record = seeded_web.client.get("/api/v1/predictions/ceasefire").json()
    assert record["status"] == "resolved"
    assert record["outcome"] == "yes"
    assert record["resolutions"][-1]["via"] == "api"
    assert watch.elsewhere == []
    assert watch.errors == []


def test_a_wrong_token_shows_the_servers_message_and_changes_nothing(
    seeded_web: Web, phone: Any
) -> None:
    from playwright.sync_api import expect

    with live_server(seeded_web) as url:
        watch = Watch(phone, url)
        phone.goto(url + "/")
        item = overdue_item(phone, "ceasefire")
        error = item.locator(".error")
        item.get_by_role("button", name="No").click()
        expect(error).to_contain_text("Type the API token above first")

        phone.fill("#token", "not-the-token")
        item.get_by_role("button", name="No").click()
        expect(error).to_be_visible(timeout=TIMEOUT_MS)
        expect(error).to_contain_text("the bearer token is not one this server knows")
        expect(error).to_contain_text("HTTP 401")
        who = phone.locator("#token-who")
        expect(who).to_have_text("the bearer token is not one this server knows (HTTP 401)")
        expect(who).to_have_class("bad")
        expect(item.get_by_role("button", name="No")).to_be_enabled()  # free to try again

        phone.reload()
        expect(phone.locator("#resolved-count")).to_have_text("0")
        expect(overdue_item(phone, "ceasefire")).to_be_visible()

    record = seeded_web.client.get("/api/v1/predictions/ceasefire").json()
    assert record["status"] == "open"
    assert record["resolutions"] == []
    assert watch.elsewhere == []
    assert watch.errors == []


def test_add_a_forecast_on_a_phone_and_see_the_chart_change(seeded_web: Web, phone: Any) -> None:
    from playwright.sync_api import expect

    with live_server(seeded_web) as url:
        watch = Watch(phone, url)
        phone.goto(url + "/")
        item = phone.locator('#ahead li[data-key="bridge"]')
        chart = item.locator("svg.forecast-chart")
        expect(chart).to_contain_text("No forecasts yet")
        expect(chart.locator(".fc-dot")).to_have_count(0)

        def add(forecaster: str, probability: str) -> None:
            item.locator("summary").click()  # closed again after each reload
            form = item.locator("form.forecast")
            form.get_by_label("Forecaster").fill(forecaster)
            form.get_by_label("Probability").fill(probability)
            form.get_by_label("Note").fill("from the port authority")
            form.get_by_role("button", name="Add forecast").click()

        add("Desk B", "oops")  # no token yet
        expect(item.locator(".form-error")).to_contain_text("Type the API token above first")
        phone.fill("#token", API_TOKEN)
        item.locator("form.forecast").get_by_role("button", name="Add forecast").click()
        expect(item.locator(".form-error")).to_contain_text("probability")  # the server's word
        expect(item.locator(".form-error")).to_contain_text("HTTP 422")
        expect(chart.locator(".fc-dot")).to_have_count(0)

        item.locator("form.forecast").get_by_label("Probability").fill("35%")
        item.locator("form.forecast").get_by_role("button", name="Add forecast").click()
        # The page reloads once the API has answered: the server draws the chart again.
        expect(phone.locator("#flash")).to_contain_text("Recorded Desk B", timeout=TIMEOUT_MS)
        expect(chart.locator(".fc-dot")).to_have_count(1)
        expect(chart.locator(".fc-forecaster")).to_have_count(1)
        expect(chart).to_contain_text("Desk B")
        expect(item.locator(".forecasts")).to_have_text("Desk B 35%")

        add("Desk C", "3:1")
        expect(phone.locator("#flash")).to_contain_text("Recorded Desk C", timeout=TIMEOUT_MS)
        expect(chart.locator(".fc-forecaster")).to_have_count(2)
        expect(item.locator(".forecasts")).to_have_text("Desk B 35% \N{MIDDLE DOT} Desk C 75%")

        item.locator("summary").click()
        expect(chart).to_be_visible()
        assert_fits(phone)
        box = chart.bounding_box()
        assert box is not None
        assert 0 < box["width"] <= PHONE["width"]

    forecasts = seeded_web.client.get("/api/v1/questions/bridge/forecasts").json()
    assert [(f["forecaster"], f["probability"], f["note"]) for f in forecasts] == [
        ("Desk B", 0.35, "from the port authority"),
        ("Desk C", 0.75, "from the port authority"),
    ]
    assert watch.elsewhere == []
    assert watch.errors == [e for e in watch.errors if "422" in e]  # the refused one, logged


def test_a_users_token_says_whose_it_is_and_forecasts_as_them(seeded_web: Web, phone: Any) -> None:
    from playwright.sync_api import expect

    from tracker import people
    from tracker.clock import utcnow
    from tracker.domain.people import Actor
    from tracker.enums import AuditVia

    root = Actor(name="root", via=AuditVia.CLI)
    user = people.NewUser(name="alice", forecaster="Alice A")
    people.add_user(seeded_web.engine, user=user, actor=root, now=utcnow())
    token = people.create_token(
        seeded_web.engine, user_name="alice", scope="forecast", expires_at=None, note=None,
        actor=root, now=utcnow(),
    ).token  # fmt: skip
    with live_server(seeded_web) as url:
        watch = Watch(phone, url)
        phone.goto(url + "/")
        phone.fill("#token", token)
        who = phone.locator("#token-who")
        expect(who).to_have_text("alice \N{MIDDLE DOT} forecast: may read and forecast")
        expect(who).not_to_have_class("bad")

        item = phone.locator('#ahead li[data-key="bridge"]')
        item.locator("summary").click()
        form = item.locator("form.forecast")
        form.get_by_label("Probability").fill("40%")
        form.get_by_role("button", name="Add forecast").click()
        expect(phone.locator("#flash")).to_contain_text(
            "Recorded your forecast", timeout=TIMEOUT_MS
        )
        expect(item.locator(".forecasts")).to_have_text("Alice A 40%")
        expect(phone.locator("#token-who")).to_contain_text("alice")  # asked again after the reload

        ceasefire = overdue_item(phone, "ceasefire")
        ceasefire.get_by_role("button", name="Yes").click()
        expect(ceasefire.locator(".error")).to_contain_text("needs `resolve`")
        expect(ceasefire.locator(".error")).to_contain_text("HTTP 403")

    assert seeded_web.client.get("/api/v1/predictions/ceasefire").json()["status"] == "open"
    assert watch.elsewhere == []
    assert [e for e in watch.errors if "403" not in e] == []  # the refused resolve, logged
