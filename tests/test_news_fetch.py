"""Fetching pages and feeds: real HTTP to a local server, every limit and refusal exercised."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator

import pytest

from tests.pages import Page, Site, running_site
from tracker.about import version
from tracker.errors import EnvironmentFailure, FetchFailed, InvalidInput
from tracker.io.fetch import Fetched, FetchLimits, fetch, fetch_now, new_client

pytestmark = pytest.mark.no_database

LIMITS = FetchLimits(timeout=5.0, max_bytes=4 * 1024 * 1024)
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def site() -> Iterator[Site]:
    yield from running_site()


def test_a_page_comes_back_with_its_headers_and_our_user_agent(site: Site) -> None:
    url = site.serve("/a", Page(b"<p>hello</p>", headers={**HTML, "ETag": '"v1"'}))
    fetched = fetch_now(url, limits=LIMITS)
    assert (fetched.status, fetched.body, fetched.url) == (200, b"<p>hello</p>", url)
    assert fetched.content_type == "text/html; charset=utf-8"
    assert (fetched.etag, fetched.last_modified, fetched.not_modified) == ('"v1"', None, False)
    agent = site.requests[0].headers["user-agent"]
    assert agent.startswith(f"tracker/{version()} (")
    assert "reading news" in agent
    assert "if-none-match" not in site.requests[0].headers


def test_redirects_are_followed_to_the_final_url(site: Site) -> None:
    site.serve("/old", Page(status=301, headers={"Location": "/middle"}))
    site.serve("/middle", Page(status=302, headers={"Location": site.url("/new")}))
    site.serve("/new", Page(b"here"))
    fetched = fetch_now(site.url("/old"), limits=LIMITS)
    assert (fetched.url, fetched.body) == (site.url("/new"), b"here")


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "data:,hi"]
)
def test_a_redirect_out_of_http_is_refused(site: Site, target: str) -> None:
    url = site.serve("/trap", Page(status=302, headers={"Location": target}))
    with pytest.raises(FetchFailed) as caught:
        fetch_now(url, limits=LIMITS)
    message = str(caught.value)
    assert message.startswith(f"{url}: redirected to "), message
    assert "refused (only http:// and https:// URLs are fetched)" in message
    assert "\n" not in message
    assert len(site.requests) == 1


def test_a_redirect_loop_ends(site: Site) -> None:
    site.serve("/loop", Page(status=302, headers={"Location": "/loop"}))
    with pytest.raises(FetchFailed, match="more than 5 redirects"):
        fetch_now(site.url("/loop"), limits=LIMITS)
    assert len(site.requests) == 6


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "http://", "x"])
def test_a_url_that_is_not_http_is_invalid_input(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        fetch_now(url, limits=LIMITS)
    assert not isinstance(caught.value, EnvironmentFailure)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_page_over_the_cap_is_refused_while_reading(site: Site, declared: bool) -> None:
    url = site.serve("/big", Page(b"<p>" + b"x" * (5 * 1024 * 1024), length=declared))
    with pytest.raises(FetchFailed) as caught:
        fetch_now(url, limits=LIMITS)
    assert str(caught.value) == f"{url}: larger than 4 MiB (TRACKER_FETCH_MAX_BYTES)"


def test_a_declared_length_over_the_cap_is_refused_before_reading(site: Site) -> None:
    """The body never comes (the server hangs up): only the Content-Length can refuse it."""
    big = {"Content-Length": str(50 * 1024 * 1024)}
    url = site.serve("/declared", Page(b"<p>a start", headers=big, length=False))
    with pytest.raises(FetchFailed, match="larger than 4 MiB"):
        fetch_now(url, limits=LIMITS)


def test_the_cap_counts_the_unpacked_bytes_of_a_gzip_answer(site: Site) -> None:
    packed = gzip.compress(b"a" * (2 * 1024 * 1024))  # 2 KiB that unpack to 2 MiB
    url = site.serve("/bomb", Page(packed, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchFailed, match="larger than 1 MiB"):
        fetch_now(url, limits=FetchLimits(timeout=5, max_bytes=1024 * 1024))
    assert len(fetch_now(url, limits=LIMITS).body) == 2 * 1024 * 1024


def test_a_page_just_under_the_cap_is_read_whole(site: Site) -> None:
    url = site.serve("/fits", Page(b"y" * 4096, length=False))
    assert fetch_now(url, limits=FetchLimits(timeout=5, max_bytes=4096)).body == b"y" * 4096


@pytest.mark.parametrize(
    ("header", "sent_as", "value"),
    [
        ("ETag", "if-none-match", '"abc123"'),
        ("Last-Modified", "if-modified-since", "Tue, 24 Dec 2024 08:00:00 GMT"),
    ],
)
def test_a_conditional_get_gets_304_when_nothing_changed(
    site: Site, header: str, sent_as: str, value: str
) -> None:
    url = site.serve("/feed", Page(b"<rss/>", headers={header: value}))
    first = fetch_now(url, limits=LIMITS)
    assert (first.status, first.body) == (200, b"<rss/>")

    async def again() -> Fetched:
        async with new_client(LIMITS) as client:
            return await fetch(
                client, url, limits=LIMITS, etag=first.etag, last_modified=first.last_modified
            )

    second = asyncio.run(again())
    assert site.requests[1].headers[sent_as] == value
    assert second == Fetched(
        url=url, status=304, body=b"", content_type=None, etag=first.etag,
        last_modified=first.last_modified,
    )  # fmt: skip
    assert second.not_modified


def test_a_server_error_fails_then_the_next_try_succeeds(site: Site) -> None:
    url = site.serve("/flaky", Page(b"oops", status=500), Page(b"fine"))
    with pytest.raises(FetchFailed) as caught:
        fetch_now(url, limits=LIMITS)
    failed = caught.value
    assert (failed.status, failed.retry_after, failed.url) == (500, None, url)
    assert str(failed) == f"{url}: the server answered 500 Internal Server Error"
    assert failed.exit_code == 1
    assert fetch_now(url, limits=LIMITS).body == b"fine"


@pytest.mark.parametrize(("status", "wait"), [(429, "120"), (503, "7")])
def test_retry_after_is_read(site: Site, status: int, wait: str) -> None:
    url = site.serve("/busy", Page(status=status, headers={"Retry-After": wait}))
    with pytest.raises(FetchFailed) as caught:
        fetch_now(url, limits=LIMITS)
    assert (caught.value.status, caught.value.retry_after) == (status, float(wait))


def test_a_slow_server_times_out_within_the_limit(site: Site) -> None:
    url = site.serve("/slow", Page(b"late", delay=2.0))
    # Without the limit the page would come, late, and nothing would be raised.
    with pytest.raises(FetchFailed, match=r"no answer within 0.5 s \(TRACKER_FETCH_TIMEOUT\)"):
        fetch_now(url, limits=FetchLimits(timeout=0.5, max_bytes=1024))


def test_a_closed_port_is_a_one_line_failure() -> None:
    with pytest.raises(FetchFailed) as caught:
        fetch_now("http://127.0.0.1:9/", limits=LIMITS)
    assert str(caught.value).startswith("http://127.0.0.1:9/: cannot connect (")
    assert "\n" not in str(caught.value)


def test_credentials_in_a_url_are_never_shown(site: Site) -> None:
    url = site.url("/gone").replace("http://", "http://reader:s3cret@")
    with pytest.raises(FetchFailed) as caught:
        fetch_now(url, limits=LIMITS)
    assert "s3cret" not in str(caught.value)
    assert str(caught.value).startswith(site.url("/gone") + ": the server answered 404")


def test_one_client_fetches_many_at_once(site: Site) -> None:
    urls = [site.serve(f"/p{n}", Page(f"page {n}".encode(), delay=0.3)) for n in range(8)]

    async def all_of_them() -> list[bytes]:
        async with new_client(LIMITS, concurrency=8) as client:
            found = await asyncio.gather(*(fetch(client, u, limits=LIMITS) for u in urls))
        return [page.body for page in found]

    assert asyncio.run(all_of_them()) == [f"page {n}".encode() for n in range(8)]
    assert site.most_in_flight > 1  # together, not one after another
