"""Commands for a question's forecasts and edits: forecast, edit; and how `list` and `show`
word a question's forecasts and earlier versions."""

from __future__ import annotations

from dataclasses import replace as dc_replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, print_json, say
from tracker.cli.predictions import REF_HELP, records_json, timing
from tracker.cli.terminal import utf8
from tracker.errors import AlreadyResolved, Conflict, InvalidInput

if TYPE_CHECKING:
    from tracker.persistence.models import PredictionRecord

# Of more forecasters than this, `list` shows the count.
LISTED_FORECASTERS = 2


def forecasters_cell(record: PredictionRecord) -> str:
    """Each forecaster's latest forecast ("ISW 35%, Desk 60%"), or how many forecasters there
    are when many; a forecaster named without a probability, as named."""
    from tracker.domain.forecasts import in_force

    latest = in_force(record.forecasts)
    if not latest:
        return record.prediction.forecaster or ""
    if len(latest) > LISTED_FORECASTERS:
        return f"{len(latest)} forecasters"
    return ", ".join(f"{name} {f.probability:.0%}" for name, f in latest.items())


def forecast_rows(record: PredictionRecord, obj: dict[str, Any]) -> list[tuple[str, str | None]]:
    """`show`'s lines for the forecasts: each forecaster's in order, the latest last."""
    p = record.prediction
    if not obj["forecasts"]:
        probability = None if p.probability is None else f"{p.probability:.0%}"
        return [("Forecaster", p.forecaster), ("Probability", probability)]
    by_forecaster: dict[str, list[dict[str, Any]]] = {}
    for forecast in obj["forecasts"]:
        by_forecaster.setdefault(forecast["forecaster"], []).append(forecast)
    rows: list[tuple[str, str | None]] = []
    for name, forecasts in by_forecaster.items():
        for n, forecast in enumerate(forecasts):
            rows.append(
                ("Forecasts" if not rows else "", _describe_forecast(forecast, n == 0, name))
            )
    return rows


def _describe_forecast(forecast: dict[str, Any], first: bool, name: str) -> str:
    who = name if first else " " * len(name)
    parts = [f"{who} {forecast['probability']:.0%} on {forecast['made_at']}"]
    for key in ("note", "basis"):
        if forecast[key]:
            parts.append(f"· {forecast[key]}")
    if forecast["source_url"]:
        parts.append(f"· {forecast['source_url']}")
    return " ".join(parts)


def version_rows(obj: dict[str, Any]) -> list[tuple[str, str | None]]:
    """`show`'s lines for the earlier versions, oldest first."""
    rows: list[tuple[str, str | None]] = []
    for version in obj.get("versions") or []:
        was = version["snapshot"]
        rows.append(
            (
                f"Version {version['version']}",
                f"until {version['changed_at']} ({version['note']}): “{was['claim']}”, "
                f"due {was['due_text']} ({was['due_at']})",
            )
        )
    return rows


_FORECAST_FLAGS = {
    "forecaster": "--by",
    "probability": "PROBABILITY",
    "made_at": "--at",
    "quote": "--quote",
    "source_url": "--source-url",
    "note": "--note",
    "basis": "--basis",
}


@app.command()
def forecast(
    ref: Annotated[str, typer.Argument(metavar="REF", help=REF_HELP, callback=utf8)],
    probability: Annotated[
        str, typer.Argument(metavar="PROBABILITY", help="0.7, 70% or odds such as 7:3.")
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Who makes the forecast (default: the forecaster name of the user acting, "
            "with --as or TRACKER_USER).",
            callback=utf8,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="When it was made: an ISO date or time, UTC unless it has an offset "
            "(default: now)."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why, in a sentence.")] = None,
    quote: Annotated[str | None, typer.Option(help="The forecast, verbatim.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Where it was made.")] = None,
    basis: Annotated[
        str | None, typer.Option(help="What the probability rests on (\"implied by 'may'\").")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the forecast as JSON.")] = False,
) -> None:
    """Record a forecast on a question; a revision is a new forecast, the earlier ones stay."""
    from tracker import questions
    from tracker.domain.forecasts import forecast_input
    from tracker.io.questions import forecast_json

    named = "(yours)" if by is None else by  # checked as any name; replaced below when None
    raw = {"forecaster": named, "probability": probability, "made_at": at, "quote": quote,
           "source_url": source_url, "note": note, "basis": basis}  # fmt: skip
    try:
        data = forecast_input(raw)
    except InvalidInput as exc:
        raise InvalidInput(_named_by_flag(str(exc), _FORECAST_FLAGS)) from None
    rt = Runtime()
    if by is None:
        data = dc_replace(data, forecaster=_own_forecaster(rt))
    added = questions.add_forecast(rt.engine, ref=ref, forecast=data, now=rt.now, actor=rt.actor)
    if as_json:
        print_json(forecast_json(added.forecast, added.record))
        return
    p, f = added.record.prediction, added.forecast
    made = f.made_at.strftime("%Y-%m-%d %H:%M UTC")
    say(f"Recorded {f.forecaster}'s forecast on #{p.id} {p.key}: {f.probability:.0%}, made {made}.")


def _own_forecaster(rt: Runtime) -> str:
    """The forecaster name of the user this run acts as; a name that is no user's is not
    taken for a forecaster's without being said (--by)."""
    if rt.actor.user_id is None:
        raise InvalidInput(
            f"--by is required: {rt.actor.name!r} is not a user (`tracker users add`), so "
            "name who makes the forecast"
        )
    return rt.actor.forecasts_as


_EDIT_FLAGS = {
    "claim": "--claim",
    "criteria": "--criteria",
    "due_text": "--due-text",
    "window_start": "--window-start",
    "due": "--due",
    "tag": "--tag",
    "untag": "--untag",
}


def _named_by_flag(message: str, flags: dict[str, str]) -> str:
    """A validator's message ("forecaster is required") as the flag that was typed names it
    ("--by: is required")."""
    for name, flag in flags.items():
        if message.startswith((f"{name} ", f"{name}:")):
            if not flag.startswith("--"):
                return f"{flag}: {message}"
            return f"{flag}: {message.removeprefix(name).removeprefix(':').strip()}"
    return message


@app.command()
def edit(
    ref: Annotated[str, typer.Argument(metavar="REF", help=REF_HELP, callback=utf8)],
    note: Annotated[str, typer.Option(help="Why it changes (kept with the earlier version).")],
    claim: Annotated[str | None, typer.Option(help="The new claim.")] = None,
    due: Annotated[
        str | None, typer.Option(help="The new deadline, read in the question's time zone.")
    ] = None,
    window_start: Annotated[str | None, typer.Option(help="The new start of the window.")] = None,
    due_text: Annotated[str | None, typer.Option(help="The deadline as worded.")] = None,
    criteria: Annotated[
        str | None, typer.Option(help="How it will be judged ('' clears it).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Add a tag; repeat for more.")] = None,
    untag: Annotated[list[str] | None, typer.Option(help="Remove a tag; repeat.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Move a resolved question's deadline.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the question as JSON.")] = False,
) -> None:
    """Change a question; the earlier version is kept, and reminders follow a moved deadline."""
    from tracker import questions
    from tracker.domain.inputs import clean_text
    from tracker.domain.questions import QuestionChanges

    why = clean_text(note, "--note", required=True, limit=5000, multiline=True)
    assert why is not None
    changes = QuestionChanges(
        claim=claim, criteria=criteria, due=due, window_start=window_start, due_text=due_text,
        add_tags=tuple(tag or ()), remove_tags=tuple(untag or ()),
    )  # fmt: skip
    rt = Runtime()
    try:
        record = questions.edit_question(
            rt.engine, ref=ref, changes=changes, note=why, now=rt.now, policy=rt.policy,
            force=force, actor=rt.actor,
        )  # fmt: skip
    except AlreadyResolved as exc:
        raise Conflict(f"{exc}; pass --force to move it anyway") from None
    except InvalidInput as exc:
        raise InvalidInput(_named_by_flag(str(exc), _EDIT_FLAGS)) from None
    if as_json:
        print_json(records_json([record], rt, full=True)[0])
        return
    p = record.prediction
    say(f"Edited #{p.id} {p.key} (version {len(record.versions) + 1}); {timing(record, rt)}.")
