"""The calendar feed: `tracker calendar` and GET /calendar.ics, parsed back with icalendar and
held to RFC 5545's rules; the seed questions land on their days, UIDs survive edits, tokens in
the URL are checked and never logged."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from freezegun import freeze_time
from icalendar import Calendar, Component, Event

from tests.conftest import API_TOKEN, SEEDS, Result, Web, assert_one_line_error, live_server
from tracker import people
from tracker.domain.people import Actor
from tracker.enums import AuditVia
from tracker.reporting.calendar import question_uid
from tracker.web.server import mask_query_secrets

# Before the seed deadlines, after the article they come from was published.
NOW = dt.datetime(2025, 1, 10, 12, 0, tzinfo=dt.UTC)
ROOT = Actor(name="root", via=AuditVia.CLI)
WITHDRAWAL = "russia-full-withdrawal-from-syria-2025-02"  # by February 2025
DEMAND = "syria-demands-russian-withdrawal-2025-02-20"  # by 20 February 2025
INTERIM = "syria-interim-government-rules-until-2025-03"  # in March 2025


def feed(cli: Callable[..., Result], *args: str) -> bytes:
    """`tracker calendar` as bytes (as a calendar would read the file)."""
    result = cli("calendar", *args)
    assert result.code == 0, result.err
    return result.out.encode("utf-8")


def events(body: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(body)
    found: dict[str, Event] = {}
    for event in calendar.walk("VEVENT"):
        assert isinstance(event, Event)
        uid = str(event["UID"])
        assert uid not in found, f"UID {uid} twice"
        found[uid] = event
    return found


def by_key(body: bytes, key: str) -> Event:
    return events(body)[question_uid(key)]


def days(event: Component) -> tuple[dt.date, dt.date]:
    return event.decoded("DTSTART"), event.decoded("DTEND")


def triggers(event: Event) -> list[dt.timedelta]:
    return [alarm.decoded("TRIGGER") for alarm in event.walk("VALARM")]


@pytest.fixture
def seeded_then(cli: Callable[..., Result]) -> Callable[..., Result]:
    """The seeds, loaded at NOW; the calls made through it run at NOW too."""

    def run(*args: object) -> Result:
        with freeze_time(NOW):
            return cli(*args)

    assert run("seed", SEEDS).code == 0
    return run


def check_rfc5545(body: bytes) -> None:
    """What RFC 5545 asks of every feed we write (3.1: lines; 3.6: components; 3.8: props)."""
    assert body.endswith(b"\r\n")
    assert body.count(b"\n") == body.count(b"\r\n"), "a line ends in a bare LF"
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, f"a line of {len(line)} octets: {line!r}"
    calendar = Calendar.from_ical(body)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]).startswith("tracker")
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"):
            assert name in event, f"{name} missing"
        stamp = event.decoded("DTSTAMP")
        assert isinstance(stamp, dt.datetime)
        assert stamp.utcoffset() == dt.timedelta(0)  # DTSTAMP is UTC
        start, end = days(event)
        # All-day: DATE values, not DATE-TIME, and an exclusive end after the start.
        assert type(start) is dt.date
        assert type(end) is dt.date
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event["DTEND"].params["VALUE"] == "DATE"
        assert end > start
        assert "DURATION" not in event  # never both DTEND and DURATION
        for alarm in event.walk("VALARM"):
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert str(alarm["DESCRIPTION"])  # DISPLAY needs one
            assert isinstance(alarm.decoded("TRIGGER"), dt.timedelta)


def test_the_seed_questions_are_on_their_days(
    seeded_then: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "cal").mkdir()
    out = tmp_path / "cal" / "deadlines.ics"
    result = seeded_then("calendar", "-o", out)
    assert result.code == 0, result.err
    assert result.out == ""
    assert str(out) in result.err
    body = out.read_bytes()
    check_rfc5545(body)
    assert len(events(body)) == 3
    withdrawal, demand, interim = (by_key(body, k) for k in (WITHDRAWAL, DEMAND, INTERIM))
    # "by February 2025": a deadline, no window: its day is the last of February.
    assert days(withdrawal) == (dt.date(2025, 2, 28), dt.date(2025, 3, 1))
    assert str(withdrawal["SUMMARY"]).endswith("Tartus port included. (by February 2025)")
    assert days(demand) == (dt.date(2025, 2, 20), dt.date(2025, 2, 21))
    assert "(by 20 February 2025)" in str(demand["SUMMARY"])
    # "in March 2025": the window, all of March (DTEND is exclusive).
    assert days(interim) == (dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert str(interim["SUMMARY"]).endswith("(in March 2025)")
    # The phrase from the article, the forecasts in force, the tags.
    text = str(demand["DESCRIPTION"])
    assert 'As stated: "by February 20, 2025"' in text
    assert "- Sources within Syria: 50% (since 2024-12-24)" in text
    assert [str(c) for c in demand.categories] == ["diplomacy", "russia", "syria"]
    assert by_key(body, WITHDRAWAL)["SEQUENCE"] == 0
    assert list(out.parent.iterdir()) == [out]  # no temporary file left beside it


def test_stdout_is_the_same_calendar_with_crlf(seeded_then: Callable[..., Result]) -> None:
    body = seeded_then("calendar").out.encode()
    check_rfc5545(body)
    assert body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert set(events(body)) == {question_uid(k) for k in (WITHDRAWAL, DEMAND, INTERIM)}


def test_alarms_fall_at_the_lead_times_before_the_deadline_day(
    seeded_then: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = seeded_then("calendar").out.encode()
    day = dt.timedelta(days=1)
    assert triggers(by_key(body, DEMAND)) == [-7 * day, -day]  # the defaults: 7d, 1d
    monkeypatch.setenv("TRACKER_REMINDER_LEAD_TIMES", "14d,12h,1d")
    body = seeded_then("calendar").out.encode()
    assert triggers(by_key(body, DEMAND)) == [-14 * day, -day, -dt.timedelta(hours=12)]
    # A window: counted from its first day (1 March), they fire before its last (31 March).
    assert triggers(by_key(body, INTERIM)) == [16 * day, 29 * day, dt.timedelta(days=29.5)]
    raw = body.decode()
    assert "TRIGGER:-P14D\r\n" in raw
    assert "TRIGGER:P16D\r\n" in raw
    assert "TRIGGER:-PT12H\r\n" in raw


def test_the_uid_stays_across_edits_and_the_sequence_grows(
    seeded_then: Callable[..., Result],
) -> None:
    before = by_key(seeded_then("calendar").out.encode(), WITHDRAWAL)
    edited = seeded_then("edit", WITHDRAWAL, "--claim", "Russia leaves Syria entirely.",
                         "--note", "shorter")  # fmt: skip
    assert edited.code == 0, edited.err
    moved = seeded_then("edit", WITHDRAWAL, "--due", "2025-03-15", "--note", "new report")
    assert moved.code == 0, moved.err
    body = seeded_then("calendar").out.encode()
    check_rfc5545(body)
    assert len(events(body)) == 3  # updated, not duplicated
    after = by_key(body, WITHDRAWAL)
    assert after["UID"] == before["UID"]
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 2)
    assert days(after) == (dt.date(2025, 3, 15), dt.date(2025, 3, 16))
    assert str(after["SUMMARY"]) == "Russia leaves Syria entirely. (by 15 March 2025)"
    assert by_key(body, DEMAND)["SEQUENCE"] == 0


def test_days_are_read_in_the_deadlines_own_zone(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_TIMEZONE", "Europe/Berlin")  # the server's zone does not count
    with freeze_time(NOW):
        # 1:00 on 21 February in Tokyo is still 20 February in UTC.
        assert cli("add", "Tokyo decides", "--due", "2025-02-21T01:00", "--tz", "Asia/Tokyo",
                   "--key", "tokyo").code == 0  # fmt: skip
        # The end of February in New York is 1 March in UTC.
        assert cli("add", "New York decides", "--due", "February 2025",
                   "--tz", "America/New_York", "--key", "ny").code == 0  # fmt: skip
        body = feed(cli)
    check_rfc5545(body)
    assert days(by_key(body, "tokyo")) == (dt.date(2025, 2, 21), dt.date(2025, 2, 22))
    assert days(by_key(body, "ny")) == (dt.date(2025, 2, 28), dt.date(2025, 3, 1))
    assert "Deadline: by February 2025 (America/New_York)" in str(by_key(body, "ny")["DESCRIPTION"])


def test_long_text_folds_at_75_octets_and_reads_back_whole(cli: Callable[..., Result]) -> None:
    claim = "Жители Дамаска 🇸🇾 voted, ämtlich; with commas, semicolons; \\ and more. " * 6
    with freeze_time(NOW):
        added = cli("add", claim.strip(), "--due", "2025-06", "--key", "long-key",
                    "--criteria", "Line one.\nLine two, with \"quotes\".")  # fmt: skip
        assert added.code == 0, added.err
        body = feed(cli)
    check_rfc5545(body)  # every physical line at most 75 octets
    event = by_key(body, "long-key")
    assert str(event["UID"]) == "question-long-key@tracker"
    # Keys are plain today; one that is not still makes a plain UID.
    assert question_uid("old key/é") == "question-old%20key%2F%C3%A9@tracker"
    assert str(event["SUMMARY"]) == f"{' '.join(claim.split())} (by June 2025)"
    assert 'Criteria: Line one.\nLine two, with "quotes".' in str(event["DESCRIPTION"])


def test_resolved_questions_leave_and_filters_narrow(seeded_then: Callable[..., Result]) -> None:
    assert seeded_then("resolve", DEMAND, "no").code == 0
    assert set(events(seeded_then("calendar").out.encode())) == {
        question_uid(WITHDRAWAL),
        question_uid(INTERIM),
    }
    tagged = seeded_then("calendar", "--tag", "politics").out.encode()
    assert set(events(tagged)) == {question_uid(INTERIM)}
    assert str(Calendar.from_ical(tagged)["X-WR-CALNAME"]) == "tracker deadlines · tag politics"
    by_isw = seeded_then("calendar", "--forecaster", "isw").out.encode()
    assert set(events(by_isw)) == {question_uid(WITHDRAWAL)}
    assert events(seeded_then("calendar", "--tag", "nothing").out.encode()) == {}


def test_a_public_url_links_each_event(
    seeded_then: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "URL" not in by_key(seeded_then("calendar").out.encode(), DEMAND)
    monkeypatch.setenv("TRACKER_PUBLIC_URL", "https://tracker.example.org/")
    event = by_key(seeded_then("calendar").out.encode(), DEMAND)
    link = f"https://tracker.example.org/api/v1/questions/{DEMAND}"
    assert str(event["URL"]) == link
    assert link in str(event["DESCRIPTION"])
    monkeypatch.setenv("TRACKER_PUBLIC_URL", "https://user:pw@tracker.example.org")
    assert_one_line_error(seeded_then("calendar"), contains="public_url")


def test_an_unwritable_output_is_one_line_and_writes_nothing(
    seeded_then: Callable[..., Result], tmp_path: Path
) -> None:
    result = seeded_then("calendar", "-o", tmp_path / "missing" / "x.ics")
    assert_one_line_error(result, contains="does not exist")
    assert not (tmp_path / "missing").exists()
    assert_one_line_error(seeded_then("calendar", "-o", tmp_path), contains="is a folder")


# The web feed ---------------------------------------------------------------------------------


def new_token(web: Web, scope: str = "read", **fields: Any) -> str:
    fields.setdefault("expires_at", None)
    if not people.list_users(web.engine):
        people.add_user(web.engine, user=people.NewUser(name="cal"), actor=ROOT, now=NOW)
    return people.create_token(
        web.engine, user_name="cal", scope=scope, note=None, actor=ROOT, now=NOW, **fields
    ).token


def test_the_web_feed_with_a_read_token_and_filters(
    seeded_then: Callable[..., Result], web: Web
) -> None:
    token = new_token(web)
    with freeze_time(NOW):
        answer = web.client.get("/calendar.ics", params={"token": token})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "no-store" in answer.headers["cache-control"]
        check_rfc5545(answer.content)
        assert len(events(answer.content)) == 3
        # The same feed as the command line writes, but for DTSTAMP (both are now).
        assert answer.content == seeded_then("calendar").out.encode()
        tagged = web.client.get("/calendar.ics", params={"token": token, "tag": "diplomacy"})
        assert set(events(tagged.content)) == {question_uid(DEMAND)}
        theirs = web.client.get("/calendar.ics", params={"forecaster": "ISW", "token": token})
        assert set(events(theirs.content)) == {question_uid(WITHDRAWAL)}
        # TRACKER_API_TOKEN, and no token at all: reads are open, as the API's are.
        assert web.client.get("/calendar.ics", params={"token": API_TOKEN}).status_code == 200
        assert web.client.get("/calendar.ics").status_code == 200


def test_a_bad_token_is_a_401_that_does_not_repeat_it(
    seeded_then: Callable[..., Result], web: Web
) -> None:
    wrong = "not-a-token-0123456789abcdef"
    expiring = new_token(web, expires_at=NOW + dt.timedelta(days=1))
    revoked = new_token(web)
    people.revoke_token(web.engine, prefix=revoked, actor=ROOT, now=NOW)
    with freeze_time(NOW + dt.timedelta(days=2)):
        for token, why in ((wrong, "not one this server knows"), (expiring, "expired"),
                           (revoked, "revoked")):  # fmt: skip
            answer = web.client.get("/calendar.ics", params={"token": token})
            assert answer.status_code == 401, answer.text
            detail = answer.json()["detail"]
            assert why in detail
            assert "?token=" in detail
            assert "\n" not in detail
            assert token not in answer.text
        # A token header, when one is sent, is checked as on every route.
        bad_header = web.client.get("/calendar.ics", headers={"authorization": f"Bearer {wrong}"})
        assert bad_header.status_code == 401


def test_the_token_in_the_url_never_reaches_the_access_log(
    seeded_then: Callable[..., Result], web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    token = new_token(web)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    with live_server(web) as url:
        good = httpx.get(f"{url}/calendar.ics", params={"tag": "syria", "token": token})
        bad = httpx.get(f"{url}/calendar.ics?tok%65n=wrong-secret-0123456789")
    assert good.status_code == 200
    assert bad.status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(lines) == 2, caplog.text
    assert "GET /calendar.ics?tag=syria&token=*** HTTP/1.1" in lines[0]
    assert "tok%65n=***" in lines[1]
    assert token not in caplog.text
    assert "wrong-secret" not in caplog.text


def test_the_mask_leaves_other_parameters_alone() -> None:
    assert mask_query_secrets("/a?tag=token&x=1") == "/a?tag=token&x=1"
    assert mask_query_secrets("/a?TOKEN=s&access_token=t&b=") == "/a?TOKEN=***&access_token=***&b="
    assert mask_query_secrets("no query") == "no query"


def test_a_filter_with_a_line_break_is_named_on_one_line(
    cli: Callable[..., Result], web: Web
) -> None:
    """The schemathesis run found it: a tag filter of "\\n" made the feed a 500."""
    assert cli("seed", SEEDS).code == 0
    answer = web.client.get("/calendar.ics", params={"tag": "syria\nX-EVIL:1"})
    assert answer.status_code == 200
    assert b"\r\nX-EVIL" not in answer.content
