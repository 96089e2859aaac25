"""Reading a news page: its main text without menus and footers, its metadata, its charset."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pages import news_page
from tracker.errors import InvalidInput
from tracker.io.webpage import article_from_html, decode_html, looks_like_html

pytestmark = pytest.mark.no_database

URL = "https://planet.example/world/pullout?utm_source=feed"


def test_a_page_gives_its_text_and_what_it_says_about_itself() -> None:
    article = article_from_html(news_page().encode(), url=URL)
    assert article.title == "Moscow plans Syria pullout by February"
    assert (article.author, article.publisher) == ("Lois Lane", "Daily Planet")
    assert article.published == dt.date(2024, 12, 24)
    assert article.url == "https://planet.example/world/pullout"  # the canonical one
    paragraphs = article.text.split("\n\n")
    assert any(
        p.startswith("Moscow will likely complete a full military pullout") for p in paragraphs
    )
    assert paragraphs[-1].startswith("The central bank may cut rates by June 2025")
    for boilerplate in ("Home", "Sport", "Subscribe", "Privacy"):
        assert boilerplate not in article.text


def test_the_date_is_the_local_day_the_page_states() -> None:
    page = news_page(published="2024-12-24T23:30:00-05:00")
    assert article_from_html(page, url=URL).published == dt.date(2024, 12, 24)


def test_a_page_without_a_date_has_none_and_a_copyright_year_is_no_date() -> None:
    article = article_from_html(news_page(published=None, canonical=None), url=URL)
    assert article.published is None
    assert article.url == URL  # no canonical link: where it was fetched from
    footer_only = news_page(published=None).replace("Daily Planet.", "© 2023 Daily Planet.")
    assert article_from_html(footer_only, url=URL).published is None


def test_a_file_name_is_no_url() -> None:
    article = article_from_html(news_page(canonical=None), url="saved/page.html")
    assert article.url is None


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<div class='cookies'>We use cookies.</div><footer>Privacy</footer></body></html>",
        "<html><body></body></html>",
        "",
        "just some words, no markup",
    ],
)
def test_a_page_without_article_text_is_refused(html: str) -> None:
    with pytest.raises(InvalidInput, match=r"^https://x\.example/p: no article text found$"):
        article_from_html(html, url="https://x.example/p")


RUSSIAN = (
    "Министерство финансов ожидает, что новый бюджет будет опубликован к марту 2025 года, "
    "сообщили в пятницу официальные лица в ходе брифинга для журналистов."
)
FRENCH = (
    "Le ministère prévoit que le nouveau budget sera publié d'ici à mars 2025, a déclaré "
    "vendredi un porte-parole lors d'un point de presse à Paris."
)


@pytest.mark.parametrize(
    ("text", "encoding", "declared_in"),
    [
        (RUSSIAN, "windows-1251", "http"),
        (RUSSIAN, "windows-1251", "meta"),
        (RUSSIAN, "koi8-r", "meta"),
        (FRENCH, "latin-1", "http"),
        (FRENCH, "iso-8859-1", "meta"),
        (FRENCH, "utf-8", "nowhere"),
        (RUSSIAN, "windows-1251", "nowhere"),
    ],
)
def test_a_page_in_another_charset_reads_right(text: str, encoding: str, declared_in: str) -> None:
    page = news_page(paragraphs=(text, text.replace("2025", "2026")), charset=encoding)
    if declared_in != "meta":
        page = page.replace(f'<meta charset="{encoding}">', "")
    content_type = f"text/html; charset={encoding}" if declared_in == "http" else "text/html"
    article = article_from_html(page.encode(encoding), url=URL, content_type=content_type)
    assert text in article.text


def test_the_http_charset_wins_over_the_page_and_a_bom_over_both() -> None:
    page = news_page(paragraphs=(RUSSIAN,), charset="utf-8").encode("windows-1251")
    assert RUSSIAN in decode_html(page, "text/html; charset=windows-1251")
    assert RUSSIAN in decode_html(b"\xef\xbb\xbf" + RUSSIAN.encode(), "text/html; charset=latin-1")


def test_a_declared_charset_wins_over_bytes_that_would_pass_for_utf8() -> None:
    """As in browsers: what the page says it is wins over what its bytes look like."""
    page = b'<html><head><meta charset="windows-1251"></head><body>\xd0\x91</body></html>'
    assert "\u0420\u2018" in decode_html(page)  # not "\u0411", what the bytes are in UTF-8
    assert "\u0411" in decode_html(page.replace(b' charset="windows-1251"', b""))


def test_an_unknown_charset_label_falls_through_to_utf8() -> None:
    assert decode_html(FRENCH.encode(), "text/html; charset=no-such-thing") == FRENCH


@pytest.mark.parametrize(
    ("start", "html"),
    [
        ("<!DOCTYPE html>\n<html>", True),
        ("\ufeff  <html lang='en'>", True),
        ("<head><title>x</title>", True),
        ("<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>", True),
        ("<?xml version='1.0'?><rss version='2.0'>", False),
        ("ISW: Moscow plans a pullout by <b>February</b>", False),
        ("The report said 3 < 4.", False),
    ],
)
def test_html_is_told_from_plain_text(start: str, html: bool) -> None:
    assert looks_like_html(start) is html
