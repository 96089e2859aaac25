"""Commands for files: seed, export, import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.app import Runtime, app, say
from tracker.enums import ExportFormat

if TYPE_CHECKING:
    from tracker.importing import ImportReport


@app.command()
def seed(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of seeds files (*.toml).")
    ] = Path("seeds"),
) -> None:
    """Load the predictions in a seeds folder; a second run changes nothing."""
    from tracker import importing

    rt = Runtime(create=True)
    report = importing.seed(
        rt.engine,
        directory=directory,
        tz=rt.settings.tz,
        now=rt.now,
        policy=rt.policy,
        actor=rt.actor,
    )
    _print_report(f"Seeded from {directory}", report)


@app.command("export")
def export_(
    file_format: Annotated[
        ExportFormat | None, typer.Option("--format", help="json (default) or csv.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Export every question with its sources, forecasts, versions and resolutions."""
    from tracker import importing
    from tracker.io import transfer

    rt = Runtime()
    chosen = file_format
    if chosen is None and output is not None and output.suffix.lower() == ".csv":
        chosen = ExportFormat.CSV
    text = transfer.export_text(
        importing.export_records(rt.engine),
        file_format=(chosen or ExportFormat.JSON).value,
        tz=rt.settings.tz,
        now=rt.now,
    )
    if output is None:
        sys.stdout.write(text)
        return
    transfer.write_atomically(output, text)
    print(f"Exported to {output}.", file=sys.stderr)


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A JSON or CSV file written by `tracker export`.")
    ],
    file_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="json or csv (default: from the file name)."),
    ] = None,
) -> None:
    """Import questions; known keys are updated and gain the forecasts they lack, their
    resolutions and versions left as they are."""
    from tracker import importing

    rt = Runtime(create=True)
    report = importing.import_file(
        rt.engine,
        path=file,
        tz=rt.settings.tz,
        now=rt.now,
        file_format=file_format.value if file_format else None,
        policy=rt.policy,
        actor=rt.actor,
    )
    _print_report(f"Imported {file}", report)


def _print_report(title: str, report: ImportReport) -> None:
    say(
        f"{title}: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged."
    )
