"""Issue 18: the defects a hostile review found (a follower's address stopping every delivery,
a password quoted, a disabled follower's rows left pending, an oversized Discord embed, a
symlink replaced by `-o`), each held to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Result


def test_calendar_output_through_a_symlink_writes_the_target_not_replaces_the_link(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """`tracker calendar -o link.ics` where link.ics points at the real (synced) file:
    the atomic rename replaces the symlink itself, the target never gets the calendar. (As
    root, `-o /dev/full` or `-o /dev/stdout` replaces the device node / symlink in /dev.)"""
    assert cli("seed", str(SEEDS)).code == 0
    target = tmp_path / "synced" / "real.ics"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.ics"
    link.symlink_to(target)
    result = cli("calendar", "-o", str(link))
    assert result.code == 0, result.err
    assert link.is_symlink(), "the symlink was replaced by a regular file"
    assert target.read_text().startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize("address", ["bob@ex_ample.org", "bob@example.org.", "bob@example..org"])
def test_a_follower_with_an_address_mail_refuses_does_not_stop_all_delivery(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, database_url: str, address: str
) -> None:
    """`users add` refuses an address the email channel would refuse; one stored before that
    check (written here behind the command's back) is skipped, and the rest still goes out."""
    import sqlalchemy as sa
    from freezegun import freeze_time

    from tests.test_email_channel import T0, check_at, email_channels, smtp_server

    with smtp_server() as (_inbox, port):
        monkeypatch.setenv("TRACKER_CHANNELS", email_channels(f"smtp://127.0.0.1:{port}"))
        with freeze_time(T0):
            assert cli("add", "Russia withdraws", "--due", "2026-11-20", "--key", "syria",
                       "--tag", "syria").code == 0  # fmt: skip
            assert cli("users", "add", "bob", "--email", address).code == 2
            assert cli("users", "add", "bob", "--email", "bob@example.org").code == 0
            assert cli("users", "follow", "bob", "--tag", "syria").code == 0
        engine = sa.create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE app_user SET email = :a"), {"a": address})
        engine.dispose()
        rows = check_at(cli, T0)  # asserts `tracker check` exits 0
        assert any(r["channel"] == "desk-mail" and r["status"] == "delivered" for r in rows)
        mailed = [r["status"] for r in rows if r["channel"].startswith("follower:")]
        assert mailed in ([], ["cancelled"])  # never left pending


@pytest.mark.parametrize(
    "url",
    [
        "smtp://desk:?hunter2@mail.example.org:587",  # a password starting with "?", unencoded
        "smtp://desk:p@ss?hunter2@mail.example.org:587",  # "p@ss?hunter2"
        "smtp://desk:1234?hunter2@mail.example.org",
    ],
)
def test_an_unencoded_question_mark_in_the_smtp_password_is_not_quoted(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """email_rules._starttls_option quotes a query 'option' name; with a '?' in the
    password, that name is the rest of the password: `tracker check` prints it."""
    import json

    channels = [{"name": "desk-mail", "kind": "email", "url": url, "from": "t@example.org",
                 "to": ["d@example.org"]}]  # fmt: skip
    monkeypatch.setenv("TRACKER_CHANNELS", json.dumps(channels))
    for command in (("check",), ("channels",)):
        result = cli(*command)
        assert "hunter2" not in result.out + result.err, result.err


def test_a_disabled_followers_queued_reminder_is_not_left_pending_forever(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """A follower's reminder waits for a retry; the user is then disabled. The follower's
    channel leaves the dispatcher (follows.follower_channels skips disabled users), so the
    row is never claimed again: it stays pending for ever, and next_wake_at (its past
    next_attempt_at) wakes the service every MIN_WAKE_DELAY (1 s) from then on."""
    import datetime as dt

    import sqlalchemy as sa
    from freezegun import freeze_time

    from tests.test_email_channel import T0, free_port
    from tracker.delivery.admin import next_wake_at

    dead = f"smtp://127.0.0.1:{free_port()}"  # nothing listens: a retry
    import json

    channels = [{"name": "desk-mail", "kind": "email", "url": dead, "from": "t@example.org",
                 "to": ["d@example.org"]}]  # fmt: skip
    monkeypatch.setenv("TRACKER_CHANNELS", json.dumps(channels))
    monkeypatch.setenv("TRACKER_ROUTES", json.dumps([{"match_tags": ["ops"], "channels": []}]))
    with freeze_time(T0):
        assert cli("add", "Russia withdraws", "--due", "2026-11-20", "--key", "syria",
                   "--tag", "syria").code == 0  # fmt: skip
        assert cli("users", "add", "bob", "--email", "bob@example.org").code == 0
        assert cli("users", "follow", "bob", "--tag", "syria").code == 0
        assert cli("check").code == 0
        assert cli("users", "disable", "bob").code == 0
    later = T0 + dt.timedelta(days=2)
    with freeze_time(later):
        assert cli("check").code == 0
        engine = sa.create_engine(database_url)
        with engine.connect() as connection:
            stuck = connection.execute(
                sa.text(
                    "select count(*) from delivery where channel like 'follower:%'"
                    " and status in ('pending', 'retrying', 'sending')"
                )
            ).scalar_one()
        wake = next_wake_at(engine)
        engine.dispose()
    assert stuck == 0, "the disabled follower's row is still pending"
    assert wake is None or wake > later


def test_a_discord_embed_stays_within_discords_description_limit() -> None:
    """discord.embed cuts the claim and the note to 3000 each and only then escapes them,
    and joins both: a resolution of a long question (the claim may be 2000 characters) with
    a long note, or text with markdown characters (snake_case, URLs), goes over Discord's
    4096-character description (and 6000 in all), which Discord refuses with 400: dead."""
    import datetime as dt

    from tracker.channels.chat import Notice
    from tracker.channels.discord import embed

    claim = ("Will the index close above its 2024 high. " * 50)[:2000]  # no markdown at all
    note = ("The index closed above it on 3 March, as the exchange reported. " * 50)[:3000]
    item = Notice(level="resolved", title="Resolved: yes", claim=claim, note=note)
    body = embed(item, dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert len(body["description"]) <= 4096
