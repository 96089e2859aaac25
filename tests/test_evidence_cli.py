"""`tracker evidence scan FILE|URL`: what an article says about the open questions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Result, assert_one_line_error
from tests.pages import Page, Site, news_page, running_site

Cli = Callable[..., Result]
HTML = {"Content-Type": "text/html; charset=utf-8"}
PULLOUT = "Moscow pulled its last troops out of Syria on Tuesday, officials said.\n"
SYRIA_KEY = "russia-full-withdrawal-from-syria-2025-02"


@pytest.fixture
def site() -> Iterator[Site]:
    yield from running_site()


def _seed(cli: Cli) -> None:
    assert cli("seed", SEEDS).code == 0


def test_scan_lists_the_evidence_with_its_source(cli: Cli, tmp_path: Path) -> None:
    _seed(cli)
    article = tmp_path / "report.txt"
    article.write_text(PULLOUT + "\nThe ministry said more flights would follow.\n")
    result = cli("evidence", "scan", article, "--published", "2025-02-20", "--json")
    assert result.code == 0, result.err
    assert result.json() == [
        {
            "question": SYRIA_KEY,
            "outcome": "yes",
            "occurred_on": "2025-02-18",
            "quote": PULLOUT.strip(),
            "score": 1.0,
            "source": {"url": None, "title": "report.txt", "published": "2025-02-20"},
        }
    ]
    table = cli("evidence", "scan", article, "--published", "2025-02-20")
    assert table.code == 0
    assert "yes" in table.out
    assert "Tuesday" in table.out


def test_a_page_gives_its_own_date_and_address(cli: Cli, site: Site) -> None:
    _seed(cli)
    page = news_page(published="2025-02-20T08:00:00+00:00", paragraphs=(PULLOUT.strip(),))
    url = site.serve("/world/out", Page(page.encode(), headers=HTML))
    result = cli("evidence", "scan", url, "--json")
    assert result.code == 0, result.err
    [found] = result.json()
    assert found["source"]["url"] == "https://planet.example/world/pullout"
    assert found["source"]["published"] == "2025-02-20"
    assert found["occurred_on"] == "2025-02-18"


def test_a_plan_is_no_evidence(cli: Cli, tmp_path: Path) -> None:
    _seed(cli)
    article = tmp_path / "plan.txt"
    article.write_text("Russia will withdraw its forces from Syria by the end of February.\n")
    result = cli("evidence", "scan", article, "--published", "2025-01-20", "--json")
    assert result.code == 0, result.err
    assert result.json() == []
    assert "No evidence" in cli("evidence", "scan", article, "--published", "2025-01-20").out


def test_bad_input_is_one_line(cli: Cli, tmp_path: Path) -> None:
    _seed(cli)
    article = tmp_path / "a.txt"
    article.write_text(PULLOUT)
    assert_one_line_error(cli("evidence", "scan", article), contains="--published")
    bad_day = cli("evidence", "scan", article, "--published", "2025-02-30")
    assert_one_line_error(bad_day, contains="--published")
    assert_one_line_error(
        cli("evidence", "scan", tmp_path / "none.txt", "--published", "2025-02-20")
    )
