"""Users, tokens and actors: the rules, without the database.

A token is "trk_" and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored,
and a token is looked up by that hash: an index lookup of a value the caller cannot steer, so
the time a check takes says nothing about the token's characters. A salted slow hash (bcrypt,
argon2) guards guessable passwords; a 256-bit random token cannot be guessed, and a slow hash
would cost every API request tens of milliseconds for nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import parse_instant
from tracker.domain.email_rules import check_address
from tracker.domain.inputs import clean_text
from tracker.enums import AuditVia, Scope
from tracker.errors import ConfigError, InvalidInput

TOKEN_MARK = "trk_"
PREFIX_LENGTH = 12  # "trk_" and 8 random characters: enough to tell tokens apart
MAX_NAME = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLACK_USER_ID = re.compile(r"^[A-Z0-9]{2,64}$")


@dataclass(frozen=True)
class Actor:
    """Who makes a change and through what. user_id is None for someone with no user (the
    operating-system user at the command line, TRACKER_API_TOKEN, a Slack user nobody linked)."""

    name: str
    via: AuditVia
    user_id: int | None = None
    scope: Scope = Scope.ADMIN
    forecaster: str | None = None  # the forecaster name the user's forecasts carry
    expires_at: dt.datetime | None = None  # when the token it came with stops working

    @property
    def forecasts_as(self) -> str:
        return self.forecaster or self.name


def new_token() -> str:
    return TOKEN_MARK + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(token: str) -> str:
    return token[:PREFIX_LENGTH]


# Names the audit trail gives to actors with no user: a user may not take one.
RESERVED_NAMES = frozenset({"api", "webhook", "anonymous"})
RESERVED_PREFIXES = ("slack:", "uid:", "feed:")


def user_name(value: Any, name: str = "user name") -> str:
    text = clean_text(value, name, required=True, limit=MAX_NAME)
    assert text is not None
    if text.startswith("-"):
        raise InvalidInput(f"{name} must not start with '-' (got {text!r})")
    return text


def new_user_name(value: Any) -> str:
    """A name for a new user: not one the audit trail uses for actors without a user."""
    text = user_name(value)
    folded = text.casefold()
    if folded in RESERVED_NAMES or folded.startswith(RESERVED_PREFIXES):
        raise InvalidInput(
            f"user name {text!r} is reserved: the audit trail names TRACKER_API_TOKEN "
            '"api", signed webhooks "webhook", unlinked Slack users "slack:NAME" and feeds '
            '"feed:NAME"'
        )
    return text


def email(value: Any) -> str | None:
    """An address the email channel will take (the same check), so following never fails."""
    text = clean_text(value, "email", limit=320)
    if text is None:
        return None
    try:
        bare = check_address(text, "email")
    except ConfigError:
        bare = ""
    if not _EMAIL.match(text) or bare != text:
        raise InvalidInput(f"email {text!r} is not an address (name@example.org)")
    return text


def slack_user_id(value: Any) -> str | None:
    text = clean_text(value, "Slack user id", limit=64)
    if text is not None and not _SLACK_USER_ID.match(text):
        raise InvalidInput(
            f"Slack user id {text!r} is not one (capital letters and digits, as U024BE7LH)"
        )
    return text


def scope(value: Any) -> Scope:
    try:
        return Scope(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(item.value for item in Scope)
        raise InvalidInput(f"scope {str(value)[:40]!r} is not one of {choices}") from None


def expires_at(value: str, *, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """A token's end: a date means the start of that day in the zone; it must be ahead."""
    moment = parse_instant(value, tz)
    if moment <= now:
        raise InvalidInput(f"--expires {value!r} has passed already")
    return moment
