"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1: reminders end to end
through `tracker check`, SMTP replies in the ledger, login, STARTTLS and smtps with a
certificate made for the test (trustme), and the password kept out of every output."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from freezegun import freeze_time

from tests.conftest import Result, assert_one_line_error
from tracker.channels.base import Attempt, AttemptOutcome, OutgoingMessage
from tracker.channels.email import EmailChannel

# Logging in without TLS is what these tests do on purpose, on the loopback only.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
HOST = "127.0.0.1"
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
USER, PASSWORD = "desk", "pa55:w0rd/Secret"  # ":" and "/" must be percent-encoded in the URL
URL_PASSWORD = "pa55%3Aw0rd%2FSecret"
SENDER, RECIPIENTS = "Tracker <tracker@example.org>", ["desk@example.org", "ops@example.org"]


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps every message that reached DATA, answers as it is told."""

    replies: list[str] = field(default_factory=lambda: ["250 OK"])  # the last one repeats
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> RCPT reply
    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.mails.append(Mail(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        good = (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=good, handled=False)  # handled: it answered itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server in this process; options go to aiosmtpd's Controller."""
    inbox = Inbox()
    if options.pop("login", False):
        options |= {"authenticator": inbox.authenticate, "auth_required": True}
        options.setdefault("auth_require_tls", False)
    controller = Controller(inbox, hostname=HOST, port=free_port(), **options)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


def email_channels(url: str, *, name: str = "desk-mail", **more: Any) -> str:
    return json.dumps([{"name": name, "kind": "email", "url": url, "from": SENDER,
                        "to": RECIPIENTS, **more}])  # fmt: skip


def reminder_due(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """An email channel and one prediction past its deadline (so one "due" reminder)."""
    monkeypatch.setenv("TRACKER_CHANNELS", email_channels(url))
    with freeze_time(T0):
        added = cli("add", "Russia withdraws from Syria", "--due", "2026-11-20", "--key", "syria")
        assert added.code == 0, added.err


def check_at(cli: Callable[..., Result], when: dt.datetime) -> list[dict[str, Any]]:
    """`tracker check` at `when`, then the ledger's rows that were sent (not skipped)."""
    with freeze_time(when):
        checked = cli("check")
        assert checked.code == 0, checked.err
        rows: list[dict[str, Any]] = cli("deliveries", "--json").json()
    return [row for row in rows if row["status"] != "skipped"]


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    assert part.get_content_type() == f"text/{subtype}"
    return str(part.get_content()).replace("\r\n", "\n")


# --- end to end ------------------------------------------------------------------------------


def test_a_reminder_arrives_by_email(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, server: tuple[Inbox, int]
) -> None:
    inbox, port = server
    reminder_due(cli, monkeypatch, f"smtp://{HOST}:{port}")
    [row] = check_at(cli, T0)
    assert (row["channel"], row["status"], row["attempts"]) == ("desk-mail", "delivered", 1)
    assert row["last_error"] is None
    [mail] = inbox.mails
    assert mail.mail_from == "tracker@example.org"
    assert mail.rcpt_tos == RECIPIENTS
    message = mail.message
    assert message["From"] == SENDER
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["Subject"] == "[tracker] Overdue by 4 days: Russia withdraws from Syria"
    assert message["Message-ID"] == f"<{row['webhook_id']}@example.org>"
    assert message["List-Unsubscribe"] == (
        "<mailto:tracker@example.org?subject=unsubscribe%20desk-mail>"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == T0
    text, html = body(message, "plain"), body(message, "html")
    assert text.startswith("Overdue by 4 days\n\nRussia withdraws from Syria\n\nDue:")
    assert "20 November 2026" in text
    assert "tracker resolve syria yes|no|annulled" in text
    assert "<strong>Overdue by 4 days</strong>" in html
    assert "<code>tracker resolve syria yes|no|annulled</code>" in html
    assert message.get_content_type() == "multipart/alternative"


def test_a_retried_send_keeps_its_message_id(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, server: tuple[Inbox, int]
) -> None:
    inbox, port = server
    inbox.replies = ["451 4.3.0 Try again later", "250 OK"]
    reminder_due(cli, monkeypatch, f"smtp://{HOST}:{port}")
    [row] = check_at(cli, T0)
    assert (row["status"], row["attempts"]) == ("retrying", 1)
    assert row["last_error"] == "SMTP 451: 4.3.0 Try again later"
    [row] = check_at(cli, T0 + dt.timedelta(minutes=1))  # past the first backoff (5 s)
    assert (row["status"], row["attempts"]) == ("delivered", 2)
    ids = {mail.message["Message-ID"] for mail in inbox.mails}
    assert len(inbox.mails) == 2
    assert ids == {f"<{row['webhook_id']}@example.org>"}


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        ({"replies": ["550 5.7.1 Message rejected"]}, "dead"),
        ({"replies": ["554 5.6.0 Bad content"]}, "dead"),
        ({"replies": ["451 4.3.0 Try again later"]}, "retrying"),
        ({"refused": {"desk@example.org": "550 5.1.1 No such user",
                      "ops@example.org": "550 5.1.1 No such user"}}, "dead"),
        ({"refused": {"desk@example.org": "450 4.2.1 Mailbox busy",
                      "ops@example.org": "550 5.1.1 No such user"}}, "retrying"),
    ],
)  # fmt: skip
def test_smtp_replies_in_the_ledger(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    server: tuple[Inbox, int],
    refusal: dict[str, Any],
    status: str,
) -> None:
    inbox, port = server
    for name, value in refusal.items():
        setattr(inbox, name, value)
    reminder_due(cli, monkeypatch, f"smtp://{HOST}:{port}")
    [row] = check_at(cli, T0)
    assert (row["status"], row["attempts"]) == (status, 1)
    assert row["last_error"].startswith("SMTP 5" if status == "dead" else "SMTP 4")
    assert (row["next_attempt_at"] is None) == (status == "dead")


def test_one_refused_recipient_of_two_is_delivered_and_noted(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, server: tuple[Inbox, int]
) -> None:
    inbox, port = server
    inbox.refused = {"ops@example.org": "550 5.1.1 No such user"}
    reminder_due(cli, monkeypatch, f"smtp://{HOST}:{port}")
    [row] = check_at(cli, T0)
    assert row["status"] == "delivered"  # a retry would send desk@ a second copy
    assert row["last_error"] == "refused for ops@example.org (SMTP 550: 5.1.1 No such user)"
    assert [mail.rcpt_tos for mail in inbox.mails] == [["desk@example.org"]]


def test_a_login_and_the_password_kept_secret(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server(login=True) as (inbox, port):
        url = f"smtp://{USER}:{URL_PASSWORD}@{HOST}:{port}"
        # The server echoes the password back in its refusal: masked in last_error.
        inbox.replies = [f"550 5.7.1 Not for {USER}:{PASSWORD} or {URL_PASSWORD}"]
        reminder_due(cli, monkeypatch, url)
        [row] = check_at(cli, T0)
        listed, as_json = cli("channels"), cli("channels", "--json")
        tested = cli("channels", "test", "desk-mail")
    assert inbox.logins[0] == (USER.encode(), PASSWORD.encode())
    assert row["status"] == "dead"
    assert row["last_error"] == "SMTP 550: 5.7.1 Not for *** or ***"
    assert listed.out == (
        f"desk-mail: email smtp://{HOST}:{port} (no TLS, with login) from tracker@example.org "
        "to desk@example.org, ops@example.org\n"
    )
    assert tested.code == 1
    texts = [listed.out, as_json.out, tested.out, tested.err, json.dumps(row)]
    # aiosmtpd's own log ("mail.log") is the test server's, not ours.
    texts += [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    for text in texts:
        assert PASSWORD not in text
        assert URL_PASSWORD not in text


def test_a_wrong_password_is_dead_without_quoting_it(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server(login=True) as (inbox, port):
        reminder_due(cli, monkeypatch, f"smtp://{USER}:not-the-Password9@{HOST}:{port}")
        [row] = check_at(cli, T0)
    assert row["status"] == "dead"
    assert row["last_error"].startswith("SMTP 535")
    assert "not-the-Password9" not in row["last_error"]
    assert inbox.mails == []


def test_without_a_login_a_server_that_wants_one_refuses(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server(login=True) as (inbox, port):
        reminder_due(cli, monkeypatch, f"smtp://{HOST}:{port}")
        [row] = check_at(cli, T0)
    assert row["status"] == "dead"
    assert row["last_error"].startswith("SMTP 530")
    assert inbox.mails == []


def test_channels_test_sends_a_test_email(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, server: tuple[Inbox, int]
) -> None:
    inbox, port = server
    monkeypatch.setenv("TRACKER_CHANNELS", email_channels(f"smtp://{HOST}:{port}"))
    tested = cli("channels", "test", "desk-mail")
    assert tested.code == 0, tested.err
    assert tested.out.startswith("desk-mail: delivered (email, ")
    [mail] = inbox.mails
    assert mail.message["Subject"] == "[tracker] Test message"
    assert "the email channel works" in body(mail.message, "plain")
    inbox.replies = ["452 4.3.1 Insufficient storage"]
    failed = cli("channels", "test", "desk-mail")
    assert_one_line_error(failed, code=1, contains="retry (email: SMTP 452")


def test_a_toml_config_file_takes_from_and_to(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(
        '[[channels]]\nname = "desk-mail"\nkind = "email"\n'
        'url = "smtps://desk:hunter2hunter2@mail.example.org"\n'
        'from = "tracker@example.org"\nto = ["desk@example.org"]\n'
    )
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    listed = cli("channels")
    assert listed.code == 0, listed.err
    assert listed.out == (
        "desk-mail: email smtps://mail.example.org:465 (TLS, with login) "
        "from tracker@example.org to desk@example.org\n"
    )


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ({"from": None}, "needs from ="),
        ({"to": None}, "needs to ="),
        ({"to": []}, "needs to ="),
        ({"url": "https://mail.example.org"}, "must start with smtp:// or smtps:// (not https://)"),
        ({"url": "mail.example.org"}, "must start with smtp:// or smtps://"),
        ({"url": None}, "needs a url"),
        ({"from": "tracker at example.org"}, "from 'tracker at example.org' is not an email"),
        ({"to": ["desk@example.org", "ops@"]}, "to 'ops@' is not an email address"),
        ({"url": "smtp://u:hunter2secret@mail.example.org:587"}, "without TLS"),
        ({"url": "smtps://u:hunter2secret@mail.example.org?starttls=true"}, "TLS from the start"),
        ({"url": "smtp://u:hunter2secret@mail.example.org?tls=1"}, "only option is starttls"),
        ({"url": "smtp://u:hunter2secret@mail.example.org:99999"}, "malformed"),
        ({"secret": "hunter2secret"}, "takes no secret"),
        ({"kind": "webhook", "url": "https://hooks.example.org/x"}, "from and to are for email"),
    ],
)  # fmt: skip
def test_a_bad_email_channel_is_refused_in_one_line(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    channel: dict[str, Any],
    message: str,
) -> None:
    config = {"name": "desk-mail", "kind": "email", "url": "smtp://mail.example.org",
              "from": SENDER, "to": RECIPIENTS} | channel  # fmt: skip
    config = {name: value for name, value in config.items() if value is not None}
    monkeypatch.setenv("TRACKER_CHANNELS", json.dumps([config]))
    for command in (("check",), ("channels",)):
        result = cli(*command)
        assert_one_line_error(result, contains=message)
        assert "hunter2secret" not in result.err
        assert "channel 'desk-mail'" in result.err


# --- the channel alone: TLS, timeouts, refusals -----------------------------------------------


def a_test_message(webhook_id: str = "msg_2f9Rj0kLmN4pQ7sT") -> OutgoingMessage:
    from tracker.channels import test_message as make

    return OutgoingMessage(**{**make(T0).__dict__, "webhook_id": webhook_id})


def send(channel: EmailChannel) -> Attempt:
    return asyncio.run(channel.send(None, a_test_message(), now=T0))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls(authority: trustme.CA) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(the server's context, a client's that trusts it): a certificate for 127.0.0.1."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(HOST).configure_cert(server)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return server, client


def test_tracker_check_over_starttls_with_a_private_authority(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    authority: trustme.CA,
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    # SSL_CERT_FILE is how a deployment trusts its own authority: OpenSSL reads it when the
    # default context is made, so the channel needs no setting of its own.
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with smtp_server(login=True, tls_context=tls[0], require_starttls=True,
                     auth_require_tls=True) as (inbox, port):  # fmt: skip
        reminder_due(cli, monkeypatch, f"smtp://{USER}:{URL_PASSWORD}@{HOST}:{port}?starttls=true")
        [row] = check_at(cli, T0)
    assert (row["status"], row["last_error"]) == ("delivered", None)
    assert [mail.rcpt_tos for mail in inbox.mails] == [RECIPIENTS]


def channel(url: str, **options: Any) -> EmailChannel:
    return EmailChannel("desk-mail", url, sender=SENDER, recipients=RECIPIENTS, **options)


def test_starttls_with_a_login(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_context, client_context = tls
    # The server offers AUTH only after STARTTLS: the login proves the upgrade happened.
    with smtp_server(login=True, tls_context=server_context, require_starttls=True,
                     auth_require_tls=True) as (inbox, port):  # fmt: skip
        url = f"smtp://{USER}:{URL_PASSWORD}@{HOST}:{port}?starttls=true"
        attempt = send(channel(url, tls_context=client_context))
        untrusted = send(channel(url))  # the system's authorities do not know this one
    assert attempt.outcome is AttemptOutcome.DELIVERED, attempt.error
    assert [mail.message["Subject"] for mail in inbox.mails] == ["[tracker] Test message"]
    assert untrusted.outcome is AttemptOutcome.RETRY
    assert untrusted.error is not None
    assert "certificate" in untrusted.error.lower()


def test_implicit_tls(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_context, client_context = tls
    with smtp_server(login=True, ssl_context=server_context) as (inbox, port):
        url = f"smtps://{USER}:{URL_PASSWORD}@{HOST}:{port}"
        attempt = send(channel(url, tls_context=client_context))
    assert attempt.outcome is AttemptOutcome.DELIVERED, attempt.error
    assert len(inbox.mails) == 1


def test_starttls_asked_of_a_server_without_it_is_permanent(server: tuple[Inbox, int]) -> None:
    inbox, port = server
    attempt = send(channel(f"smtp://{HOST}:{port}?starttls=true"))
    assert attempt.outcome is AttemptOutcome.PERMANENT
    assert attempt.error is not None
    assert "STARTTLS" in attempt.error
    assert inbox.mails == []


def test_a_refused_connection_is_retried() -> None:
    attempt = send(channel(f"smtp://{HOST}:{free_port()}"))
    assert attempt.outcome is AttemptOutcome.RETRY
    assert attempt.error is not None


def test_a_silent_server_times_out_and_is_retried() -> None:
    with socket.socket() as silent:  # accepts connections and never says a word
        silent.bind((HOST, 0))
        silent.listen()
        port = silent.getsockname()[1]
        attempt = send(channel(f"smtp://{HOST}:{port}", connect_timeout=0.3, total_timeout=5))
        deadline = send(channel(f"smtp://{HOST}:{port}", connect_timeout=5, total_timeout=0.3))
    assert attempt.outcome is AttemptOutcome.RETRY
    assert attempt.error == "timed out (SMTPConnectTimeoutError)"
    assert attempt.duration_ms < 3000
    assert deadline.outcome is AttemptOutcome.RETRY
    assert deadline.error == "timed out after 0.3s"


def test_email_is_not_paced_and_its_description_names_the_server_only() -> None:
    mail = channel(f"smtp://{USER}:{URL_PASSWORD}@{HOST}:2525")
    assert mail.rate_key is None  # Slack's one a second is not a mail server's rule
    assert PASSWORD not in mail.describe()
    assert URL_PASSWORD not in mail.describe()
    assert USER not in mail.describe().split(" from ")[0]


# --- what the message says -----------------------------------------------------------------


def sample_reminder() -> OutgoingMessage:
    from tests.test_channels import reminder

    message = reminder("overdue")
    forecasts = [{"forecaster": "ISW", "probability": 0.35},
                 {"forecaster": "Desk", "probability": 0.6}]  # fmt: skip
    return OutgoingMessage(**{**message.__dict__, "data": {**message.data, "forecasts": forecasts}})


def test_the_readme_shows_what_arrives() -> None:
    from tests.conftest import REPO
    from tests.test_channels import NOW

    built = channel("smtp://mail.example.org").build(sample_reminder(), now=NOW)
    text = body(built, "plain")
    shown = f"Subject: {built['Subject']}\n\n{text}"
    assert f"```text\n{shown}```" in (REPO / "README.md").read_text()


def test_user_text_is_escaped_in_html_and_only_web_links_are_links() -> None:
    from tests.test_channels import NOW, reminder

    message = reminder("due", claim="<script>alert(1)</script> & more\nsecond line",
                       source={"title": "<b>t</b>", "url": "javascript:alert(1)"})  # fmt: skip
    built = channel("smtp://mail.example.org").build(message, now=NOW)
    html = body(built, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert 'href="javascript' not in html
    assert "\n" not in built["Subject"]
    assert built["Subject"].endswith("<script>alert(1)</script> & more second line")


def test_the_page_and_the_api_show_the_smtp_code_only() -> None:
    from tracker.delivery.admin import public_error
    from tracker.persistence.models import Delivery

    row = Delivery(prediction_id=1, reminder="due", kind="due", due_at=T0, channel="desk-mail",
                   webhook_id="msg_1", event_type="prediction.reminder", payload="{}",
                   scheduled_for=T0, last_error="SMTP 550: 5.7.1 Not for desk:hunter2")  # fmt: skip
    assert public_error(row) == "SMTP 550; `tracker deliveries` has the details"


def test_every_form_of_the_password_is_masked_and_nothing_else() -> None:
    import base64

    from tracker.channels.email import smtp_secrets
    from tracker.channels.http import mask

    url = f"smtp://{USER}:{URL_PASSWORD}@mail.example.org:587?starttls=true"
    plain_auth = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    login_auth = base64.b64encode(PASSWORD.encode()).decode()
    echoed = f"535 {PASSWORD} {URL_PASSWORD} {plain_auth} {login_auth} {url} is true"
    assert mask(echoed, smtp_secrets(url)) == "535 *** *** *** *** *** is true"
    assert smtp_secrets(f"smtp://{HOST}:25") == (f"smtp://{HOST}:25",)


def test_followers_get_their_reminders_by_email(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, server: tuple[Inbox, int]
) -> None:
    """A user with an address who follows a tag is mailed that tag's reminders, on the
    first email channel's server, even where the routes send them nowhere else."""
    inbox, port = server
    monkeypatch.setenv("TRACKER_CHANNELS", email_channels(f"smtp://{HOST}:{port}"))
    monkeypatch.setenv(
        "TRACKER_ROUTES", json.dumps([{"match_tags": ["ops"], "channels": ["desk-mail"]}])
    )
    with freeze_time(T0):
        assert cli("add", "Russia withdraws from Syria", "--due", "2026-11-20", "--key", "syria",
                   "--tag", "syria").code == 0  # fmt: skip
        for name, extra in (("alice", ["--email", "alice@example.org"]), ("bob", []),
                            ("carol", ["--email", "carol@example.org"])):  # fmt: skip
            assert cli("users", "add", name, *extra).code == 0
            assert cli("users", "follow", name, "--tag", "syria").code == 0
        assert cli("users", "disable", "carol").code == 0
    [row] = check_at(cli, T0)
    assert row["channel"].startswith("follower:")
    assert row["channel"].endswith(":alice")
    assert row["status"] == "delivered"
    [mail] = inbox.mails
    assert mail.rcpt_tos == ["alice@example.org"]
    assert mail.message["Subject"] == "[tracker] Overdue by 4 days: Russia withdraws from Syria"
