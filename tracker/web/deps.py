"""What every handler depends on: the shared context, the clock reading, the error shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine

from tracker.clock import utcnow
from tracker.config import Settings


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


# Text that reaches a query: PostgreSQL refuses NUL in text, so refuse it here, with a 422.
NO_NUL = r"^[^\x00]*$"
Ref = Annotated[
    str, Path(min_length=1, max_length=200, pattern=NO_NUL, description="An id or a key.")
]
FilterText = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]
