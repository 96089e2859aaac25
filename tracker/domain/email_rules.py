"""What makes an email channel usable: its smtp:// or smtps:// URL and its addresses. Pure.

The URL carries the login (smtp://user:password@host:587?starttls=true), so no message here
quotes more of it than its scheme, host and port.
"""

from __future__ import annotations

import email.utils
import enum
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from tracker.errors import ConfigError

MAX_RECIPIENTS = 100
_TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})
# Deliberately loose (a local part may be almost anything); it catches the slips people make:
# no "@", two of them, spaces, a domain without a dot-free label.
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


class Security(enum.StrEnum):
    TLS = "TLS"  # smtps://: TLS from the first byte (port 465)
    STARTTLS = "STARTTLS"  # smtp://...?starttls=true: upgraded before anything is sent
    NONE = "no TLS"  # smtp:// alone: only for a relay on this machine or a trusted network


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: Security
    username: str | None  # None: no login
    password: str | None

    def shown(self) -> str:
        """What may be shown of the server: no user, no password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "smtps" if self.security is Security.TLS else "smtp"
        return f"{scheme}://{host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://[user:password@]host[:port][?starttls=true] or smtps://...; ConfigError otherwise.

    Default ports: 465 for smtps://, 587 with STARTTLS, 25 without. A login over a connection
    without TLS is refused unless the server is on this machine: the password would cross the
    network in the clear.
    """
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ConfigError("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
        username, password = parts.username, parts.password
    except ValueError:
        raise ConfigError("the URL is malformed (a bad host or port)") from None
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        shown = f" (not {scheme}://)" if _SCHEME.fullmatch(scheme) and parts.netloc else ""
        raise ConfigError(f"an email channel's URL must start with smtp:// or smtps://{shown}")
    if not host:
        raise ConfigError(f"the URL {scheme}:// has no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise ConfigError("the URL takes no path: smtp://user:password@host:port?starttls=true")
    security, default_port = _security(scheme, parts.query)
    target = SmtpTarget(
        host=host,
        port=port or default_port,
        security=security,
        username=unquote(username) if username else None,
        password=unquote(password) if password is not None else None,
    )
    if (target.username is None) != (target.password is None):
        raise ConfigError("the URL needs both a user and a password to log in, or neither")
    if target.password is not None and security is Security.NONE and not _is_local(host):
        raise ConfigError(
            f"{target.shown()} would send the password without TLS: add ?starttls=true or "
            "use smtps://"
        )
    return target


def _security(scheme: str, query: str) -> tuple[Security, int]:
    """The connection's security and its default port."""
    starttls = _starttls_option(query)
    if scheme == "smtps" and starttls:
        raise ConfigError("smtps:// is TLS from the start; starttls=true is for smtp://")
    if scheme == "smtps":
        return Security.TLS, 465
    return (Security.STARTTLS, 587) if starttls else (Security.NONE, 25)


def _starttls_option(query: str) -> bool:
    starttls = False
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.lower() != "starttls":
            # Not quoted: an unencoded "?" in a password would put the rest of it here.
            raise ConfigError(
                "the URL's only option is starttls=true|false (write a ? in a password as %3F)"
            )
        if value.lower() in _TRUE:
            starttls = True
        elif value.lower() not in _FALSE:
            raise ConfigError("starttls= takes true or false (write a ? in a password as %3F)")
    return starttls


def _is_local(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(address: str, what: str) -> str:
    """The bare address of "desk@example.org" or "Desk <desk@example.org>"; ConfigError (an
    address is not a secret, so it is quoted) when it is not one."""
    if "\r" in address or "\n" in address or not address.strip():
        raise ConfigError(f"{what} {address!r} is not an email address")
    _, bare = email.utils.parseaddr(address)
    if not _ADDRESS.fullmatch(bare) or ".." in bare.partition("@")[2]:
        raise ConfigError(f"{what} {address!r} is not an email address")
    return bare


def check_email_channel(
    url: str, secret: str | None, sender: str | None, recipients: Sequence[str] | None
) -> None:
    """Refuse an email channel that could never deliver, with one line (never the password)."""
    parse_smtp_url(url)
    if secret:
        raise ConfigError("an email channel takes no secret: the login goes in the smtp:// URL")
    if not sender:
        raise ConfigError('an email channel needs from = "tracker@example.org" (the sender)')
    check_address(sender, "from")
    if not recipients:
        raise ConfigError('an email channel needs to = ["someone@example.org", ...]')
    if len(recipients) > MAX_RECIPIENTS:
        raise ConfigError(f"an email channel takes at most {MAX_RECIPIENTS} addresses in to")
    for recipient in recipients:
        check_address(recipient, "to")
