"""The web page at /: deadlines, overdue predictions, scores and failing deliveries."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index() -> str:
    return "<!doctype html><title>tracker</title><p>tracker</p>"
