"""The page's "Proposed" section: pending proposals with Accept and Reject, their text (which
comes from the web) escaped, an empty state, and no buttons on a read-only server."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from freezegun import freeze_time

from tests.conftest import Result, Web
from tests.test_proposals_api import PORT, SYRIA, propose
from tracker.news.articles import ArticleText

NOW = "2026-11-29T12:00:00Z"


def page(web: Web) -> str:
    with freeze_time(NOW):
        response = web.client.get("/")
    assert response.status_code == 200, response.text
    return str(response.text)


def section(html: str) -> str:
    match = re.search(r'<section id="proposed".*?</section>', html, re.DOTALL)
    assert match, "no Proposed section"
    return match.group(0)


def rows(html: str) -> dict[str, str]:
    """Each proposal's row in the section, by its id."""
    found = re.findall(r'<li class="proposal" data-proposal="(\d+)">(.*?)</li>', html, re.DOTALL)
    return dict(found)


def test_nothing_proposed(web: Web) -> None:
    shown = section(page(web))
    assert 'id="nothing-proposed"' in shown
    assert "data-decision" not in shown


def test_pending_proposals_are_listed_with_their_buttons(
    web: Web, cli: Callable[..., Result]
) -> None:
    with freeze_time(NOW):
        # A question the Syria proposal matches (same claim, same deadline).
        added = cli("add", SYRIA, "--due", "February 2027", "--key", "syria-out", "--tz", "UTC")
        assert added.code == 0, added.err
        ids = propose(web)
        rejected = cli("proposals", "reject", str(ids[PORT]))
        assert rejected.code == 0, rejected.err
        text = "The airport <script>alert(1)</script> will probably reopen by March 2027."
        ids.update(propose(web, ArticleText(text=text, url=None, published=dt.date(2026, 11, 20))))
    shown = section(page(web))
    listed = rows(shown)
    assert str(ids[PORT]) not in listed  # decided: no longer proposed
    syria = listed[str(ids[SYRIA])]
    assert SYRIA in syria
    assert "February 2027" in syria
    assert '<span class="forecaster">ISW</span>' in syria
    assert '<span class="probability">67.5%</span>' in syria
    assert 'href="https://news.example/syria"' in syria
    assert "Example News \N{EM DASH} Syria &lt;b&gt;today&lt;/b&gt;" in syria
    assert "Matches <code>syria-out</code>" in syria
    assert "(similarity 1.00)" in syria
    assert 'data-decision="accept"' in syria
    assert 'data-decision="reject"' in syria

    airport = next(row for pid, row in listed.items() if pid != str(ids[SYRIA]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in airport
    assert "Matches" not in airport
    assert "href=" not in airport  # an article with no URL links nowhere
    assert "<script>alert" not in shown


def test_a_read_only_server_says_how_to_decide_instead(make_web: Callable[..., Web]) -> None:
    web = make_web(api_token=None)
    ids = propose(web)
    shown = section(page(web))
    assert "data-decision" not in shown
    assert f"tracker proposals accept {ids[SYRIA]}" in shown
