"""What makes a channel's configuration usable: its URL and its signing secret.

The one validation of channels: `config.channel_settings()` runs it for every command that
reads the channels (check, run, status, channels, serve), so none accepts what another
refuses. Standard library only: commands that never send need not import httpx.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tracker.domain.email_rules import check_email_channel
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import SecretStr

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 16  # the spec asks for 24 to 64; fewer than 16 is too weak to bother signing
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_HEADER_TOKEN = re.compile(r"[!-~]+")  # sent in an Authorization header: visible ASCII only


def plain(value: SecretStr | None) -> str | None:
    """A configured URL or secret as it is used: stripped (files end in newlines), or None."""
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None


def check_channel(
    name: str,
    kind: str,
    url: str | None,
    secret: str | None,
    *,
    sender: str | None = None,
    recipients: Sequence[str] | None = None,
) -> None:
    """Refuse a channel that could never deliver, with one line naming it (never its secrets)."""
    where = f"channel {name!r}"
    if kind != "email" and (sender is not None or recipients is not None):
        raise ConfigError(f"{where} ({kind}): from and to are for email channels")
    if kind == "console":
        return
    if not url:
        raise ConfigError(f"{where} ({kind}) needs a url")
    try:
        if kind == "email":
            check_email_channel(url, secret, sender, recipients)
            return
        validate_url(url)
        if kind == "slack" and secret:
            raise ConfigError("a Slack incoming webhook takes no secret")
        if kind == "webhook" and secret:
            validate_webhook_secret(secret)
        if kind in ("discord", "teams") and secret:
            raise ConfigError(f"a {kind} webhook takes no secret (its URL is the key)")
        if kind == "ntfy" and secret and not _HEADER_TOKEN.fullmatch(secret):
            raise ConfigError("the ntfy access token must be printable ASCII without spaces")
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def validate_webhook_secret(secret: str) -> None:
    """Refuse a secret that is not "whsec_" + base64 of at least 16 bytes. Never quotes it."""
    if not secret.startswith(SECRET_PREFIX):
        raise ConfigError(
            f"the webhook secret must start with {SECRET_PREFIX} followed by base64 "
            "(Standard Webhooks)"
        )
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        # Strict base64; the padding may be left off, as the standardwebhooks package allows.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(
            f"the webhook secret is not valid base64 after its {SECRET_PREFIX} prefix"
        ) from None
    if len(key) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"the webhook secret is too short: it encodes {len(key)} bytes, "
            f"at least {MIN_SECRET_BYTES} are needed"
        )


def validate_url(url: str, *, https_only: bool = False) -> None:
    """Refuse URLs that cannot be posted to. Messages show the scheme and host at most."""
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ConfigError("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises ValueError for a bad port
    except ValueError:
        raise ConfigError("the URL is malformed (a bad host or port)") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        # A missing "https://" makes urlsplit read the host as a path: show nothing of it then.
        shown = f" (not {scheme}://)" if _SCHEME.fullmatch(scheme) and parts.netloc else ""
        raise ConfigError(f"the URL must start with https:// or http://{shown}")
    if not host:
        raise ConfigError(f"the URL {scheme}:// has no host")
    if https_only and scheme != "https":
        raise ConfigError(f"the URL {redact_url(url)} must use https://")


def redact_url(url: str) -> str:
    """scheme://host[:port]/... - what may be shown of a URL whose path or query is a secret."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "(malformed URL)"
    if not parts.scheme or not host:
        return "(malformed URL)"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}/\N{HORIZONTAL ELLIPSIS}"
