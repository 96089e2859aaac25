"""The console channel: reminders as one readable line each in the service's log.

It is what a new user gets before configuring a webhook or Slack, so the line says what is due
and the exact command that settles it. No HTTP, so it always delivers.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tracker.channels.base import Attempt, AttemptOutcome, OutgoingMessage
from tracker.channels.text import (
    DIGEST,
    EVIDENCE,
    PROPOSAL,
    UTC_ZONE,
    digest_headline,
    digest_lines,
    due_label,
    evidence_headline,
    evidence_text,
    forecasts_line,
    format_probability,
    proposal_headline,
    proposal_lines,
    resolve_command,
    stale_forecast_text,
    timing,
)
from tracker.enums import REMINDER_KINDS, STALE_FORECAST

LOGGER_NAME = "tracker.reminders"
_CLAIM_LIMIT = 300  # a log line, not the record: the key in the command finds the rest
_DASH = "\N{EM DASH}"


class ConsoleChannel:
    kind: str = "console"

    def __init__(
        self,
        name: str = "console",
        *,
        logger: logging.Logger | None = None,
        timezone: ZoneInfo = UTC_ZONE,
    ) -> None:
        self.name = name
        self._logger = logger or logging.getLogger(LOGGER_NAME)
        self._tz = timezone

    @property
    def rate_key(self) -> str | None:
        return None

    def describe(self) -> str:
        return f"console (the service log, logger {self._logger.name})"

    async def send(
        self, client: httpx.AsyncClient, message: OutgoingMessage, *, now: dt.datetime
    ) -> Attempt:
        if (message.data.get("reminder") or {}).get("kind") == DIGEST:
            # A log record per item, as each would have had on its own.
            self._logger.info("%s", _one_line(digest_headline(message.data)))
            for line in digest_lines(message.data, now, self._tz):
                self._logger.info("  %s", _one_line(line, _CLAIM_LIMIT * 2))
        elif (message.data.get("reminder") or {}).get("kind") == PROPOSAL:
            self._logger.info("%s", _one_line(proposal_headline(message.data)))
            for line in proposal_lines(message.data):
                self._logger.info("  %s", _one_line(line, _CLAIM_LIMIT * 2))
        else:
            self._logger.info("%s", console_line(message, now=now, tz=self._tz))
        return Attempt(AttemptOutcome.DELIVERED)


def _found_line(kind: str, data: dict[str, Any]) -> str:
    """New proposals, or evidence from the news, on one line."""
    if kind == EVIDENCE:
        return _one_line(f"{evidence_headline(data)} {evidence_text(data)}")
    return _one_line(f"{proposal_headline(data)}: {'; '.join(proposal_lines(data))}")


def console_line(message: OutgoingMessage, *, now: dt.datetime, tz: ZoneInfo) -> str:
    """One line: "OVERDUE by 9 days: <claim> (February 2025; forecaster ISW) - resolve: ..."."""
    data = message.data
    kind = (data.get("reminder") or {}).get("kind")
    if message.event_type == "tracker.test":
        return "TEST message from tracker: the console channel works"
    if kind in REMINDER_KINDS:
        prediction = data["prediction"]
        word, when = timing(kind, dt.datetime.fromisoformat(prediction["due_at"]), now)
        details = [due_label(prediction, tz)]
        if forecasts_line(data):
            details.append(f"forecasts {forecasts_line(data)}")
        else:  # frozen before reminders carried forecasts: as first stated
            if prediction.get("forecaster"):
                details.append(f"forecaster {_one_line(prediction['forecaster'])}")
            if prediction.get("probability") is not None:
                details.append(format_probability(prediction["probability"]))
        return (
            f"{word.upper()} {when}: {_claim(prediction)} ({'; '.join(details)}) "
            f"{_DASH} resolve: {resolve_command(prediction['key'])}"
        )
    if kind == STALE_FORECAST:
        return _one_line(stale_forecast_text(data, now, tz))
    if kind in (PROPOSAL, EVIDENCE):
        return _found_line(kind, data)
    if kind == "resolved":
        prediction, resolution = data["prediction"], data.get("resolution") or {}
        outcome = resolution.get("outcome") or prediction.get("outcome") or "?"
        details = [due_label(prediction, tz)]
        if resolution.get("resolved_by"):
            details.append(f"by {_one_line(resolution['resolved_by'])}")
        line = f"RESOLVED {outcome}: {_claim(prediction)} ({'; '.join(details)})"
        note = resolution.get("note")
        return f"{line} {_DASH} note: {_one_line(note, _CLAIM_LIMIT)}" if note else line
    return f"{message.event_type} {message.webhook_id}"


def _claim(prediction: dict[str, Any]) -> str:
    return _one_line(prediction["claim"], _CLAIM_LIMIT)


def _one_line(text: str, limit: int | None = None) -> str:
    # Newlines in user text would split one reminder over several log records.
    flat = " ".join(str(text).split())
    if limit is None or len(flat) <= limit:
        return flat
    return flat[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"
