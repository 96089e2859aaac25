"""Evidence announced through the delivery ledger as kind "evidence": once per channel, routed
like its question, never twice, and never once decided; every channel lays it out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import standardwebhooks
from freezegun import freeze_time

from tests.conftest import SEEDS, Result
from tests.sink import Sink
from tests.test_announce import SECRET, configure, ledger
from tracker.channels.base import OutgoingMessage
from tracker.channels.chat import notice
from tracker.channels.console import console_line
from tracker.channels.email_text import compose
from tracker.channels.slack import format_slack
from tracker.news.evidence import record_evidence
from tracker.persistence.db import make_engine, transaction, upgrade_to_head
from tracker.persistence.news_models import Article

NOW = dt.datetime(2025, 2, 21, 12, 0, tzinfo=dt.UTC)
TEXT = "Moscow pulled its last troops out of Syria on Tuesday, officials said."
KEY = "russia-full-withdrawal-from-syria-2025-02"


def find(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    with transaction(engine) as session:
        article = Article(
            url="https://news.example/out", title="Out", status="read", fetched_at=NOW
        )
        session.add(article)
        session.flush()
        record_evidence(
            session, article=article, text=TEXT, published=dt.date(2025, 2, 20), now=NOW
        )


def check(cli: Callable[..., Result]) -> dict[str, Any]:
    with freeze_time(NOW + dt.timedelta(minutes=1)):
        result = cli("check", "--json")
    assert result.code == 0, result.err
    report: dict[str, Any] = result.json()
    return report


def test_evidence_is_announced_once_per_channel_signed(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(
        sink, monkeypatch, routes='[[routes]]\nmatch_kinds = ["evidence"]\nchannels = ["a"]\n'
    )
    assert cli("seed", SEEDS).code == 0
    find(database_url)
    report = check(cli)
    assert [(e["question"], e["deliveries"]) for e in report["evidence"]] == [(KEY, 1)]
    verifier = standardwebhooks.Webhook(SECRET)
    with freeze_time(NOW + dt.timedelta(minutes=1)):
        bodies = [verifier.verify(r.body, r.headers) for r in sink.on("/a")]
    found = [b for b in bodies if b["type"] == "evidence.found"]
    assert len(found) == 1
    data = found[0]["data"]
    assert data["reminder"]["kind"] == "evidence"
    assert data["prediction"]["key"] == KEY
    assert data["evidence"]["quote"] == TEXT
    assert data["evidence"]["occurred_on"] == "2025-02-18"
    assert data["evidence"]["accept"].startswith("tracker evidence accept ")
    assert [(r.kind, r.channel) for r in ledger(database_url) if r.kind == "evidence"] == [
        ("evidence", "a")
    ]
    assert check(cli)["evidence"] == []


def test_decided_evidence_is_not_announced(
    cli: Callable[..., Result], sink: Sink, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(sink, monkeypatch)
    assert cli("seed", SEEDS).code == 0
    find(database_url)
    [pending] = cli("evidence", "--json").json()
    assert cli("evidence", "reject", pending["id"]).code == 0
    assert check(cli)["evidence"] == []


def test_every_channel_lays_evidence_out() -> None:
    data = {
        "reminder": {"kind": "evidence", "key": "evidence-4", "scheduled_for": "2025-02-21"},
        "prediction": {"key": KEY, "claim": "Russia completes a full withdrawal from Syria."},
        "evidence": {
            "outcome": "yes", "occurred_on": "2025-02-18", "quote": TEXT, "score": 0.96,
            "source": {"url": "https://news.example/out", "title": "Out"},
            "accept": "tracker evidence accept 4",
        },
    }  # fmt: skip
    message = OutgoingMessage(
        webhook_id="msg_1", event_type="evidence.found", occurred_at=NOW, data=data
    )
    utc = ZoneInfo("UTC")
    line = console_line(message, now=NOW, tz=utc)
    assert "The news says yes" in line
    assert "tracker evidence accept 4" in line
    assert "2025-02-18" in line
    shown = notice(message, now=NOW, tz=utc)
    assert shown.title.startswith("The news says yes")
    assert shown.link == "https://news.example/out"
    slack = format_slack(message, now=NOW, tz=utc)
    assert "tracker evidence accept 4" in slack["text"]
    mail = compose(message, now=NOW, tz=utc, channel="mail")
    assert "tracker evidence accept 4" in " ".join(mail.text.split())
    assert mail.subject.startswith("[tracker] The news says yes")
