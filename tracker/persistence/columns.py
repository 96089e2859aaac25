"""Column types and table settings shared by every table module."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.engine import Dialect

# Table models are never validated (SQLModel skips validation for them): building their
# validators on import cost every command 30 ms, so it is left until something asks.
# (Any: SQLModel types model_config as a TypedDict of its own that it does not export.)
TABLE_CONFIG: Any = ConfigDict(defer_build=True)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Aware UTC in, aware UTC out. SQLite keeps no zone, so we store naive UTC and re-attach it."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime; attach a time zone first")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]
