"""Reading RSS and Atom feeds from bytes: keys, dates in UTC, plain text, newest first, capped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.errors import InvalidInput
from tracker.io.feeds import html_to_text, parse_feed

pytestmark = pytest.mark.no_database

URL = "https://planet.example/feed.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Daily Planet: World</title>
  <link>https://planet.example/</link>
  <item>
    <title>Budget by March</title>
    <link>https://planet.example/budget</link>
    <guid isPermaLink="false">planet-1001</guid>
    <pubDate>Mon, 23 Dec 2024 09:00:00 +0100</pubDate>
    <description>Short summary.</description>
    <content:encoded><![CDATA[<p>The ministry expects the budget <b>by March 2025</b>.</p>
      <p>Officials said &amp; repeated it.</p><script>track()</script>]]></content:encoded>
  </item>
  <item>
    <title>Pullout by February</title>
    <link>https://planet.example/pullout</link>
    <pubDate>Tue, 24 Dec 2024 08:00:00 GMT</pubDate>
    <description>&lt;p&gt;Moscow plans a pullout by February 2025.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Undated note</title>
    <description>No link, no guid, no date.</description>
  </item>
</channel>
</rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>ISW updates</title>
  <id>tag:isw.example,2024:feed</id>
  <updated>2024-12-24T10:00:00Z</updated>
  <entry>
    <id>tag:isw.example,2024:1</id>
    <title type="html">Russia &amp;amp; Syria</title>
    <link rel="alternate" href="https://isw.example/1"/>
    <published>2024-12-24T10:00:00+02:00</published>
    <summary>Summary text.</summary>
    <content type="html">&lt;p&gt;One.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>tag:isw.example,2024:2</id>
    <title>Only an id</title>
    <updated>2024-12-20T00:00:00Z</updated>
  </entry>
</feed>"""


def test_an_rss_feed_gives_its_items_newest_first() -> None:
    feed = parse_feed(RSS, url=URL, max_items=50)
    assert (feed.title, feed.total) == ("Daily Planet: World", 3)
    newest, older, undated = feed.items
    assert (newest.key, newest.link, newest.title) == (
        "https://planet.example/pullout",  # no guid: the link is the key
        "https://planet.example/pullout",
        "Pullout by February",
    )
    assert newest.published == dt.datetime(2024, 12, 24, 8, tzinfo=dt.UTC)
    assert newest.text == "Moscow plans a pullout by February 2025."
    assert older.key == "planet-1001"
    assert older.published == dt.datetime(2024, 12, 23, 8, tzinfo=dt.UTC)  # +0100 read as UTC
    # content:encoded rather than the summary, as plain text, paragraphs kept, scripts dropped
    assert (
        older.text
        == "The ministry expects the budget by March 2025.\n\nOfficials said & repeated it."
    )
    assert undated.published is None
    assert undated.link is None
    assert undated.key.startswith("sha256:")


def test_keys_stay_the_same_from_one_poll_to_the_next() -> None:
    first = [item.key for item in parse_feed(RSS, url=URL, max_items=50).items]
    assert first == [item.key for item in parse_feed(RSS, url=URL, max_items=50).items]


def test_an_atom_feed() -> None:
    feed = parse_feed(ATOM, url=URL, max_items=50)
    assert (feed.title, feed.total) == ("ISW updates", 2)
    first, second = feed.items
    assert (first.key, first.link, first.title) == (
        "tag:isw.example,2024:1",
        "https://isw.example/1",
        "Russia & Syria",
    )
    assert first.published == dt.datetime(2024, 12, 24, 8, tzinfo=dt.UTC)
    assert first.text == "One.\n\nTwo."
    assert (second.key, second.link, second.text) == ("tag:isw.example,2024:2", None, None)
    assert second.published == dt.datetime(2024, 12, 20, tzinfo=dt.UTC)


def test_an_empty_but_valid_feed_has_no_items() -> None:
    body = b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, url=URL, max_items=5).items == []


def test_small_faults_are_tolerated_when_items_were_read() -> None:
    """An HTML entity XML does not know, and a stray ampersand: feedparser complains ("bozo")
    and reads on; so do we."""
    body = RSS.replace(b"Budget by March", b"Budget&nbsp;by March & more")
    feed = parse_feed(body, url=URL, max_items=50)
    assert feed.total == 3
    assert "Budget" in (feed.items[1].title or "")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "the answer is empty"),
        (b"  \n", "the answer is empty"),
        (b"<!doctype html><html><body><p>A web page.</p></body></html>", "an HTML page"),
        (b"<?xml version='1.0'?><opml><body/></opml>", "no <rss>, <feed> or <rdf:RDF>"),
        (b"<rss><channel><item><title>cut off", "broken XML"),
        (b"\x00\x01\x02 binary", "broken XML"),
        (b'{"items": []}', "broken XML"),
    ],
)
def test_what_is_no_feed_is_refused_in_one_line(body: bytes, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_feed(body, url=URL, max_items=5)
    message = str(caught.value)
    assert message.startswith(f"{URL}: not an RSS or Atom feed ("), message
    assert why in message
    assert "\n" not in message


def _big_feed(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>https://planet.example/{n}</link>"
        f"<guid>item-{n}</guid><pubDate>Tue, 24 Dec 2024 {n % 24:02d}:{n % 60:02d}:00 GMT"
        f"</pubDate><description>&lt;p&gt;Officials expect decision {n} by March 2025."
        "&lt;/p&gt;</description></item>"
        for n in range(count)
    )
    return f'<rss version="2.0"><channel><title>Firehose</title>{items}</channel></rss>'.encode()


def test_a_long_feed_is_capped_and_counted() -> None:
    # 3,000 items: the cap and the count are the same at any length; a poll of a 10,000-item
    # feed is in test_feed_polling, and the time one takes is a benchmark (bench feed).
    body = _big_feed(3_000)
    feed = parse_feed(body, url=URL, max_items=50)
    assert (feed.total, len(feed.items)) == (3_000, 50)
    assert feed.items[0].published == dt.datetime(2024, 12, 24, 23, 59, tzinfo=dt.UTC)
    stamps = [item.published for item in feed.items]
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]


def test_html_to_text() -> None:
    assert html_to_text("Plain  text\nhere") == "Plain text here"
    assert html_to_text("<div>a<br>b</div><ul><li>c</li><li>d</li></ul>") == "a b\n\nc\n\nd"
    assert html_to_text("<style>p{}</style>&lt;tag&gt; &eacute;") == "<tag> é"


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><title>T &x;</title><item><title>a &x;</title>'
        "<link>https://planet.example/1</link><description>&x;</description></item>"
        "</channel></rss>"
    ).encode()
    try:
        feed = parse_feed(body, url=URL, max_items=5)
    except InvalidInput:
        return
    assert "TOP-SECRET" not in repr(feed)
