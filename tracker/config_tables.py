"""The tables of the TOML file that hold lists: [[channels]] and [[routes]]."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ChannelSettings(BaseModel):
    """One place reminders go: a [[channels]] table in the TOML file."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: Literal["webhook", "slack", "console", "discord", "teams", "ntfy", "email"]
    url: SecretStr | None = None
    secret: SecretStr | None = None
    # Email only: `from` in the file (a Python keyword, hence the alias) and `to`.
    from_address: str | None = Field(default=None, alias="from")
    to: list[str] | None = None


class RouteSettings(BaseModel):
    """One [[routes]] table (see domain/routing.py)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    match_tags: list[str] = Field(default_factory=list)
    match_forecasters: list[str] = Field(default_factory=list)
    match_keys: list[str] = Field(default_factory=list)
    match_kinds: list[str] = Field(default_factory=list)
    # Required, so that a forgotten line is an error; [] on purpose drops what the route matches.
    channels: list[str]
    continue_: bool = Field(default=False, alias="continue")
    digest: str | None = None
    timezone: str | None = None  # the digest's zone (IANA); default TRACKER_TIMEZONE
