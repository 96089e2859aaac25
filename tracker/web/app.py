"""The ASGI app: the JSON API, the inbound webhook, Slack's buttons and the web page.

Handlers are thin: they read the request, call the service layer (which owns transactions)
and turn its errors into JSON with the right status code. The clock is read once per request,
through `request_now`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.config import Settings, channel_settings
from tracker.errors import (
    BadCursor,
    ConfigError,
    Conflict,
    EnvironmentFailure,
    Forbidden,
    InvalidInput,
    NotFound,
    TrackerError,
    Unauthorized,
)
from tracker.web.deps import WebContext, context, error_response, request_now
from tracker.web.limits import BodyLimit

__all__ = ["WebContext", "context", "create_app", "error_response", "request_now"]

log = logging.getLogger("tracker.web")

API_PREFIX = "/api/v1"


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    from importlib.metadata import version

    from tracker.web import (  # they import this module
        api,
        calendar,
        evidence_api,
        health,
        hooks,
        page,
        people_api,
        proposals_api,
        questions_api,
        slack,
    )

    hooks.check_settings(settings)
    channel_settings(settings)  # a half-configured channel stops us here, not in /status
    app = FastAPI(
        title="tracker",
        version=version("tracker"),
        summary="Forecasts with deadlines: reminders, resolutions and scores.",
        description=(
            "Reads are open; a bearer token, when sent, is checked on every route (401 when "
            "it is unknown, revoked, expired or a disabled user's). Writes need "
            "`Authorization: Bearer <token>` with a scope that allows them: `forecast` to add "
            "questions and forecasts and to accept or reject proposals, `resolve` to resolve, "
            "reopen and edit, `admin` for the audit trail and to act in another's name (403 "
            "names the scope needed). "
            "TRACKER_API_TOKEN is an admin token with no user. With neither it nor any user's "
            'token the API is read-only. Errors are JSON: `{"detail": message}`.'
        ),
        # FastAPI's Swagger and ReDoc pages load their scripts from a CDN; this server must
        # work offline and load nothing from elsewhere, so it serves the spec alone.
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = WebContext(settings=settings, engine=engine)
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(questions_api.router, prefix=API_PREFIX)
    app.include_router(people_api.router, prefix=API_PREFIX)
    app.include_router(proposals_api.router, prefix=API_PREFIX)
    app.include_router(evidence_api.router, prefix=API_PREFIX)
    app.include_router(calendar.router)
    app.include_router(hooks.router)
    app.include_router(slack.router)
    app.include_router(page.router)
    app.include_router(health.router)
    app.add_middleware(BodyLimit)
    app.add_middleware(HeadAsGet)
    app.add_exception_handler(TrackerError, _tracker_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    return app


def status_for(error: TrackerError) -> int:
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, BadCursor):
        return 400
    if isinstance(error, InvalidInput):
        return 422
    if isinstance(error, EnvironmentFailure):
        return 503
    if isinstance(error, ConfigError):
        return 500
    return 400


async def _tracker_error(_request: Request, error: TrackerError) -> JSONResponse:
    status = status_for(error)
    if status >= 500:
        log.error("request failed: %s", error)
    response = error_response(status, str(error))
    if status == 401:  # RFC 6750: say which scheme would do
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = [
        {"location": [str(part) for part in e["loc"]], "message": e["msg"]} for e in error.errors()
    ]
    first = problems[0] if problems else {"location": [], "message": "invalid request"}
    where = ".".join(p for p in first["location"] if p != "body") or "request"
    return error_response(422, f"{where}: {first['message']}", errors=problems)


async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    return JSONResponse(
        {"detail": str(error.detail)}, status_code=error.status_code, headers=error.headers
    )


class HeadAsGet:
    """HEAD on any GET route answers as GET would, without the body (RFC 9110 9.3.2): FastAPI
    routes GET alone, so a monitor's `HEAD /` got 405. The body is dropped here rather than
    left to the server, since not every ASGI server (nor the test client) drops it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
