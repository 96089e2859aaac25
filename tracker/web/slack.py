"""POST /slack/actions: the Yes / No / Annulled / Snooze buttons on Slack reminders."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
