"""Discord, Teams and ntfy: what each sends, and each end to end through `tracker check` to
local receivers, through the same ledger, error classes, retries and masking as webhooks."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import col, select

from tests.conftest import Result, assert_one_line_error
from tests.sink import Answer, Received, Sink
from tests.test_channels import NOW, reminder, resolved, with_forecasts
from tracker.channels.base import OutgoingMessage
from tracker.channels.chat import notice
from tracker.channels.discord import COLORS, discord_retry_after, format_discord
from tracker.channels.ntfy import ntfy_body, ntfy_headers
from tracker.channels.teams import CARD_CONTENT_TYPE, format_teams
from tracker.channels.text import UTC_ZONE
from tracker.persistence.db import make_engine, transaction
from tracker.persistence.models import Delivery

T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
DISCORD_TOKEN = "dIsCoRdToKeN-abcdefghijklmnopqrstuvwxyz0123456789_ABCDEFGHIJKLMNOPQR"
DISCORD_PATH = f"/api/webhooks/112233445566778899/{DISCORD_TOKEN}"
TEAMS_SIG = "TeamsSig0123456789abcdefghijklmnopqrstuvWXYZ"
TEAMS_PATH = f"/workflows/4f1c2d9e/triggers/manual/paths/invoke?api-version=1&sig={TEAMS_SIG}"
NTFY_PATH = "/tracker-desk-7Kq2"
NTFY_TOKEN = "tk_ntfySecretToken0123456789abcd"
SECRETS = (DISCORD_TOKEN, "112233445566778899", TEAMS_SIG, NTFY_PATH, NTFY_TOKEN)
SOURCE = "https://example.org/news/talks"


# --- what each kind sends --------------------------------------------------------------------


def test_a_discord_reminder_is_one_embed() -> None:
    payload = format_discord(with_forecasts(reminder("overdue")), now=NOW, tz=UTC_ZONE)
    assert payload["allowed_mentions"] == {"parse": []}  # "@everyone" in a claim pings nobody
    (embed,) = payload["embeds"]
    assert embed["title"] == "Overdue by 9 days"
    assert "Russia completes a full military withdrawal from Syria." in embed["description"]
    assert embed["color"] == COLORS["overdue"]
    assert embed["url"] == "https://caliber.az/en/post/isw-moscow-plans-full-military-pullout"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Due"] == 'February 2025 ("by February 2025")'
    assert (fields["ISW"], fields["Desk <A>"]) == ("35%", "60%")
    assert embed["footer"]["text"] == "Resolve: tracker resolve overdue-1 yes|no|annulled"
    assert embed["timestamp"].endswith("Z")


@pytest.mark.parametrize(
    ("message", "now", "level"),
    [
        (reminder("upcoming"), dt.datetime(2025, 2, 20, tzinfo=dt.UTC), "upcoming"),
        (reminder("due"), dt.datetime(2025, 3, 1, tzinfo=dt.UTC), "due"),
        (reminder("overdue"), NOW, "overdue"),
        (reminder("upcoming"), NOW, "overdue"),  # retried after the deadline: told from now
        (resolved(), NOW, "resolved"),
    ],
)
def test_the_level_sets_colour_card_colour_and_priority(
    message: OutgoingMessage, now: dt.datetime, level: str
) -> None:
    assert notice(message, now=now, tz=UTC_ZONE).level == level
    assert format_discord(message, now=now, tz=UTC_ZONE)["embeds"][0]["color"] == COLORS[level]
    headers = ntfy_headers(notice(message, now=now, tz=UTC_ZONE))
    priority = {"overdue": "4", "due": "3", "upcoming": "2", "resolved": "2"}[level]
    assert headers["Priority"] == priority
    assert level in headers["Tags"].split(",")
    title = card(format_teams(message, now=now, tz=UTC_ZONE))["body"][0]
    expected = {"overdue": "Attention", "due": "Warning", "upcoming": "Accent", "resolved": "Good"}
    assert title["color"] == expected[level]


def test_discord_shows_user_text_as_written() -> None:
    message = reminder("overdue", claim="*Moscow* leaves [Syria](https://evil.example) `now`")
    embed = format_discord(message, now=NOW, tz=UTC_ZONE)["embeds"][0]
    assert "\\*Moscow\\*" in embed["description"]
    assert "\\[Syria\\]" in embed["description"]
    assert "\\`now\\`" in embed["description"]


def test_a_resolution_in_discord_has_its_note_and_no_command() -> None:
    embed = format_discord(resolved(), now=NOW, tz=UTC_ZONE)["embeds"][0]
    assert embed["title"] == "Resolved: no"
    assert "Khmeimim still in use." in embed["description"]
    assert {"name": "Resolved by", "value": "alice", "inline": False} in embed["fields"]
    assert "footer" not in embed


def card(payload: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    content: dict[str, Any] = attachment["content"]
    return content


def test_a_teams_reminder_is_an_adaptive_card() -> None:
    payload = format_teams(with_forecasts(reminder("overdue")), now=NOW, tz=UTC_ZONE)
    assert payload["type"] == "message"
    content = card(payload)
    assert content["type"] == "AdaptiveCard"
    assert content["version"] == "1.4"
    assert content["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    types = [element["type"] for element in content["body"]]
    assert set(types) <= {"TextBlock", "FactSet"}
    assert all(e.get("wrap") for e in content["body"] if e["type"] == "TextBlock")
    texts = [e["text"] for e in content["body"] if e["type"] == "TextBlock"]
    assert texts[0] == "Overdue by 9 days"
    assert "Russia completes a full military withdrawal from Syria." in texts
    (facts,) = (e["facts"] for e in content["body"] if e["type"] == "FactSet")
    assert {"title": "ISW", "value": "35%"} in facts
    assert facts[0]["title"] == "Due"
    assert texts[-1] == "Resolve: tracker resolve overdue-1 yes|no|annulled"
    (action,) = content["actions"]
    assert action["type"] == "Action.OpenUrl"
    assert action["url"].startswith("https://caliber.az/")
    json.dumps(payload)  # JSON all the way down


def test_ntfy_headers_and_body() -> None:
    item = notice(with_forecasts(reminder("overdue")), now=NOW, tz=UTC_ZONE)
    headers = ntfy_headers(item)
    assert headers["Title"] == "Overdue by 9 days"
    assert headers["Tags"] == "rotating_light,overdue"
    assert headers["Click"] == "https://caliber.az/en/post/isw-moscow-plans-full-military-pullout"
    assert all(value.isascii() for value in headers.values())
    body = ntfy_body(item).decode()
    assert body.splitlines() == [
        "Russia completes a full military withdrawal from Syria.",
        'Due: February 2025 ("by February 2025")',
        "Forecasts: ISW 35% \N{MIDDLE DOT} Desk <A> 60%",
        "Resolve: tracker resolve overdue-1 yes|no|annulled",
    ]


def test_ntfy_encodes_a_title_beyond_ascii_and_leaves_out_a_missing_link() -> None:
    message = reminder("overdue", source=None)
    item = notice(message, now=NOW, tz=UTC_ZONE)
    assert "Click" not in ntfy_headers(item)
    test = notice(OutgoingMessage("msg_1", "prediction.resolved", NOW, {
        "reminder": {"kind": "resolved"},
        "prediction": reminder("overdue").data["prediction"],
        "resolution": {"outcome": "нет"},
    }), now=NOW, tz=UTC_ZONE)  # fmt: skip
    title = ntfy_headers(test)["Title"]
    assert title.startswith("=?UTF-8?B?")
    assert title.isascii()


def test_a_long_claim_stays_inside_ntfys_limit() -> None:
    item = notice(reminder("overdue", claim="ы" * 5000), now=NOW, tz=UTC_ZONE)
    body = ntfy_body(item)
    assert len(body) <= 4096
    body.decode()  # never cut inside a character


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ('{"message": "You are being rate limited.", "retry_after": 64.57, "global": false}',
         64.57),
        ('{"retry_after": 2}', 2.0),
        ('{"retry_after": -1}', 0.0),
        ('{"retry_after": 1e12}', 86400.0),
        ('{"retry_after": "soon"}', None),
        ('{"retry_after": true}', None),
        ("[1, 2]", None),
        ("rate limited", None),
    ],
)  # fmt: skip
def test_discords_retry_after_is_read(text: str, seconds: float | None) -> None:
    wait = discord_retry_after(text)
    assert (None if wait is None else wait.total_seconds()) == seconds


# --- end to end through `tracker check` --------------------------------------------------------


def write_config(sink: Sink, *, ntfy_token: str | None = NTFY_TOKEN) -> None:
    token = f'secret = "{ntfy_token}"\n' if ntfy_token else ""
    Path("config").mkdir(exist_ok=True)
    Path("config/tracker.toml").write_text(
        f'[[channels]]\nname = "dc"\nkind = "discord"\nurl = "{sink.url}{DISCORD_PATH}"\n\n'
        f'[[channels]]\nname = "ms"\nkind = "teams"\nurl = "{sink.url}{TEAMS_PATH}"\n\n'
        f'[[channels]]\nname = "push"\nkind = "ntfy"\nurl = "{sink.url}{NTFY_PATH}"\n{token}',
        encoding="utf-8",
    )


def add_overdue(cli: Callable[..., Result], key: str = "talks") -> None:
    result = cli("add", "Talks resume", "--due", "2026-11-01", "--key", key,
                 "--forecaster", "ISW", "--probability", "35%", "--made-at", "2026-10-01",
                 "--source-url", SOURCE, "--source-title", "Talks")  # fmt: skip
    assert result.code == 0, result.err


def rows(database_url: str) -> dict[str, Delivery]:
    with transaction(make_engine(database_url)) as session:
        found = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
        return {row.channel: row for row in found}


def assert_no_secret(text: str | None) -> None:
    for secret in SECRETS:
        assert secret.lower() not in (text or "").lower(), (secret, text)


def test_each_kind_receives_a_reminder_through_check(
    cli: Callable[..., Result], sink: Sink, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sink.answer(DISCORD_PATH, Answer(204, ""))  # what each service answers when it took it
    sink.answer(TEAMS_PATH, Answer(202, ""))
    write_config(sink)
    with freeze_time(T0):
        add_overdue(cli)
        with caplog.at_level(logging.DEBUG):
            result = cli("check")
    assert result.code == 0, result.err
    assert {row.status for row in rows(database_url).values()} == {"delivered"}
    (discord,), (teams,), (ntfy,) = (sink.on(p) for p in (DISCORD_PATH, TEAMS_PATH, NTFY_PATH))
    embed = discord.json()["embeds"][0]
    assert embed["title"].startswith("Overdue by")
    assert embed["url"] == SOURCE
    assert {"name": "ISW", "value": "35%", "inline": True} in embed["fields"]
    assert discord.headers["content-type"] == "application/json"
    content = card(teams.json())
    assert content["body"][1]["text"] == "Talks resume"
    assert_ntfy(ntfy)
    for text in (result.out, result.err, caplog.text):
        assert_no_secret(text)


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def assert_ntfy(received: Received) -> None:
    headers = lower(received.headers)
    assert headers["priority"] == "4"
    assert headers["tags"] == "rotating_light,overdue"
    assert headers["click"] == SOURCE
    assert headers["title"].startswith("Overdue by")
    assert headers["authorization"] == f"Bearer {NTFY_TOKEN}"
    assert received.body.decode().startswith("Talks resume\nDue: 1 November 2026")


def test_discords_429_waits_as_long_as_its_body_says(
    cli: Callable[..., Result], sink: Sink, database_url: str
) -> None:
    body = '{"message": "You are being rate limited.", "retry_after": 4000.5, "global": false}'
    sink.answer(
        DISCORD_PATH, Answer(429, body, {"Retry-After": "1", "content-type": "application/json"})
    )
    write_config(sink)
    with freeze_time(T0):
        add_overdue(cli)
        assert cli("check").code == 0
    row = rows(database_url)["dc"]
    assert (row.status, row.last_status_code) == ("retrying", 429)
    assert row.next_attempt_at is not None
    waited = row.next_attempt_at.replace(tzinfo=dt.UTC) - T0
    assert waited == dt.timedelta(seconds=4000.5)  # the body's wait, not the header's 1 s
    assert rows(database_url)["ms"].status == "delivered"  # the others are not held up


@pytest.mark.parametrize("channel", ["dc", "ms", "push"])
@pytest.mark.parametrize(("status", "expected"), [(404, "dead"), (503, "retrying")])
def test_refusals_are_classified_and_masked(
    cli: Callable[..., Result], sink: Sink, database_url: str, channel: str, status: int,
    expected: str,
) -> None:  # fmt: skip
    path = {"dc": DISCORD_PATH, "ms": TEAMS_PATH, "push": NTFY_PATH}[channel]
    # Each receiver quotes its own credentials: the whole URL, and the key alone.
    alone = {"dc": DISCORD_TOKEN, "ms": f"sig {TEAMS_SIG}", "push": f"Bearer {NTFY_TOKEN}"}
    echo = f"no such hook {sink.url}{path} ({alone[channel]})"
    sink.answer(path, Answer(status, echo))
    write_config(sink)
    with freeze_time(T0):
        add_overdue(cli)
        assert cli("check").code == 0
    row = rows(database_url)[channel]
    assert (row.status, row.last_status_code) == (expected, status)
    assert row.last_error is not None
    assert row.last_error.startswith(f"HTTP {status}: no such hook")
    assert_no_secret(row.last_error)
    shown = cli("deliveries", "--json")
    assert shown.code == 0, shown.err
    assert_no_secret(shown.out)


def test_the_channels_command_masks_urls_and_tokens(cli: Callable[..., Result], sink: Sink) -> None:
    write_config(sink)
    for args in (("channels",), ("channels", "--json")):
        listed = cli(*args)
        assert listed.code == 0, listed.err
        assert_no_secret(listed.out)
    out = cli("channels").out
    assert "dc: discord http://127.0.0.1" in out
    assert "ms: teams http://127.0.0.1" in out
    assert "push: ntfy http://127.0.0.1" in out
    assert "(with an access token)" in out
    tested = cli("channels", "test", "push")
    assert tested.code == 0, tested.err
    assert_no_secret(tested.out)
    (received,) = sink.on(NTFY_PATH)
    assert lower(received.headers)["title"] == "tracker test message"


def test_ntfy_without_a_token_sends_no_authorization(
    cli: Callable[..., Result], sink: Sink
) -> None:
    write_config(sink, ntfy_token=None)
    assert cli("channels", "test", "push").code == 0
    (received,) = sink.on(NTFY_PATH)
    assert "authorization" not in lower(received.headers)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "discord"\nurl = "https://discord.example/api/webhooks/1/' + DISCORD_TOKEN
         + '"\nsecret = "whsec_x"', "a discord webhook takes no secret"),
        ('kind = "teams"\nurl = "ftp://teams.example/' + TEAMS_SIG + '"',
         "must start with https:// or http://"),
        ('kind = "ntfy"', "needs a url"),
        ('kind = "ntfy"\nurl = "https://ntfy.sh/topic"\nsecret = "tk_has space ' + NTFY_TOKEN
         + '"', "ntfy access token"),
        ('kind = "telegram"\nurl = "https://t.example/x"', "kind"),
    ],
)  # fmt: skip
def test_a_bad_chat_channel_is_one_line(
    cli: Callable[..., Result], table: str, message: str
) -> None:
    Path("config").mkdir()
    Path("config/tracker.toml").write_text(f'[[channels]]\nname = "x"\n{table}\n')
    for command in (("check",), ("channels",)):
        result = cli(*command)
        assert_one_line_error(result, contains=message)
        assert_no_secret(result.err)
