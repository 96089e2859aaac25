"""Commands for the schema: db upgrade, db current."""

from __future__ import annotations

import typer

from tracker.cli.app import Runtime, app, say

db_app = typer.Typer(help="Inspect and upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply any pending migrations (every command does this itself when it needs to)."""
    from tracker.persistence.db import current_revision, display_url, head_revision, upgrade_to_head

    rt = Runtime(migrate=False, create=True)
    before = current_revision(rt.engine)
    where = display_url(rt.engine.url)
    if upgrade_to_head(rt.engine, timezone=rt.settings.timezone):
        say(f"Upgraded {where} from {before or 'an empty database'} to {head_revision()}.")
    else:
        say(f"{where} is at the latest migration ({before}).")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration and whether it is the latest."""
    from tracker.persistence.db import current_revision, display_url, head_revision

    rt = Runtime(migrate=False)
    current = current_revision(rt.engine)
    head = head_revision()
    where = display_url(rt.engine.url)
    if current == head:
        say(f"{where}: {current} (latest)")
    else:
        say(f"{where}: {current or 'empty'} (latest is {head}; run `tracker db upgrade`)")
