"""The page's Accept and Reject in a real headless Chromium: each row says what came of it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import API_TOKEN, Web, live_server
from tests.test_browser import (  # noqa: F401 - browser and phone are fixtures
    TIMEOUT_MS,
    Watch,
    assert_fits,
    browser,
    phone,
)
from tests.test_proposals_api import PORT, SYRIA, propose

pytestmark = pytest.mark.browser


def test_accept_and_reject_a_proposal(web: Web, phone: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    ids = propose(web)
    with live_server(web) as url:
        watch = Watch(phone, url)
        phone.goto(url + "/")
        syria = phone.locator(f'li[data-proposal="{ids[SYRIA]}"]')
        port = phone.locator(f'li[data-proposal="{ids[PORT]}"]')
        expect(port.locator(".claim")).to_have_text(PORT)  # the web's <script> shown, not run
        assert_fits(phone)

        syria.get_by_role("button", name="Accept").click()
        expect(syria.locator(".error")).to_contain_text("Type the API token above first")
        phone.fill("#token", API_TOKEN)
        syria.get_by_role("button", name="Accept").click()
        expect(syria.locator(".decided")).to_have_text(
            re.compile(r"^Stored as \S+\.$"), timeout=TIMEOUT_MS
        )
        stored = syria.locator(".decided").text_content()
        expect(syria.locator(".error")).to_be_hidden()
        expect(syria.get_by_role("button", name="Accept")).to_be_hidden()

        port.locator("summary").click()
        port.get_by_label("Reason").fill("not a forecast")
        port.get_by_role("button", name="Reject").click()
        expect(port.locator(".decided")).to_have_text("Rejected.", timeout=TIMEOUT_MS)

    decided = web.client.get("/api/v1/proposals", params={"status": "all"}).json()["items"]
    assert [(p["status"], p["reason"]) for p in decided] == [
        ("accepted", None),
        ("rejected", "not a forecast"),
    ]
    assert stored == f"Stored as {decided[0]['question']}."
    assert watch.elsewhere == []
    assert watch.errors == []
