"""The accuracy summary command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.terminal import cell, utf8
from tracker.enums import GroupBy
from tracker.errors import EnvironmentFailure, InvalidInput

if TYPE_CHECKING:
    from rich.table import Table

    from tracker.domain.scoring import CalibrationBin, Scores, Timeliness
    from tracker.reporting.summary import GroupSummary, Summary


@app.command()
def summary(
    by: Annotated[
        GroupBy | None, typer.Option(help="Break the hit rate and scores down by this.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only predictions due on or after this date.")
    ] = None,
    forecaster: Annotated[
        str | None, typer.Option(help="Only this forecaster's.", callback=utf8)
    ] = None,
    exclude_early: Annotated[
        bool,
        typer.Option(
            "--exclude-early",
            help="Leave out 'yes' resolutions of predictions not yet due (only 'yes' can "
            "resolve early, so they flatter the hit rate).",
        ),
    ] = False,
    bins: Annotated[
        int, typer.Option(min=1, max=100, help="Calibration bins, on whole percents.")
    ] = 10,
    plot: Annotated[
        Path | None,
        typer.Option(help="Draw the calibration chart to this PNG (needs tracker[plot])."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """How often the forecasts came true, how good their probabilities were, and who was right."""
    from tracker.domain.deadlines import parse_instant
    from tracker.reporting.summary import summarize

    rt = Runtime()
    try:
        since_at = parse_instant(since, rt.settings.tz) if since else None
    except InvalidInput as exc:
        raise InvalidInput(f"--since: {exc}") from None
    if plot is not None:
        _check_plot_target(plot)
    result = summarize(
        rt.engine,
        now=rt.now,
        due_soon=rt.settings.due_soon,
        since=since_at,
        forecaster=forecaster,
        by=by,
        exclude_early=exclude_early,
        bins=bins,
    )
    if plot is not None:
        from tracker.reporting.plot import draw_calibration

        draw_calibration(result, plot)
    if as_json:
        print_json(result.as_json())
        return
    _print_summary(result)
    if plot is not None:
        say(f"Calibration chart written to {plot}.")


def _check_plot_target(path: Path) -> None:
    """Fail before any work: matplotlib is an optional extra, and the folder must exist."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise EnvironmentFailure(
            "--plot needs matplotlib, which is not installed: pip install 'tracker[plot]'"
        )
    if path.suffix.lower() != ".png":
        raise InvalidInput(f"--plot: {path} should end in .png")
    if not path.resolve().parent.is_dir():
        raise InvalidInput(f"--plot: the folder {path.resolve().parent} does not exist")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _print_summary(result: Summary) -> None:
    c = result.counts
    say(
        f"Predictions: {c['open']} open ({c['due_soon']} due soon, {c['overdue']} overdue and "
        f"unresolved), {c['resolved_yes']} resolved yes, {c['resolved_no']} resolved no, "
        f"{c['annulled']} annulled."
    )
    if not result.resolved:
        say("Nothing resolved yet: resolve predictions with `tracker resolve REF yes|no`.")
        return
    say(
        f"Hit rate: {result.hits} of {result.resolved} resolved predictions came true in "
        f"their window ({_pct(result.hit_rate)})."
    )
    if result.scores is None:
        say("No resolved question has a forecast made before it closed, so there are no scores.")
    else:
        _print_scores(result.scores)
        _print_time_weighted(result)
        _print_calibration(result.calibration)
    if result.groups:
        _print_groups(result.groups, by=result.filters["by"])
    elif result.ranking:
        _print_ranking(result)
    if result.timeliness is not None:
        _print_timeliness(result.timeliness)
    for note in result.notes:
        say(f"Note: {note}")


def _table(title: str, columns: tuple[str, ...]) -> Table:
    from rich.table import Table

    table = Table(title=title, box=None, header_style="bold", title_justify="left")
    for column in columns:
        table.add_column(column)
    return table


def _print_scores(scores: Scores) -> None:
    """Brier score and log loss beside the two forecasters anyone could be: the base rate
    every time, and 50% every time."""
    table = _table(
        f"Plain scores of {scores.n} forecasts: each forecaster's latest before the close",
        ("", "Brier (0-1, lower is better)", "Log loss (bits, lower is better)"),
    )
    table.add_row("These forecasts", _num(scores.brier), _num(scores.log_loss_bits))
    table.add_row(
        f"Always the base rate ({_pct(scores.base_rate)})",
        _num(scores.base_rate_brier),
        _num(scores.base_rate_log_loss_bits),
    )
    table.add_row("Always 50%", "0.250", "1.000")
    console().print(table)
    say(
        f"Murphy decomposition: Brier = reliability {_num(scores.reliability, 4)} "
        f"- resolution {_num(scores.resolution, 4)} + uncertainty "
        f"{_num(scores.uncertainty, 4)} (reliability: lower is better; resolution: higher)."
    )


def _print_time_weighted(result: Summary) -> None:
    tw = result.time_weighted
    if tw.brier is None or tw.log_loss_bits is None:
        return
    say(
        f"Time-weighted scores (each forecast over the time it was held, from a forecaster's "
        f"first forecast to the close), {tw.n} forecaster-questions on "
        f"{_plural(result.questions_scored, 'question')}: Brier {_num(tw.brier)}, log loss "
        f"{_num(tw.log_loss_bits)} bits."
    )


def _print_ranking(result: Summary) -> None:
    table = _table(
        "Forecasters ranked by relative Brier (time-weighted, minus the crowd's median; "
        "negative is better)",
        ("", "Relative Brier", "Shared questions", "Time-weighted Brier"),
    )
    for name, tw in result.ranking:
        table.add_row(cell(name), _signed(tw.brier_vs_median), str(tw.relative_n), _num(tw.brier))
    console().print(table)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.3f}"


def _print_calibration(bins: list[CalibrationBin]) -> None:
    table = _table(
        "Calibration (90% Wilson intervals)",
        ("Forecast", "Count", "Mean forecast", "Came true", "90% interval"),
    )
    for b in bins:
        if not b.count:
            continue
        table.add_row(
            _bin_label(b),
            str(b.count),
            _pct(b.mean_forecast),
            _pct(b.observed),
            f"{_pct(b.wilson_low)}-{_pct(b.wilson_high)}",
        )
    console().print(table)


def _bin_label(b: CalibrationBin) -> str:
    """ "[70%, 80%)": each bin holds its lower edge, not its upper one; the last bin holds
    100% too, so it closes with "]"."""
    return f"[{b.low}%, {b.high}%" + ("]" if b.high == 100 else ")")


def _print_groups(groups: list[GroupSummary], *, by: str) -> None:
    if by == "horizon":
        _print_horizons(groups)
        return
    if by == "forecaster":
        _print_forecasters(groups)
        return
    table = _table(f"By {by}", ("", "Resolved", "Came true", "Hit rate", "Brier", "Log loss"))
    for g in groups:
        table.add_row(
            cell(g.name),
            str(g.resolved),
            str(g.hits),
            _pct(g.hit_rate),
            _num(g.scores.brier) if g.scores else "",
            _num(g.scores.log_loss_bits) if g.scores else "",
        )
    console().print(table)


def _print_forecasters(groups: list[GroupSummary]) -> None:
    """Plain and time-weighted side by side; ranked by relative Brier when several have one."""
    table = _table(
        "By forecaster (plain: latest forecast before the close; TW: time-weighted; relative: "
        "TW Brier minus the crowd's median, negative is better)",
        ("", "Resolved", "Hit rate", "Brier", "Log loss", "TW Brier", "TW log", "Relative",
         "Shared"),
    )  # fmt: skip
    for g in groups:
        tw = g.time_weighted
        table.add_row(
            cell(g.name),
            str(g.resolved),
            _pct(g.hit_rate),
            _num(g.scores.brier) if g.scores else "",
            _num(g.scores.log_loss_bits) if g.scores else "",
            _num(tw.brier) if tw else "",
            _num(tw.log_loss_bits) if tw else "",
            _signed(tw.brier_vs_median) if tw else "",
            str(tw.relative_n) if tw else "",
        )
    console().print(table)


def _print_horizons(groups: list[GroupSummary]) -> None:
    from tracker.domain.timeweighted import HORIZONS

    labels = {bucket.key: bucket.label for bucket in HORIZONS}
    table = _table(
        "By horizon: every forecast made before the close, by how long before the deadline",
        ("Made", "Questions", "Forecasts", "Brier", "Log loss"),
    )
    for g in groups:
        table.add_row(
            f"{labels.get(g.name, g.name)} before",
            str(g.resolved),
            str(g.scores.n) if g.scores else "0",
            _num(g.scores.brier) if g.scores else "",
            _num(g.scores.log_loss_bits) if g.scores else "",
        )
    console().print(table)


def _print_timeliness(t: Timeliness) -> None:
    say(
        f"Timeliness of {t.count} 'yes' outcomes with a date: {t.early} before the "
        f"deadline's day, {t.on_the_day} on it, {t.late} after; median "
        f"{t.median_days:+g} days, from {t.min_days:+d} to {t.max_days:+d}."
    )
