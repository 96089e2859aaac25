"""Commands for reminders: check, run, deliveries, retry, channels, status."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, console, print_json, say, setup_logging
from tracker.cli.paging import AfterOption, more
from tracker.cli.terminal import cell, utf8
from tracker.enums import DeliveryStatus

if TYPE_CHECKING:
    import logging

    from tracker.delivery.worker import Worker
    from tracker.web.server import HttpServer

# Ids are INTEGER columns, 32 bits on PostgreSQL, which refuses a larger number outright
# rather than finding nothing.
MAX_ID = 2**31 - 1
# Far more than a screen, and what earlier releases' users may pass (the API pages at 1000),
# while a 25-digit number is refused in one line instead of overflowing the query.
MAX_LIMIT = 1_000_000

channels_app = typer.Typer(
    help="List the channels reminders go to (secrets masked), or test one.",
    invoke_without_command=True,
)
app.add_typer(channels_app, name="channels")


def _worker(rt: Runtime) -> Worker:
    from tracker.bootstrap import build_worker, configured_channels

    channels = configured_channels(rt.settings)  # a bad channel stops us before the database
    return build_worker(rt.settings, rt.engine, channels=channels)


@app.command()
def check(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what a pass would do; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run one pass: queue the reminders that are due and send what is pending (for cron)."""
    rt = Runtime()
    setup_logging(rt.settings.log_format)
    report = _worker(rt).run_pass(dry_run=dry_run)
    if as_json:
        print_json(report.as_json())
    else:
        say(("Dry run: " if dry_run else "") + report.summary() + ".")


@app.command()
def run(
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve the web page and API too (TRACKER_HTTP_HOST, _PORT)."),
    ] = False,
) -> None:
    """Run the service: check every TRACKER_CHECK_INTERVAL (and at each reminder or retry
    time) until stopped with Ctrl-C or SIGTERM."""
    import logging
    import signal

    from tracker.bootstrap import build_service

    rt = Runtime(create=True)
    setup_logging(rt.settings.log_format)
    worker = _worker(rt)
    server = _http_server(rt) if http else None
    log = logging.getLogger("tracker")
    service = build_service(rt.settings, worker)

    def _stop(signum: int, _frame: object) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        service.stop()
        if server is not None:
            server.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    _log_start(log, rt, worker)
    thread = None
    if server is not None:
        # If the HTTP side dies, the whole service stops and says so: half a service that
        # looks alive is worse than none.
        thread = server.start_in_thread(on_exit=service.stop)
        log.info("serving the web page and API on %s", server.url)
    service.start()
    if server is not None and thread is not None:
        thread.join(timeout=10)
        _fail_if_died(server)
    log.info("stopped")


def _log_start(log: logging.Logger, rt: Runtime, worker: Worker) -> None:
    """Where the service runs and where its reminders go; a warning when only the log gets
    them, which is easy to miss otherwise."""
    from tracker.config import channel_settings
    from tracker.domain.reminders import compact_duration
    from tracker.persistence.db import display_url

    configured = channel_settings(rt.settings)
    if [c.kind for c in configured] == ["console"]:
        log.warning(
            "no webhook or Slack channel is configured, so reminders are written to this log. "
            "Set TRACKER_WEBHOOK_URL (and TRACKER_WEBHOOK_SECRET) or TRACKER_SLACK_WEBHOOK_URL, "
            "or add [[channels]] to config/tracker.toml."
        )
    log.info(
        "tracker running on %s as %s; channels: %s; checking every %s",
        display_url(rt.engine.url),
        worker.owner,
        ", ".join(f"{c.name} ({c.kind})" for c in configured),
        compact_duration(rt.settings.check_interval),
    )


def _fail_if_died(server: HttpServer) -> None:
    from tracker.errors import EnvironmentFailure

    if server.failed:
        raise EnvironmentFailure(
            f"the HTTP server stopped on its own ({server.failure or 'no reason given'})"
        )


def _http_server(rt: Runtime) -> HttpServer:
    from tracker.web.server import HttpServer

    return HttpServer(
        rt.settings, rt.engine, host=rt.settings.http_host, port=rt.settings.http_port
    )


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default TRACKER_HTTP_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="Port (default TRACKER_HTTP_PORT, 8000)."),
    ] = None,
) -> None:
    """Serve the web page and the JSON API (no reminders: `tracker run --http` does both)."""
    import logging
    import signal

    from tracker.persistence.db import display_url
    from tracker.web.server import HttpServer

    rt = Runtime(create=True)
    setup_logging(rt.settings.log_format)
    server = HttpServer(
        rt.settings,
        rt.engine,
        host=host or rt.settings.http_host,
        port=rt.settings.http_port if port is None else port,
    )
    log = logging.getLogger("tracker")
    writes = "read-only (no TRACKER_API_TOKEN)" if rt.settings.api_token is None else "writable"
    log.info("serving %s on %s; the API is %s", display_url(rt.engine.url), server.url, writes)

    def _stop(signum: int, _frame: object) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        server.stop()

    # uvicorn in a thread of its own, as under `run --http`: the signals stay ours, so a
    # SIGTERM ends in a clean exit 0 rather than uvicorn re-raising it after shutting down.
    previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        thread = server.start_in_thread()
        while thread.is_alive():
            thread.join(timeout=0.5)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    _fail_if_died(server)
    log.info("stopped")


@app.command()
def deliveries(
    status: Annotated[
        DeliveryStatus | None, typer.Option(help="Only deliveries in this state.")
    ] = None,
    prediction: Annotated[
        str | None, typer.Option(help="Only this prediction's (id or key).", callback=utf8)
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_LIMIT, help="At most this many, newest first.")
    ] = 50,
    after: AfterOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """The delivery ledger: every reminder and event, per channel, and how it went."""
    from tracker.delivery import admin as checks

    rt = Runtime()
    page = checks.list_deliveries(
        rt.engine, status=status, prediction_ref=prediction, limit=limit, cursor=after
    )
    from tracker.io.records import delivery_json

    objects = [delivery_json(row, key) for row, key in page.items]
    again = ["deliveries"]
    for option, value in (("--status", status and status.value), ("--prediction", prediction)):
        again += [option, value] if value is not None else []
    again += ["--limit", str(limit)] if limit != 50 else []
    if as_json:
        print_json(objects)
        more(shlex.join(again), len(objects), page.next, as_json=True, older=True)
        return
    if not objects:
        say("No deliveries.")
        return
    _print_deliveries(objects)
    more(shlex.join(again), len(objects), page.next, older=True)


def _print_deliveries(objects: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("ID", "Prediction", "Reminder", "Channel", "Status", "Tries", "Last"):
        table.add_column(column, overflow="fold")
    for obj in objects:
        last = " ".join(
            str(part)
            for part in (obj["last_status_code"], obj["last_error"])
            if part not in (None, "")
        )
        when = obj["next_attempt_at"] if obj["status"] in ("retrying", "held") else None
        table.add_row(
            *map(
                cell,
                (
                    obj["id"],
                    obj["prediction"] or f"proposal {obj['proposal_id']}",
                    obj["reminder"]
                    + (f" ({n} earlier skipped)" if (n := len(obj["skipped_reminders"])) else ""),
                    obj["channel"],
                    obj["status"] + (f" (next {when})" if when else ""),
                    obj["attempts"],
                    last,
                ),
            )
        )
    console().print(table)


@app.command()
def retry(
    delivery_id: Annotated[
        int | None,
        typer.Argument(metavar="DELIVERY_ID", min=1, max=MAX_ID, help="The delivery to try again."),
    ] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Retry every dead delivery.")] = False,
) -> None:
    """Try a dead (or retrying) delivery again now, with a fresh set of attempts."""
    from tracker.delivery import admin as checks

    rt = Runtime()
    count = checks.retry_deliveries(
        rt.engine, delivery_id=delivery_id, all_dead=dead, now=rt.now, actor=rt.actor
    )
    say(f"{count} deliveries queued again; the next pass sends them.")


@channels_app.callback()
def channels_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List the channels reminders go to, with every secret masked."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.channels import build_channels
    from tracker.config import load_settings

    built = build_channels(load_settings())
    objects = [
        {"name": name, "kind": channel.kind, "target": channel.describe()}
        for name, channel in built.items()
    ]
    if as_json:
        print_json(objects)
        return
    for obj in objects:
        say(f"{obj['name']}: {obj['target']}")


@channels_app.command("test")
def channels_test(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The channel to test.")],
) -> None:
    """Send a test message through one channel and show the answer."""
    import asyncio

    from tracker.channels import build_channels, send_once, test_message
    from tracker.clock import utcnow
    from tracker.config import load_settings
    from tracker.errors import EnvironmentFailure, NotFound

    settings = load_settings()
    setup_logging(settings.log_format)
    built = build_channels(settings)
    channel = built.get(name)
    if channel is None:
        raise NotFound(f"no channel is named {name!r}; configured: {', '.join(built)}")
    now = utcnow()
    attempt = asyncio.run(
        send_once(
            channel,
            test_message(now),
            now=now,
            connect_timeout=settings.connect_timeout,
            request_timeout=settings.request_timeout,
        )
    )
    answer = f"HTTP {attempt.status_code}" if attempt.status_code else "no HTTP answer"
    if channel.kind == "email":  # SMTP's reply codes are in the error, when there is one
        answer = "email"
    detail = f": {attempt.error}" if attempt.error else ""
    if attempt.outcome.value != "delivered":
        raise EnvironmentFailure(
            f"{name}: {attempt.outcome.value} ({answer}{detail}, {attempt.duration_ms} ms)"
        )
    say(f"{name}: delivered ({answer}, {attempt.duration_ms} ms).")


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """The database, the channels, the next reminder, and whether deliveries are stuck."""
    from tracker.config import channel_settings
    from tracker.delivery import admin as checks
    from tracker.persistence.db import current_revision, display_url

    rt = Runtime()
    configured = channel_settings(rt.settings)  # a bad channel stops us before the database opens
    state = checks.status(
        rt.engine, database=display_url(rt.engine.url), revision=current_revision(rt.engine)
    )
    obj = state.as_json(channels=configured)
    channels = obj["channels"]
    if as_json:
        print_json(obj)
        return
    deliveries_line = ", ".join(
        f"{state.deliveries.get(s, 0)} {s}" for s in ("pending", "sending", "retrying", "dead")
    )
    lines = [
        f"Database     {state.database} (migration {state.revision})",
        "Channels     " + ", ".join(f"{c['name']} ({c['kind']})" for c in channels),
        "Predictions  "
        + (", ".join(f"{n} {s}" for s, n in sorted(state.predictions.items())) or "none"),
        f"Deliveries   {deliveries_line}",
        f"Next reminder {obj['next_reminder_at'] or 'none scheduled'}",
    ]
    if state.oldest_waiting_at is not None:
        lines.append(f"Oldest waiting delivery queued at {obj['oldest_waiting_since']}")
    if state.deliveries.get("dead"):
        lines.append(
            "Dead deliveries: `tracker deliveries --status dead`, then `tracker retry --dead`"
        )
    for line in lines:
        say(line)
