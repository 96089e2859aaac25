"""Settings from TRACKER_* variables, a .env file and a TOML file; no instance at import.

Precedence, highest first: explicit arguments, environment, .env, the TOML file
(TRACKER_CONFIG, else config/tracker.toml when it exists), defaults.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tracker.deadlines import parse_duration
from tracker.errors import ConfigError, InvalidInput

DEFAULT_CONFIG_FILE = Path("config/tracker.toml")


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
        description="IANA time zone in which due dates are read and shown "
        "('by February 2025' ends at the last instant of February there).",
    )
    due_soon: dt.timedelta = Field(
        default=dt.timedelta(days=7),
        description="How far ahead `tracker list --status due-soon` looks, e.g. 7d or 36h.",
    )
    debug: bool = Field(default=False, description="Show tracebacks for errors.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("due_soon", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except InvalidInput as exc:
                raise ValueError(str(exc)) from exc
        return value

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
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(
            f"bad setting {field} (TRACKER_{field.upper()} or {field} in the config file): "
            f"{message}"
        ) from None


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
