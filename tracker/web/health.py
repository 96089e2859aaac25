"""GET /healthz, /readyz and /metrics: for a load balancer, an orchestrator and Prometheus.

Left out of the OpenAPI spec: they are not the API (and /readyz answers 503 by design). Open
like the API's reads: they show counts and worker names, never a question or a secret.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from tracker.delivery import health
from tracker.delivery.timings import PASS_SECONDS, SEND_SECONDS, Timings
from tracker.errors import TrackerError
from tracker.web.deps import WebContext, context, request_now

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

router = APIRouter(include_in_schema=False)
NO_STORE = {"cache-control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process answers; nothing else is looked at (no database)."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
def readyz(
    ctx: Annotated[WebContext, Depends(context)],
    now: Annotated[dt.datetime, Depends(request_now)],
) -> JSONResponse:
    """200 with details when ready, else 503 with a one-line reason."""
    found = health.readiness(
        ctx.engine,
        now=now,
        interval=ctx.settings.check_interval,
        require_worker=ctx.settings.readyz_require_worker,
    )
    if not found.ready:
        body = {"status": "unavailable", "reason": found.reason}
        return JSONResponse(body, status_code=503, headers=NO_STORE)
    return JSONResponse({"status": "ready", **found.details}, headers=NO_STORE)


@router.get("/metrics")
def metrics(
    request: Request,
    ctx: Annotated[WebContext, Depends(context)],
    now: Annotated[dt.datetime, Depends(request_now)],
) -> Response:
    """Prometheus' text format: the database's counts at this moment, and the timings of the
    sends and passes this process made."""
    # Imported here: it costs 70 ms, which `tracker serve` need not pay to start.
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    families = [_timings(t) for t in (SEND_SECONDS, PASS_SECONDS)]
    families.extend(_database(ctx, now, request))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(families))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)


class _Fixed:
    """A collector of families built beforehand."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> list[Metric]:
        return self._families


def _timings(timings: Timings) -> Metric:
    from prometheus_client.core import HistogramMetricFamily

    family = HistogramMetricFamily(
        timings.name,
        timings.help_text,
        labels=list(timings.label_names),
    )
    for series in timings.series():
        cumulative, buckets = 0, []
        for bound, count in zip([*timings.bounds, float("inf")], series.buckets, strict=True):
            cumulative += count
            buckets.append(("+Inf" if bound == float("inf") else f"{bound:g}", cumulative))
        family.add_metric(list(series.labels), buckets, series.total)
    return family


def _finished(request: Request) -> health.FinishedCounts:
    """The app's one cache of the finished deliveries' counts."""
    state = request.app.state
    if not hasattr(state, "finished_deliveries"):
        state.finished_deliveries = health.FinishedCounts()
    cache: health.FinishedCounts = state.finished_deliveries
    return cache


def _database(ctx: WebContext, now: dt.datetime, request: Request) -> list[Metric]:
    from prometheus_client.core import GaugeMetricFamily

    up = GaugeMetricFamily("tracker_database_up", "1 when the database answered this scrape.")
    try:
        found = health.gauges(ctx.engine, now=now, finished=_finished(request))
    except TrackerError:
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    deliveries = GaugeMetricFamily(
        "tracker_deliveries",
        "Delivery rows by status and channel (delivered, skipped and cancelled as counted "
        "at most 5 minutes ago).",
        labels=["status", "channel"],
    )
    for (status, channel), count in sorted(found.counts.deliveries.items()):
        deliveries.add_metric([status, channel], count)
    oldest = found.counts.oldest_unsent_at
    age = GaugeMetricFamily(
        "tracker_oldest_unsent_delivery_age_seconds",
        "How long the oldest pending, retrying or sending delivery has waited (0: none).",
        value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    )
    last = found.last_pass_at
    last_pass = GaugeMetricFamily(
        "tracker_last_pass_timestamp_seconds",
        "When the last successful pass of any worker ended (Unix time; 0: never).",
        value=last.timestamp() if last else 0.0,
    )
    questions = GaugeMetricFamily(
        "tracker_open_questions", "Questions not yet resolved.", value=found.counts.open_questions
    )
    overdue = GaugeMetricFamily(
        "tracker_overdue_questions",
        "Open questions whose deadline has passed.",
        value=found.counts.overdue_questions,
    )
    return [up, deliveries, age, last_pass, questions, overdue]
