"""One error tree. The CLI turns a TrackerError into one line on stderr and its exit code."""

from __future__ import annotations


class TrackerError(Exception):
    """Something the user can act on; the message is shown as it is, so it must hold no secret."""

    exit_code = 2


class InvalidInput(TrackerError):
    """The user gave a value we cannot accept (a date, a probability, a file)."""


class NotFound(TrackerError):
    """A reference (id or key) names nothing."""


class Conflict(TrackerError):
    """The request clashes with the current state (already resolved, key taken)."""


class AlreadyResolved(Conflict):
    """The prediction has a current resolution: its outcome and who recorded it (plain values:
    the row itself is gone with the rolled-back session)."""

    def __init__(self, message: str, *, outcome: str, resolved_by: str | None) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.resolved_by = resolved_by


class ConfigError(TrackerError):
    """A setting is missing or malformed."""


class EnvironmentFailure(TrackerError):
    """The world around us failed (database unreachable or read-only); not the user's input."""

    exit_code = 1
