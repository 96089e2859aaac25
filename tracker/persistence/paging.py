"""Keyset pages: a list that can grow is read a page at a time, after the last row shown.

A cursor is the sort key and id of the last row, as base64url JSON: opaque to callers, and
stable under inserts (a row added before the cursor is not shown again, one added after it is
shown once). Offsets are not: an insert before the page shifts every later row by one."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from tracker.errors import BadCursor, InvalidInput

T = TypeVar("T")

# The most rows any one page holds, whatever a caller asks for.
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, and the cursor of the next page (None on the last)."""

    items: list[T]
    next: str | None


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    """The opaque cursor for the row whose sort key (its last part the row's id) is `key`."""
    values = [v.isoformat() if isinstance(v, dt.datetime) else v for v in key]
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The sort key a cursor holds, each part of the type given; BadCursor for anything
    else (another list's cursor, a truncated one, a hand-made one)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind_seen, *values = json.loads(raw)
        if kind_seen != kind or len(values) != len(types):
            raise ValueError(kind_seen)
        return tuple(_part(value, want) for value, want in zip(values, types, strict=True))
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise BadCursor("cursor: not one this list handed out; start again without it") from None


def _part(value: Any, want: type) -> Any:
    if want is dt.datetime:
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment.astimezone(dt.UTC)
    if want is int:
        if type(value) is not int or not -(2**63) <= value < 2**63:
            raise ValueError(value)
        return value
    if not isinstance(value, want):
        raise ValueError(value)
    return value


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be from 1 to {MAX_LIMIT}, not {limit}")
    return limit


def after(columns: Sequence[Any], key: Sequence[Any], *, descending: bool = False) -> Any:
    """The condition for rows after `key` in the order of `columns` (all ascending, or all
    descending), as a row-value comparison, which both databases can answer from an index
    on those columns."""
    # Each value bound with its column's type: a stored time is compared as stored.
    values = [sa.literal(v, type_=c.type) for c, v in zip(columns, key, strict=True)]
    left, right = sa.tuple_(*columns), sa.tuple_(*values)
    return left < right if descending else left > right


def page_of(rows: list[T], limit: int, key: Any, kind: str) -> Page[T]:
    """Rows fetched with limit + 1 as a page: the extra row only says there is a next page."""
    if len(rows) <= limit:
        return Page(items=rows, next=None)
    shown = rows[:limit]
    return Page(items=shown, next=encode_cursor(kind, key(shown[-1])))
