"""The page's search box and its pages of deadlines ahead."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Callable
from pathlib import Path

from freezegun import freeze_time

from tests.conftest import Result, Web
from tracker.web.page import LIST_LIMIT

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def _get(web: Web, url: str) -> str:
    with freeze_time(NOW):
        response = web.client.get(url)
    assert response.status_code == 200, response.text
    return str(response.text)


def _section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}".*?</section>', html, re.DOTALL)
    assert match, f"no section {name!r}"
    return match.group(0)


def _keys(section: str) -> list[str]:
    return re.findall(r'<li class="prediction[^"]*" data-key="([^"]+)"', section)


def _link(section: str, text: str) -> str | None:
    match = re.search(rf'<a (?:rel="next" )?href="([^"]+)">{text}</a>', section)
    return htmllib.unescape(match.group(1)) if match else None


def _ahead(cli: Callable[..., Result], folder: Path, count: int) -> None:
    lines = [f"Claim {n} about rivers,2027-{1 + n % 12:02d}-28T23:59:59.999999Z,day,k{n:02d}"
             for n in range(count)]  # fmt: skip
    sheet = folder / "ahead.csv"
    sheet.write_text("claim,due_at,precision,key\n" + "\n".join(lines) + "\n")
    assert cli("import", sheet).code == 0


def test_deadlines_ahead_go_on_a_page_at_a_time(
    cli: Callable[..., Result], web: Web, tmp_path: Path
) -> None:
    _ahead(cli, tmp_path, LIST_LIMIT + 3)
    first = _section(_get(web, "/"), "ahead")
    assert len(_keys(first)) == LIST_LIMIT
    assert _link(first, "First page") is None
    more = _link(first, "More deadlines")
    assert more is not None
    second = _section(_get(web, more), "ahead")
    assert len(_keys(second)) == 3
    assert not set(_keys(first)) & set(_keys(second))
    assert _link(second, "More deadlines") is None
    assert _link(second, "First page") == "./#ahead"


def test_the_search_box_finds_claims_and_pages_its_results(
    cli: Callable[..., Result], web: Web, tmp_path: Path
) -> None:
    _ahead(cli, tmp_path, LIST_LIMIT + 2)
    assert cli("add", "The lake freezes", "--due", "2027-02-01", "--key", "lake").code == 0
    page = _get(web, "/")
    assert '<form class="search" role="search" method="get" action="./#found">' in page
    assert '<section id="found"' not in page
    found = _section(_get(web, "/?q=lake"), "found")
    assert _keys(found) == ["lake"]
    assert "Questions matching “lake”" in found
    rivers = _section(_get(web, "/?q=RIVER"), "found")
    assert len(_keys(rivers)) == LIST_LIMIT
    more = _link(rivers, "More results")
    assert more is not None
    assert more.startswith("?q=RIVER&after=")
    assert len(_keys(_section(_get(web, more), "found"))) == 2
    for hostile in ('"', "*", "AND -", "'; --", "(", "<script>x"):
        shown = _section(_get(web, f"/?q={hostile}"), "found")
        assert "<script>" not in shown
    assert "give at least one word" in _section(_get(web, '/?q="'), "found")
    with freeze_time(NOW):
        assert web.client.get("/?after=junk").status_code == 400
