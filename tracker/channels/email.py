"""Email over SMTP (aiosmtplib): plain text with an HTML alternative, one message per delivery.

The smtp:// URL carries the login, so it is masked everywhere, like a webhook URL. Each
delivery's Message-ID comes from its webhook-id: a retried send carries the same id, and mail
clients and servers recognise the second copy. SMTP replies are classified as HTTP answers
are: 5xx final (dead), 4xx and network trouble worth another try.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email.utils
import ssl
import time
from email.message import EmailMessage
from email.policy import SMTP
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import aiosmtplib

from tracker.channels.base import Attempt, AttemptOutcome, OutgoingMessage
from tracker.channels.email_text import Mail, compose
from tracker.channels.http import ERROR_LIMIT, mask, secret_forms
from tracker.channels.text import UTC_ZONE
from tracker.domain.email_rules import Security, SmtpTarget, check_address, parse_smtp_url

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

UNSUBSCRIBE_SUBJECT = "unsubscribe"


class EmailChannel:
    kind: str = "email"

    def __init__(
        self,
        name: str,
        url: str,
        *,
        sender: str,
        recipients: Sequence[str],
        connect_timeout: float = 5.0,
        total_timeout: float = 15.0,
        timezone: ZoneInfo = UTC_ZONE,
        tls_context: ssl.SSLContext | None = None,  # None: the system's trusted certificates
    ) -> None:
        self.name = name
        self._target: SmtpTarget = parse_smtp_url(url)
        self._sender = sender
        self._sender_address = check_address(sender, "from")
        self._recipients = [check_address(address, "to") for address in recipients]
        self._shown_recipients = list(recipients)
        self._connect_timeout = connect_timeout
        self._total_timeout = total_timeout
        self._tz = timezone
        self._tls_context = tls_context
        self._secrets = smtp_secrets(url)

    @property
    def rate_key(self) -> str | None:
        # Not paced: TRACKER_SLACK_MIN_INTERVAL is Slack's one-a-second rule, and a mail
        # server takes a burst of reminders at once (the channel's share of the concurrency
        # bounds how many connections it gets).
        return None

    def describe(self) -> str:
        login = ", with login" if self._target.username else ""
        to = ", ".join(self._recipients)
        return (
            f"email {self._target.shown()} ({self._target.security.value}{login}) "
            f"from {self._sender_address} to {to}"
        )

    def build(self, message: OutgoingMessage, *, now: dt.datetime) -> EmailMessage:
        """The email for one attempt; the same Message-ID on every attempt at one delivery."""
        mail = compose(message, now=now, tz=self._tz, channel=self.name)
        return email_message(
            mail,
            message_id=message_id(message.webhook_id, self._sender_address),
            sender=self._sender,
            recipients=self._shown_recipients,
            now=now,
            unsubscribe=f"{UNSUBSCRIBE_SUBJECT} {self.name}",
        )

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        # `client` is the HTTP pool the other channels share; SMTP has its own connection.
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._total_timeout):
                attempt = await self._deliver(self.build(message, now=now))
        except TimeoutError as exc:  # the total deadline, or one of aiosmtplib's own
            inner = isinstance(exc, aiosmtplib.SMTPTimeoutError)
            error = f"timed out ({type(exc).__name__})" if inner else None
            attempt = Attempt(
                AttemptOutcome.RETRY, error=error or f"timed out after {self._total_timeout:g}s"
            )
        return dataclasses.replace(
            attempt,
            duration_ms=round((time.perf_counter() - started) * 1000),
            # Masked as the very last step, so that no path above can forget it.
            error=None if attempt.error is None else _shorten(mask(attempt.error, self._secrets)),
        )

    async def _deliver(self, mail: EmailMessage) -> Attempt:
        target = self._target
        smtp = aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            use_tls=target.security is Security.TLS,
            start_tls=target.security is Security.STARTTLS,
            username=target.username,
            password=target.password,
            timeout=self._total_timeout,  # each command's; connecting has its own below
            tls_context=self._tls_context,
        )
        try:
            await smtp.connect(timeout=self._connect_timeout)  # and STARTTLS, and the login
            refused, _ = await smtp.send_message(
                mail, sender=self._sender_address, recipients=self._recipients
            )
        except aiosmtplib.SMTPTimeoutError:
            smtp.close()
            raise  # send() reports it, as it does the total deadline
        except (aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()
            return failed(exc)
        except BaseException:  # the total deadline (a cancellation), or a bug
            smtp.close()
            raise
        await _quit(smtp)
        if refused:  # some recipients took it: resending would give them a second copy
            shown = "; ".join(
                f"{address} (SMTP {reply.code}: {_one_line(reply.message)})"
                for address, reply in refused.items()
            )
            return Attempt(AttemptOutcome.DELIVERED, error=f"refused for {shown}")
        return Attempt(AttemptOutcome.DELIVERED)


def failed(exc: aiosmtplib.SMTPException | OSError) -> Attempt:
    """What a failed exchange comes to. Not yet masked: send() does that."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):  # every recipient refused
        final = all(refusal.code >= 500 for refusal in exc.recipients)
        first = exc.recipients[0]
        error = f"SMTP {first.code}: {_one_line(first.message)} ({first.recipient})"
        return Attempt(AttemptOutcome.PERMANENT if final else AttemptOutcome.RETRY, error=error)
    if isinstance(exc, aiosmtplib.SMTPResponseException):  # a refusal with a reply code
        return Attempt(_outcome(exc.code), error=f"SMTP {exc.code}: {_one_line(exc.message)}")
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPConnectError | OSError):
        # Refused, reset, DNS, a TLS handshake that failed: all may pass.
        return Attempt(AttemptOutcome.RETRY, error=_exception_error(exc))
    # No STARTTLS or AUTH offered, SMTPUTF8 needed: the server cannot do what the
    # configuration asks, and retrying will not change that.
    return Attempt(AttemptOutcome.PERMANENT, error=_exception_error(exc))


def smtp_secrets(url: str) -> tuple[str, ...]:
    """What to mask: the URL, and its password as a server might echo it - as written, decoded,
    percent-encoded, with the user ("user:password"), or in base64 as AUTH LOGIN (the password
    alone) and AUTH PLAIN ("\\0user\\0password") send it. Unlike url_secrets(), not the query's
    values: "true" in ?starttls=true is no secret, and masking it would garble every text."""
    target = parse_smtp_url(url)
    secrets = [url, unquote(url)]
    if target.password is not None:
        user, password = target.username or "", target.password
        written = urlsplit(url).password or ""
        pairs = (f"{user}:{password}", f"{user}:{written}", f"\0{user}\0{password}")
        for text in (password, written, *pairs):
            secrets += secret_forms(text)
    return tuple(dict.fromkeys(secret for secret in secrets if secret))


def _outcome(code: int) -> AttemptOutcome:
    """SMTP replies (RFC 5321 4.2.1): 5yz is a permanent failure, 4yz (and anything odd) a
    transient one."""
    if 500 <= code < 600:
        return AttemptOutcome.PERMANENT
    return AttemptOutcome.RETRY


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    """Say goodbye when still connected; the message's fate is already known."""
    if not smtp.is_connected:
        return
    try:
        await smtp.quit(timeout=1.0)
    except (aiosmtplib.SMTPException, OSError):
        smtp.close()


def message_id(webhook_id: str, sender: str) -> str:
    """<msg_...@example.org>: the delivery's webhook-id at the sender's domain, so the same
    on every attempt and unique to this delivery."""
    return f"<{webhook_id}@{sender.rpartition('@')[2]}>"


def email_message(
    mail: Mail,
    *,
    message_id: str,
    sender: str,
    recipients: Sequence[str],
    now: dt.datetime,
    unsubscribe: str,
) -> EmailMessage:
    """Headers, the plain text, and the HTML as its alternative."""
    result = EmailMessage(policy=SMTP)
    result["From"] = sender
    result["To"] = ", ".join(recipients)
    result["Subject"] = mail.subject
    result["Date"] = email.utils.format_datetime(now.astimezone(dt.UTC))
    result["Message-ID"] = message_id
    address = email.utils.parseaddr(sender)[1]
    # RFC 2369: mail clients show an "Unsubscribe" button that writes to the sender's address;
    # whoever reads that mailbox takes the address off the channel's `to` list.
    result["List-Unsubscribe"] = f"<mailto:{address}?subject={quote(unsubscribe)}>"
    # RFC 3834: out-of-office and other automatic replies are not to answer it.
    result["Auto-Submitted"] = "auto-generated"
    result.set_content(mail.text)
    result.add_alternative(mail.html, subtype="html")
    return result


def _exception_error(exc: BaseException) -> str:
    detail = _one_line(str(exc))
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _shorten(text: str) -> str:
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "\N{HORIZONTAL ELLIPSIS}"
