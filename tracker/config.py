"""Settings from TRACKER_* variables, a .env file and a TOML file; no instance at import.

Precedence, highest first: explicit arguments, environment, .env, the TOML file
(TRACKER_CONFIG, else config/tracker.toml when it exists), defaults.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from tracker.config_tables import ChannelSettings as ChannelSettings
from tracker.config_tables import RouteSettings as RouteSettings
from tracker.domain.durations import parse_duration
from tracker.domain.reminders import ReminderPolicy
from tracker.errors import ConfigError, InvalidInput

DEFAULT_CONFIG_FILE = Path("config/tracker.toml")
MIN_TOKEN_LENGTH = 16
DURATION_FIELDS = ("due_soon", "overdue_every", "check_interval", "lease", "stale_after")
DURATION_LIST_FIELDS = ("reminder_lead_times", "retry_backoff")
# Longer durations mean nothing for reminders or retries, and deadlines plus or minus them
# would leave the calendar (datetime stops at year 9999).
MAX_DURATION = dt.timedelta(days=3650)
MAX_DURATION_TEXT = "10 years (3650d)"
MAX_OVERDUE_SPAN = dt.timedelta(days=36500)  # the last overdue reminder: 100 years after


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRACKER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default="sqlite:///tracker.db",
        description="SQLAlchemy URL of the database; the default is a SQLite file in the "
        "working directory.",
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone new due dates are stated in unless they name one "
        "('by February 2025' ends at the last instant of February there); each deadline "
        "keeps its own.",
    )
    due_soon: dt.timedelta = Field(
        default=dt.timedelta(days=7),
        description="How far ahead `tracker list --status due-soon` looks, e.g. 7d or 36h.",
    )
    reminder_lead_times: Annotated[tuple[dt.timedelta, ...], NoDecode] = Field(
        default=(dt.timedelta(days=7), dt.timedelta(days=1)),
        description='"Upcoming" reminders this long before a deadline, e.g. "7d,1d,12h".',
    )
    overdue_every: dt.timedelta = Field(
        default=dt.timedelta(days=7), description='"Overdue" reminders this often after it.'
    )
    overdue_limit: int = Field(
        default=4, ge=0, le=1000, description='At most this many "overdue" reminders.'
    )
    check_interval: dt.timedelta = Field(
        default=dt.timedelta(seconds=60), description="How often `tracker run` checks."
    )
    readyz_require_worker: bool = Field(
        default=True,
        description="GET /readyz wants a worker's pass within two check intervals; false for "
        "a server without workers.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text, or one JSON object each."
    )
    webhook_url: SecretStr | None = Field(
        default=None, description='Shortcut for a webhook channel named "webhook".'
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="Its Standard Webhooks signing secret (whsec_...)."
    )
    slack_webhook_url: SecretStr | None = Field(
        default=None, description='Shortcut for a Slack channel named "slack".'
    )
    channels: list[ChannelSettings] = Field(
        default_factory=list, description="Any number of channels ([[channels]] tables)."
    )
    routes: list[RouteSettings] = Field(
        default_factory=list, description="Which reminders go where ([[routes]]); none: all."
    )
    stale_after: dt.timedelta | None = Field(
        default=None, description="Nudge a forecaster whose latest forecast is this old; off."
    )
    delivery_concurrency: int = Field(
        default=32, ge=1, le=512, description="Deliveries in flight at once."
    )
    delivery_max_attempts: int = Field(
        default=7, ge=1, le=100, description="Attempts before a delivery is dead."
    )
    retry_backoff: Annotated[tuple[dt.timedelta, ...], NoDecode] = Field(
        default=tuple(dt.timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000)),
        description="Waits before each retry (the last repeats), jittered.",
    )
    connect_timeout: float = Field(
        default=5.0, gt=0, le=300, description="Seconds to connect to a receiver."
    )
    request_timeout: float = Field(
        default=15.0, gt=0, le=600, description="Seconds for a whole attempt."
    )
    fetch_timeout: float = Field(
        default=20.0, gt=0, le=600, description="Seconds to fetch one news page or feed."
    )
    fetch_max_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1024, le=1024**3, description="Largest page or feed read."
    )
    feed_max_items: int = Field(
        default=100, ge=1, le=10_000, description="Newest items of a feed read in one poll."
    )
    feed_concurrency: int = Field(
        default=10, ge=1, le=256, description="Feeds and pages fetched at once."
    )
    lease: dt.timedelta = Field(
        default=dt.timedelta(minutes=2),
        description="How long a worker holds a claimed delivery before others may take it.",
    )
    slack_min_interval: float = Field(
        default=1.0, ge=0, le=60, description="Seconds between messages to one Slack URL."
    )
    http_host: str = Field(
        default="127.0.0.1", min_length=1, description="Where `tracker serve` listens."
    )
    http_port: int = Field(
        default=8000, ge=0, le=65535, description="Its port (0: any free one, logged)."
    )
    public_url: str | None = Field(
        default=None,
        description="Where people reach `tracker serve` (https://tracker.example.org): the "
        "calendar feed links each event to its question there, and announcements of new "
        "proposals link to the page.",
    )
    api_token: SecretStr | None = Field(
        default=None,
        description="A bearer token with the admin scope and no user (`tracker tokens create` "
        "makes tokens for users). Without it or any user token, the API is read-only.",
    )
    user: str | None = Field(
        default=None,
        description="Who the command line acts as when --as is not given (default: the "
        "operating-system user); the audit trail records it.",
    )
    inbound_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Standard Webhooks secret (whsec_...) that POST /hooks/resolve checks; "
        "default: webhook_secret.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        description="The Slack app's signing secret: reminders then carry resolve buttons, "
        "and POST /slack/actions checks it.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        text = (value or "").strip().rstrip("/")
        if not text:
            return None
        parts = urlsplit(text)
        # No query, fragment or user:password: each event's link is this plus a path.
        plain = not (parts.query or parts.fragment or parts.username)
        if parts.scheme not in ("http", "https") or not parts.hostname or not plain:
            raise ValueError("must be a plain http(s) URL, such as https://tracker.example.org")
        return text

    @field_validator(*DURATION_FIELDS, mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _read_duration(value)

    @field_validator(*DURATION_LIST_FIELDS, mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return tuple(_read_duration(item) for item in value)
        return value

    @field_validator(
        "webhook_secret", "api_token", "inbound_webhook_secret", "slack_signing_secret"
    )
    @classmethod
    def _empty_secret_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        # Stripped: a secret read from a file often ends in a newline that nobody would type.
        text = value.get_secret_value().strip() if value is not None else ""
        return SecretStr(text) if text else None

    @field_validator("api_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"must be at least {MIN_TOKEN_LENGTH} characters (a short token can be guessed)"
            )
        return value

    @model_validator(mode="after")
    def _overdue_span_fits(self) -> Settings:
        if self.overdue_every * self.overdue_limit > MAX_OVERDUE_SPAN:
            raise ValueError(
                "overdue_every x overdue_limit (TRACKER_OVERDUE_EVERY x TRACKER_OVERDUE_LIMIT) "
                "must be at most 100 years: the last overdue reminder would fall after that"
            )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        # A worker holds a claimed delivery for `lease`; if a send (or the wait for a Slack
        # slot) could outlast it, another worker would take the row and send it twice.
        needed = self.request_timeout + self.slack_min_interval + 5
        if self.lease.total_seconds() < needed:
            raise ValueError(
                f"lease ({self.lease.total_seconds():g}s) must be at least request_timeout + "
                f"slack_min_interval + 5s ({needed:g}s), or two workers could send one "
                "delivery twice"
            )
        return self

    @property
    def reminder_policy(self) -> ReminderPolicy:
        return ReminderPolicy(
            lead_times=self.reminder_lead_times,
            overdue_every=self.overdue_every,
            overdue_limit=self.overdue_limit,
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        config_file = config_file_path()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def _read_duration(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())  # "60" from the environment: seconds, like a TOML 60
    if isinstance(value, str):
        try:
            value = parse_duration(value.strip())
        except InvalidInput as exc:
            raise ValueError(str(exc)) from exc
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            value = dt.timedelta(seconds=value)  # a bare number is seconds
        except (OverflowError, ValueError):  # beyond timedelta, or NaN
            raise ValueError(f"must be a number of seconds up to {MAX_DURATION_TEXT}") from None
    if isinstance(value, dt.timedelta) and value <= dt.timedelta(0):
        raise ValueError("must be longer than zero")
    if isinstance(value, dt.timedelta) and value > MAX_DURATION:
        raise ValueError(f"must be at most {MAX_DURATION_TEXT}")
    return value


def config_file_path() -> Path | None:
    """The TOML file to read: TRACKER_CONFIG if set (it must exist), else the default if present."""
    named = os.environ.get("TRACKER_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"TRACKER_CONFIG names {named!r}, which is not a readable file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning every malformed value into one ConfigError line."""
    path = config_file_path()
    if path is not None:
        _check_toml(path)
    try:
        settings = Settings(**overrides)
    except UnicodeDecodeError:
        raise ConfigError(".env is not UTF-8 text") from None
    except SettingsError as exc:  # e.g. TRACKER_CHANNELS that is not JSON
        cause = exc.__cause__
        detail = f": {cause}" if isinstance(cause, ValueError) else ""
        raise ConfigError(f"{exc}{detail}".split("\n")[0]) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        location = [str(part) for part in first["loc"]]
        message = first["msg"].removeprefix("Value error, ")
        if not location:  # a rule across settings
            raise ConfigError(f"bad settings: {message}") from None
        field, where = location[0], ".".join(location)
        raise ConfigError(
            f"bad setting {where} (TRACKER_{field.upper()} or {field} in the config file): "
            f"{message}"
        ) from None
    return settings


def _check_toml(path: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it: {exc}") from None
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r}")


def channel_settings(settings: Settings) -> list[ChannelSettings]:
    """The configured channels: the TOML list plus the TRACKER_WEBHOOK_URL and
    TRACKER_SLACK_WEBHOOK_URL shortcuts; the console when there is no other. Each is checked
    here (URL, secret), so that every command that reads them refuses the same ones."""
    channels = list(settings.channels)
    if settings.webhook_url is not None:
        channels.append(
            ChannelSettings(
                name="webhook",
                kind="webhook",
                url=settings.webhook_url,
                secret=settings.webhook_secret,
            )
        )
    elif settings.webhook_secret is not None:
        raise ConfigError("TRACKER_WEBHOOK_SECRET is set but TRACKER_WEBHOOK_URL is not")
    if settings.slack_webhook_url is not None:
        channels.append(ChannelSettings(name="slack", kind="slack", url=settings.slack_webhook_url))
    if not channels:
        channels.append(ChannelSettings(name="console", kind="console"))
    names = [c.name for c in channels]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise ConfigError(f"two channels are named {duplicate!r}; give each its own name")
    from tracker.domain.channel_rules import check_channel, plain

    for channel in channels:
        check_channel(
            channel.name,
            channel.kind,
            plain(channel.url),
            plain(channel.secret),
            sender=channel.from_address,
            recipients=channel.to,
        )
    return channels
