"""The shared pace of rate-limited receivers: slots booked in the database, on either one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.persistence import pace

URL = "https://hooks.slack.com/services/T000/B000/s3cr3t"


def test_slots_follow_each_other_and_a_pause_holds_everyone(engine: sa.Engine) -> None:
    first = pace.book(engine, key=URL, interval=5.0, max_wait=30.0)
    second = pace.book(engine, key=URL, interval=5.0, max_wait=30.0)
    assert first.booked
    assert first.wait == pytest.approx(0, abs=0.5)
    assert second.booked
    assert second.wait == pytest.approx(5.0, abs=0.5)
    assert pace.book(engine, key="another url", interval=5.0, max_wait=30.0).wait < 0.5
    pace.pause(engine, key=URL, seconds=60)
    held = pace.book(engine, key=URL, interval=5.0, max_wait=30.0)
    assert not held.booked
    assert held.wait == pytest.approx(60, abs=1)
    again = pace.book(engine, key=URL, interval=5.0, max_wait=30.0)
    assert again.wait == pytest.approx(60, abs=1)  # a refused booking takes no slot


def test_the_url_is_not_stored(engine: sa.Engine) -> None:
    pace.book(engine, key=URL, interval=1.0, max_wait=5.0)
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT name, value FROM service_state")).all()
    assert stored
    assert all("s3cr3t" not in f"{name} {value}" for name, value in stored)
