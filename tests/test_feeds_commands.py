"""tracker feeds add/list/remove: the feeds watched, named, checked and audited."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Result, assert_one_line_error


def test_add_list_remove(cli: Callable[..., Result]) -> None:
    added = cli(
        "feeds", "add", "https://www.news.example/rss", "--tag", "Syria", "--every", "2h",
        "--forecaster-default", "Desk", "--json",
    )  # fmt: skip
    assert added.code == 0, added.err
    feed = added.json()
    assert feed["name"] == "news.example"
    assert feed["tags"] == ["syria"]
    assert feed["every_seconds"] == 7200
    assert feed["auto_accept"] is False
    second = cli("feeds", "add", "https://news.example/atom", "--auto-accept")
    assert second.code == 0, second.err
    assert "news.example-2" in second.out
    listed = cli("feeds", "list", "--json").json()
    assert [f["name"] for f in listed] == ["news.example", "news.example-2"]
    assert listed[1]["auto_accept"] is True
    assert listed[0]["last_success_at"] is None
    table = cli("feeds", "list")
    assert "never" in table.out
    removed = cli("feeds", "remove", "news.example")
    assert removed.code == 0, removed.err
    assert [f["name"] for f in cli("feeds", "list", "--json").json()] == ["news.example-2"]
    actions = [e["action"] for e in cli("audit", "--json").json()]
    assert actions.count("feed.add") == 2
    assert "feed.remove" in actions


def test_bad_feeds_are_refused_in_one_line(cli: Callable[..., Result]) -> None:
    assert_one_line_error(cli("feeds", "add", "ftp://news.example/rss"), contains="http")
    assert_one_line_error(cli("feeds", "add", "file:///etc/passwd"), contains="http")
    assert_one_line_error(
        cli("feeds", "add", "https://news.example/rss", "--every", "10s"), contains="--every"
    )
    assert_one_line_error(
        cli("feeds", "add", "https://news.example/rss", "--every", "soon"), contains="--every"
    )
    assert_one_line_error(
        cli("feeds", "add", "https://news.example/rss", "--name", "bad name"), contains="--name"
    )
    assert cli("feeds", "add", "https://news.example/rss").code == 0
    assert_one_line_error(cli("feeds", "add", "https://news.example/rss"), contains="already")
    assert_one_line_error(
        cli("feeds", "add", "https://news.example/other", "--name", "news.example"),
        contains="already named",
    )
    assert_one_line_error(cli("feeds", "remove", "nope"), contains="no feed named")
    assert_one_line_error(cli("feeds", "poll", "nope"), contains="no feed named")


def test_a_feed_urls_credentials_are_never_shown(cli: Callable[..., Result]) -> None:
    url = "https://reader:hunter2secret@news.example/rss?apikey=k3y5ecret&section=world"
    added = cli("feeds", "add", url, "--name", "private")
    assert added.code == 0, added.err
    shown = [
        added.out,
        cli("feeds", "list").out,
        cli("feeds", "list", "--json").out,
        cli("audit", "--json").out,
        cli("feeds", "remove", "private").out,
        cli("audit", "--json").out,
    ]
    for text in shown:
        assert "hunter2secret" not in text
        assert "k3y5ecret" not in text
    assert "apikey=***&section=world" in shown[2]
