"""The reminder policy: the schedule, the latest-only rule after downtime, the next time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tracker.domain.reminders import (
    ReminderPolicy,
    compact_duration,
    due_reminders,
    next_reminder_after,
    policy_fingerprint,
    schedule,
)
from tracker.errors import InvalidInput

pytestmark = pytest.mark.no_database

DUE = dt.datetime(2025, 2, 28, 23, 59, 59, 999999, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
POLICY = ReminderPolicy()


def test_default_schedule() -> None:
    assert [(r.key, r.at - DUE) for r in schedule(DUE, POLICY)] == [
        ("upcoming-7d", -7 * DAY),
        ("upcoming-1d", -DAY),
        ("due", dt.timedelta(0)),
        ("overdue-1", 7 * DAY),
        ("overdue-2", 14 * DAY),
        ("overdue-3", 21 * DAY),
        ("overdue-4", 28 * DAY),
    ]


def test_lead_times_are_sorted_and_deduplicated() -> None:
    policy = ReminderPolicy(lead_times=(DAY, dt.timedelta(hours=12), DAY, 7 * DAY), overdue_limit=0)
    assert [r.key for r in schedule(DUE, policy)] == [
        "upcoming-7d", "upcoming-1d", "upcoming-12h", "due",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "sent", "skipped", "next_at"),
    [
        (DUE - 8 * DAY, None, [], DUE - 7 * DAY),
        (DUE - 7 * DAY, "upcoming-7d", [], DUE - DAY),
        (DUE - 2 * DAY, "upcoming-7d", [], DUE - DAY),
        (DUE - DAY + dt.timedelta(hours=1), "upcoming-1d", ["upcoming-7d"], DUE),
        (DUE, "due", ["upcoming-7d", "upcoming-1d"], DUE + 7 * DAY),
        (DUE + 20 * DAY, "overdue-2", ["upcoming-7d", "upcoming-1d", "due", "overdue-1"],
         DUE + 21 * DAY),
        (DUE + 600 * DAY, "overdue-4",
         ["upcoming-7d", "upcoming-1d", "due", "overdue-1", "overdue-2", "overdue-3"], None),
    ],
)  # fmt: skip
def test_after_downtime_only_the_latest_is_sent(
    now: dt.datetime, sent: str | None, skipped: list[str], next_at: dt.datetime | None
) -> None:
    plan = due_reminders(DUE, POLICY, now=now)
    assert (plan.send.key if plan.send else None) == sent
    assert [r.key for r in plan.skipped] == skipped
    assert plan.next_at == next_at


def test_what_the_ledger_holds_is_neither_sent_nor_skipped_again() -> None:
    plan = due_reminders(DUE, POLICY, handled={"upcoming-7d", "upcoming-1d", "due"},
                         now=DUE + 8 * DAY)  # fmt: skip
    assert plan.send is not None
    assert plan.send.key == "overdue-1"
    assert plan.skipped == ()
    already = due_reminders(DUE, POLICY, handled={"overdue-1"}, now=DUE + 8 * DAY)
    assert already.send is None
    assert [r.key for r in already.skipped] == ["upcoming-7d", "upcoming-1d", "due"]


def test_a_changed_policy_still_reminds() -> None:
    # Sent "due" under the default policy; then overdue reminders became daily.
    daily = ReminderPolicy(overdue_every=DAY)
    plan = due_reminders(DUE, daily, handled={"upcoming-7d", "upcoming-1d", "due"},
                         now=DUE + 2 * DAY + dt.timedelta(hours=1))  # fmt: skip
    assert plan.send is not None
    assert plan.send.key == "overdue-2"
    assert [r.key for r in plan.skipped] == ["overdue-1"]
    assert plan.next_at == DUE + 3 * DAY
    assert policy_fingerprint(daily) != policy_fingerprint(POLICY)


def test_reopened_prediction_gets_its_current_reminder_again() -> None:
    assert next_reminder_after(DUE, POLICY, DUE - 10 * DAY) == DUE - 7 * DAY
    assert next_reminder_after(DUE, POLICY, DUE + 10 * DAY) == DUE + 7 * DAY
    assert next_reminder_after(DUE, POLICY, DUE + 400 * DAY) == DUE + 28 * DAY


def test_durations_round_trip_in_keys() -> None:
    assert compact_duration(dt.timedelta(days=1, hours=12)) == "1d12h"
    assert compact_duration(dt.timedelta(weeks=2)) == "14d"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead_times": (dt.timedelta(0),)},
        {"overdue_every": dt.timedelta(0)},
        {"overdue_limit": -1},
    ],
)
def test_nonsense_policies_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        ReminderPolicy(**kwargs)


SNOOZED_UNTIL = DUE + 10 * DAY  # ends between overdue-1 (day 7) and overdue-2 (day 14)


def test_a_snooze_holds_everything_until_it_ends() -> None:
    handled = {"upcoming-7d", "upcoming-1d", "due", "overdue-1"}
    for now in (DUE + 8 * DAY, SNOOZED_UNTIL - dt.timedelta(seconds=1)):
        plan = due_reminders(DUE, POLICY, handled=handled, now=now, snoozed_until=SNOOZED_UNTIL)
        assert (plan.send, plan.skipped, plan.next_at) == (None, (), SNOOZED_UNTIL)


def test_when_a_snooze_ends_with_nothing_new_due_its_own_reminder_goes_out() -> None:
    handled = {"upcoming-7d", "upcoming-1d", "due", "overdue-1"}
    plan = due_reminders(DUE, POLICY, handled=handled, now=SNOOZED_UNTIL,
                         snoozed_until=SNOOZED_UNTIL)  # fmt: skip
    assert plan.send is not None
    assert (plan.send.key, plan.send.kind.value, plan.send.at) == (
        f"snoozed-{SNOOZED_UNTIL:%Y%m%dT%H%M%S}",
        "overdue",
        SNOOZED_UNTIL,
    )
    assert plan.next_at == DUE + 14 * DAY  # the schedule carries on
    again = due_reminders(DUE, POLICY, handled={*handled, plan.send.key}, now=SNOOZED_UNTIL,
                          snoozed_until=SNOOZED_UNTIL)  # fmt: skip
    assert again.send is None


def test_when_a_snooze_ends_the_latest_reminder_inside_it_goes_out_not_its_own() -> None:
    handled = {"upcoming-7d", "upcoming-1d", "due"}
    until = DUE + 15 * DAY
    plan = due_reminders(DUE, POLICY, handled=handled, now=until, snoozed_until=until)
    assert plan.send is not None
    assert plan.send.key == "overdue-2"
    assert [r.key for r in plan.skipped] == ["overdue-1"]


def test_a_snooze_ending_before_the_deadline_wakes_as_upcoming() -> None:
    until = DUE - 3 * DAY
    plan = due_reminders(DUE, POLICY, handled={"upcoming-7d"}, now=until, snoozed_until=until)
    assert plan.send is not None
    assert plan.send.kind.value == "upcoming"
