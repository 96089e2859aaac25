"""Issue 18's scenario, end to end: a real SMTP server and local HTTP receivers; routes send
each reminder to the right channels only, a digest goes out once per period across a
restart, and a stale forecast is nudged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import Result
from tests.sink import Sink
from tests.test_email_channel import HOST, Inbox, smtp_server

CONFIG = """
stale_after = "30d"

[[channels]]
name = "desk-mail"
kind = "email"
url = "smtp://{host}:{port}"
from = "tracker@example.org"
to = ["desk@example.org"]

[[channels]]
name = "ops"
kind = "webhook"
url = "{sink}/ops"

[[channels]]
name = "news"
kind = "webhook"
url = "{sink}/news"

[[channels]]
name = "morning"
kind = "webhook"
url = "{sink}/morning"

[[channels]]
name = "nobody"
kind = "webhook"
url = "{sink}/nobody"

[[routes]]
match_kinds = ["stale-forecast"]
channels = ["news"]

[[routes]]
match_tags = ["syria"]
channels = ["desk-mail"]
continue = true

[[routes]]
match_tags = ["syria"]
match_kinds = ["upcoming", "due", "overdue"]
channels = ["morning"]
digest = "daily 08:00"
timezone = "UTC"

[[routes]]
match_tags = ["ops"]
channels = ["ops"]
"""


def _ok(result: Result) -> Result:
    assert result.code == 0, (result.out, result.err)
    return result


def _check(cli: Callable[..., Result], at: str) -> None:
    with freeze_time(at):
        _ok(cli("check"))


def _on(sink: Sink, path: str) -> list[dict[str, Any]]:
    return [r.json() for r in sink.received if r.path == path]


def test_routes_a_digest_and_a_nudge(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (inbox, port):
        config = Path("tracker.toml").resolve()
        config.write_text(CONFIG.format(host=HOST, port=port, sink=sink.url))
        monkeypatch.setenv("TRACKER_CONFIG", str(config))
        with freeze_time("2026-11-01T12:00Z"):
            _ok(cli("add", "Russia leaves Tartus", "--due", "2026-12-01", "--key", "tartus",
                    "--tag", "syria"))  # fmt: skip
            _ok(cli("add", "The backup runs", "--due", "2026-12-01", "--key", "backup",
                    "--tag", "ops"))  # fmt: skip
            _ok(cli("add", "Talks resume", "--due", "2027-06-30", "--key", "talks",
                    "--forecaster", "ISW", "--probability", "0.4"))  # fmt: skip
        # The day before the deadline (it fell due at 23:59 yesterday, before this morning's
        # digest time: the service was not running) and a stale forecast on talks.
        _check(cli, "2026-12-01T12:00Z")
        _check(cli, "2026-12-01T13:00Z")  # a restart: nothing is sent twice
        _assert_sent_at_once(inbox, sink)
        # The deadline passed at midnight; its reminder is the next morning's digest.
        for at in ("2026-12-02T07:59Z", "2026-12-02T08:00:30Z", "2026-12-02T08:05Z"):
            _check(cli, at)
        digests = _on(sink, "/morning")
        assert [d["timestamp"] for d in digests] == ["2026-12-01T08:00:00Z", "2026-12-02T08:00:00Z"]
        assert [_items(d) for d in digests] == [[("tartus", "upcoming")], [("tartus", "due")]]
        assert _on(sink, "/nobody") == []
        assert len(inbox.mails) == 2  # desk-mail had both at once


def _items(digest: dict[str, Any]) -> list[tuple[str, str]]:
    items = digest["data"]["items"]
    return [(item["prediction"]["key"], item["reminder"]["kind"]) for item in items]


def _assert_sent_at_once(inbox: Inbox, sink: Sink) -> None:
    # Syria's reminder by email (route 2), the ops one to ops (route 4), the nudge to news.
    [mail] = inbox.mails  # the day's one reminder, and the restart sent it no second time
    assert mail.message["Subject"] == "[tracker] Due in 11 hours 59 minutes: Russia leaves Tartus"
    assert [b["data"]["prediction"]["key"] for b in _on(sink, "/ops")] == ["backup"]
    [nudge] = _on(sink, "/news")
    assert nudge["type"] == "forecast.stale"
    assert nudge["data"]["prediction"]["key"] == "talks"
