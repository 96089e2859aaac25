"""One error tree. The CLI turns a TrackerError into one line on stderr and its exit code."""

from __future__ import annotations

import datetime as dt


class TrackerError(Exception):
    """Something the user can act on; the message is shown as it is, so it must hold no secret."""

    exit_code = 2


class InvalidInput(TrackerError):
    """The user gave a value we cannot accept (a date, a probability, a file)."""


class BadCursor(InvalidInput):
    """A page cursor this list did not hand out: the API answers 400, as for a malformed
    request, the CLI exits 2."""


class NotFound(TrackerError):
    """A reference (id or key) names nothing. `listing` names what there is to look through
    ("predictions", "deliveries"), so that each front end can say where to look."""

    def __init__(self, message: str, *, listing: str | None = None) -> None:
        super().__init__(message)
        self.listing = listing


class Conflict(TrackerError):
    """The request clashes with the current state (already resolved, key taken)."""


class KeyTaken(Conflict):
    """A new prediction's key is another prediction's already. The message says what clashed;
    each front end adds how to get past it in its own words (a flag, a JSON field)."""

    def __init__(self, *, key: str, existing_id: int | None) -> None:
        super().__init__(f"a prediction with key {key!r} exists already (id {existing_id})")
        self.key = key
        self.existing_id = existing_id


class AlreadyResolved(Conflict):
    """The prediction has a current resolution: its key, outcome, when and who recorded it
    (plain values: the row itself is gone with the rolled-back session). The message says what
    is so; each front end adds its own hint (the CLI's --force, the API's "force": true)."""

    def __init__(
        self,
        message: str,
        *,
        key: str,
        outcome: str,
        resolved_by: str | None,
        resolved_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.key = key
        self.outcome = outcome
        self.resolved_by = resolved_by
        self.resolved_at = resolved_at


class ConfigError(TrackerError):
    """A setting is missing or malformed."""


class EnvironmentFailure(TrackerError):
    """The world around us failed (database unreachable or read-only); not the user's input."""

    exit_code = 1


class Unauthorized(TrackerError):
    """No credentials, or ones that are unknown, revoked, expired or a disabled user's."""


class Forbidden(TrackerError):
    """Credentials that are good but lack the scope, or act for someone else."""


class FetchFailed(EnvironmentFailure):
    """A page or feed could not be fetched: the server said no, the network failed, or the answer
    was too large or led somewhere we do not go. The message is one line naming the URL (without
    any user:password in it); `status` is the HTTP status when there was one, and `retry_after`
    the seconds the server asked us to wait (a 429's or 503's Retry-After), for a poller."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.retry_after = retry_after
