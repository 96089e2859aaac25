"""Which reminder is due for a prediction at a time, and when the next one falls. Pure.

A policy gives every prediction a fixed schedule: "upcoming" at each lead time before due_at,
"due" at due_at, then "overdue" every N days, up to a limit. A check that runs late (after
downtime, or for a prediction added after some of its times passed) sends only the latest
reminder whose time has come and records the earlier ones as skipped: a "7 days left" sent
after the deadline would be wrong, and a burst of stale ones is noise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from tracker.enums import ReminderKind
from tracker.errors import InvalidInput


@dataclass(frozen=True)
class ReminderPolicy:
    lead_times: tuple[dt.timedelta, ...] = (dt.timedelta(days=7), dt.timedelta(days=1))
    overdue_every: dt.timedelta = dt.timedelta(days=7)
    overdue_limit: int = 4

    def __post_init__(self) -> None:
        if any(lead <= dt.timedelta(0) for lead in self.lead_times):
            raise InvalidInput("reminder lead times must be longer than zero")
        if self.overdue_every <= dt.timedelta(0):
            raise InvalidInput("the overdue interval must be longer than zero")
        if self.overdue_limit < 0:
            raise InvalidInput("the overdue limit cannot be negative")


@dataclass(frozen=True)
class Reminder:
    key: str  # stable for a deadline: "upcoming-7d", "due", "overdue-2"
    kind: ReminderKind
    at: dt.datetime
    number: int = 0  # which overdue reminder (1-based); 0 for the others


@dataclass(frozen=True)
class DueReminders:
    send: Reminder | None  # the latest reminder whose time has come, unless already handled
    skipped: tuple[Reminder, ...]  # earlier ones never handled, never to be sent
    next_at: dt.datetime | None  # when the next reminder falls, None when there are no more


def schedule(due_at: dt.datetime, policy: ReminderPolicy) -> list[Reminder]:
    """Every reminder of a prediction, in time order."""
    upcoming = [
        Reminder(f"upcoming-{compact_duration(lead)}", ReminderKind.UPCOMING, due_at - lead)
        for lead in sorted(set(policy.lead_times), reverse=True)
    ]
    overdue = [
        Reminder(f"overdue-{n}", ReminderKind.OVERDUE, due_at + n * policy.overdue_every, n)
        for n in range(1, policy.overdue_limit + 1)
    ]
    return [*upcoming, Reminder("due", ReminderKind.DUE, due_at), *overdue]


def first_reminder_at(due_at: dt.datetime, policy: ReminderPolicy) -> dt.datetime:
    """schedule(...)[0].at, without building the schedule (imports call this per row)."""
    return due_at - max(policy.lead_times, default=dt.timedelta(0))


def due_reminders(
    due_at: dt.datetime,
    policy: ReminderPolicy,
    *,
    handled: Collection[str] = (),
    now: dt.datetime,
    snoozed_until: dt.datetime | None = None,
) -> DueReminders:
    """What to do at `now`: send the latest reminder whose time has come, unless the ledger
    has it already (`handled`: the keys it holds for this deadline); record the earlier ones
    it lacks as skipped.

    Asking the ledger rather than trusting a stored cursor keeps this right when the policy
    changes between runs (new lead times, a shorter overdue interval, a higher limit).

    A snooze holds everything back until it ends; then the reminders that fell inside it are
    skipped but the latest, and when none fell inside, a reminder of its own says the snooze
    is over (whoever snoozed asked to be told again then).
    """
    if snoozed_until is not None and now < snoozed_until:
        return DueReminders(send=None, skipped=(), next_at=snoozed_until)
    reminders = schedule(due_at, policy)
    come = [r for r in reminders if r.at <= now]
    later = [r for r in reminders if r.at > now]
    latest = come[-1] if come else None
    send = latest if latest is not None and latest.key not in handled else None
    if snoozed_until is not None and send is None:
        woken = snooze_ended(due_at, snoozed_until)
        send = woken if woken.key not in handled else None
    return DueReminders(
        send=send,
        skipped=tuple(r for r in come[:-1] if r.key not in handled),
        next_at=later[0].at if later else None,
    )


def snooze_ended(due_at: dt.datetime, snoozed_until: dt.datetime) -> Reminder:
    """The reminder sent when a snooze ends and no scheduled one fell inside it."""
    kind = ReminderKind.OVERDUE if snoozed_until >= due_at else ReminderKind.UPCOMING
    return Reminder(f"snoozed-{snoozed_until:%Y%m%dT%H%M%S}", kind, snoozed_until)


def next_reminder_after(
    due_at: dt.datetime, policy: ReminderPolicy, now: dt.datetime
) -> dt.datetime | None:
    """For a prediction (re)opened at `now`: when to look at it next. The latest reminder
    already due is looked at once more (and sent if the ledger lacks it); else the next one."""
    reminders = schedule(due_at, policy)
    past = [r for r in reminders if r.at <= now]
    if past:
        return past[-1].at
    return reminders[0].at if reminders else None


def policy_fingerprint(policy: ReminderPolicy) -> str:
    """A stable text for a policy, to notice when it changed between runs."""
    leads = ",".join(compact_duration(lead) for lead in sorted(set(policy.lead_times)))
    return (
        f"leads={leads};every={compact_duration(policy.overdue_every)};limit={policy.overdue_limit}"
    )


_UNITS = (("w", 7 * 86_400), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def compact_duration(delta: dt.timedelta) -> str:
    """7 days -> "7d", 36 hours -> "1d12h": the form the settings are written in."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in _UNITS[1:]:  # weeks read better as days in keys ("upcoming-14d")
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
