"""What every handler depends on: the shared context, the clock reading, the error shape."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine

from tracker.clock import utcnow
from tracker.config import Settings
from tracker.errors import InvalidInput


@dataclass(frozen=True)
class WebContext:
    """What every handler shares: the settings and the database (already migrated)."""

    settings: Settings
    engine: Engine


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.context
    return ctx


def request_now() -> dt.datetime:
    return utcnow()


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": message, **extra}, status_code=status)


def read_json(raw: bytes | str, what: str) -> Any:
    """json.loads for a body we did not write: each way it fails is bad input (422), including
    the two that are not JSONDecodeError and would otherwise be a 500."""
    try:
        return json.loads(raw)
    except RecursionError:  # "[[[[..." deeper than the interpreter's recursion limit
        raise InvalidInput(f"{what} nests too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput(f"{what} is not JSON") from None
    except ValueError:  # int() refuses more than 4300 digits (CVE-2020-10735)
        raise InvalidInput(f"{what} holds a number too long to read") from None


def is_text(value: str) -> bool:
    """False for a string that cannot be stored or sent as UTF-8: a lone surrogate, which
    JSON's \\ud800 escapes can carry."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


# Text that reaches a query: PostgreSQL refuses NUL in text, so refuse it here, with a 422.
NO_NUL = r"^[^\x00]*$"
Ref = Annotated[
    str, Path(min_length=1, max_length=200, pattern=NO_NUL, description="An id or a key.")
]
FilterText = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


# A page of a list: how many rows (at most 1000, as every list allows), and where to go on
# from (the `next` a page before handed out).
Limit = Annotated[int, Query(ge=1, le=1000, description="How many rows, at most.")]
Cursor = Annotated[
    str | None,
    Query(max_length=500, pattern=NO_NUL, description="The `next` of the page before."),
]
Search = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        description="Words the claim or criteria must hold, each as the start of a word "
        "(any case; accents count).",
    ),
]


def page_json(request: Request, items: list[Any], cursor: str | None) -> dict[str, Any]:
    """A page as the API sends it: the rows, and the URL of the next page (this request's,
    with `cursor` set to where this page ended), or null on the last page."""
    link = str(request.url.include_query_params(cursor=cursor)) if cursor else None
    return {"items": items, "next": link}
