"""`tracker extract URL` and `tracker extract FILE.html`: web pages in, forecasts out."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import tracker.cli.extract  # noqa: F401 - registers the command even before tracker.cli imports it
from tests.conftest import Result, assert_one_line_error
from tests.pages import Page, Site, news_page, running_site

Cli = Callable[..., Result]
HTML = {"Content-Type": "text/html; charset=utf-8"}
DUE_TEXTS = ["by February 2025", "by March 2025", "by June 2025"]


@pytest.fixture
def site() -> Iterator[Site]:
    yield from running_site()


def test_a_url_gives_its_forecasts_dated_by_the_page(cli: Cli, site: Site) -> None:
    url = site.serve("/world/pullout", Page(news_page().encode(), headers=HTML))
    result = cli("extract", url, "--json")
    assert result.code == 0, result.err
    found = result.json()
    assert [c["due_text"] for c in found] == DUE_TEXTS
    # "by June 2025" reads from the page's date: the article is of 24 December 2024.
    assert found[2]["due_at"] == "2025-06-30T23:59:59.999999Z"
    assert result.err == ""


def test_the_table_is_headed_by_the_pages_account_of_itself(cli: Cli, site: Site) -> None:
    url = site.serve("/a", Page(news_page().encode(), headers=HTML))
    result = cli("extract", url)
    assert result.code == 0, result.err
    head = result.out.splitlines()[:2]
    assert head == [
        "Moscow plans Syria pullout by February",
        "Lois Lane, Daily Planet, 2024-12-24 - https://planet.example/world/pullout",
    ]
    assert "June 2025" in result.out


def test_add_stores_the_page_as_the_source(cli: Cli, site: Site) -> None:
    url = site.serve("/a", Page(news_page().encode(), headers=HTML))
    first = cli("extract", url, "--add")
    assert first.code == 0, first.err
    assert f"Added from {url}: 3 created" in first.out
    assert "3 unchanged" in cli("extract", url, "--add").out
    stored = cli("list", "--json").json()
    source = stored[0]["source"]
    assert source["url"] == "https://planet.example/world/pullout"
    assert source["title"] == "Moscow plans Syria pullout by February"
    assert source["published_at"] == "2024-12-24T00:00:00Z"
    # The author reported the forecasts; the forecasters are who the sentences name.
    assert "Lois Lane" not in {p["forecaster"] for p in stored}


def test_options_win_over_what_the_page_says(cli: Cli, site: Site) -> None:
    url = site.serve("/a", Page(news_page().encode(), headers=HTML))
    result = cli(
        "extract", url, "--add", "--published", "2025-04-01", "--source-url", "https://o.example/1",
        "--source-title", "Mine",
    )  # fmt: skip
    assert result.code == 0, result.err
    [stored] = cli("list", "--json").json()  # only "by June 2025" is ahead of 1 April 2025
    assert stored["source"]["url"] == "https://o.example/1"
    assert stored["source"]["title"] == "Mine"
    assert stored["source"]["published_at"] == "2025-04-01T00:00:00Z"


def test_a_page_without_a_date_needs_published(cli: Cli, site: Site) -> None:
    url = site.serve("/undated", Page(news_page(published=None).encode(), headers=HTML))
    result = cli("extract", url, "--json")
    assert_one_line_error(result, contains="gives no date: pass --published YYYY-MM-DD")
    assert url in result.err
    dated = cli("extract", url, "--json", "--published", "2024-12-24")
    assert dated.code == 0, dated.err
    assert [c["due_text"] for c in dated.json()] == DUE_TEXTS


def test_plain_text_still_needs_published(cli: Cli) -> None:
    Path("a.txt").write_text("Officials expect the bridge to reopen by June 2025.\n")
    assert_one_line_error(cli("extract", "a.txt"), contains="a.txt is plain text, with no date")


def test_a_saved_page_in_windows_1251_reads_right(cli: Cli) -> None:
    text = (
        "Министерство финансов ожидает, что новый бюджет будет опубликован к марту 2025 года, "
        "сообщили в пятницу официальные лица."
    )
    title = "Бюджет опубликуют к марту"
    page = news_page(title=title, charset="windows-1251", paragraphs=(text,), canonical=None)
    Path("page.htm").write_bytes(page.encode("cp1251"))
    result = cli("extract", "page.htm")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == [title, "Lois Lane, Daily Planet, 2024-12-24"]


def test_a_file_that_starts_like_html_is_read_as_a_page(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("saved.txt").write_text(news_page())
    result = cli("extract", "saved.txt", "--json")
    assert result.code == 0, result.err
    assert [c["due_text"] for c in result.json()] == DUE_TEXTS
    monkeypatch.setattr(sys, "stdin", io.StringIO(news_page()))
    piped = cli("extract", "-", "--json")
    assert piped.code == 0, piped.err
    assert [c["due_text"] for c in piped.json()] == DUE_TEXTS


@pytest.mark.parametrize(
    ("page", "code", "message"),
    [
        (Page(b"<html><body><nav><a href='/'>Home</a></nav></body></html>", headers=HTML), 2,
         "no article text found"),
        (Page(b"<p>" + b"x" * (5 * 1024 * 1024), headers=HTML), 1,
         "larger than 4 MiB (TRACKER_FETCH_MAX_BYTES)"),
        (Page(b"<p>" + b"x" * (5 * 1024 * 1024), headers=HTML, length=False), 1,
         "larger than 4 MiB (TRACKER_FETCH_MAX_BYTES)"),
        (Page(status=302, headers={"Location": "file:///etc/passwd"}), 1,
         "redirected to file:///etc/passwd, refused"),
        (Page(b"oops", status=500), 1, "the server answered 500"),
        (Page(b"%PDF-1.7", headers={"Content-Type": "application/pdf"}), 2,
         "is application/pdf, not an HTML page"),
    ],
)  # fmt: skip
def test_a_page_that_cannot_be_read_is_one_line(
    cli: Cli, site: Site, page: Page, code: int, message: str
) -> None:
    url = site.serve("/p", page)
    assert_one_line_error(cli("extract", url, "--published", "2024-12-24"), code, contains=message)


def test_the_size_cap_and_timeout_come_from_the_settings(
    cli: Cli, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = site.serve("/a", Page(news_page().encode(), headers=HTML))
    monkeypatch.setenv("TRACKER_FETCH_MAX_BYTES", "1024")
    assert_one_line_error(cli("extract", url), 1, contains="larger than 1 KiB")
    monkeypatch.setenv("TRACKER_FETCH_MAX_BYTES", "1048576")
    monkeypatch.setenv("TRACKER_FETCH_TIMEOUT", "0.3")
    slow = site.serve("/slow", Page(news_page().encode(), headers=HTML, delay=1.0))
    assert_one_line_error(cli("extract", slow), 1, contains="no answer within 0.3 s")


@pytest.mark.parametrize("url", ["ftp://example.org/a.html", "file:///etc/passwd"])
def test_a_url_that_is_not_http_is_refused(cli: Cli, url: str) -> None:
    assert_one_line_error(cli("extract", url), contains="only http:// and https:// URLs")


def test_nothing_is_stored_when_the_fetch_fails(cli: Cli, site: Site) -> None:
    url = site.serve("/p", Page(b"oops", status=503, headers={"Retry-After": "60"}))
    assert_one_line_error(cli("extract", url, "--add"), 1, contains="503")
    Path("a.txt").write_text("Officials expect the bridge to reopen by June 2025.\n")
    assert cli("extract", "a.txt", "--published", "2024-12-24", "--add").code == 0
    assert len(cli("list", "--json").json()) == 1
