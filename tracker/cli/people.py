"""Commands for people: users add/list/disable/enable, tokens create/list/revoke.

A new token is printed once, alone on the last line of the output, so that a script can take
`tail -n 1`; afterwards only its prefix is ever shown.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.terminal import cell, utf8
from tracker.enums import Scope

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from tracker.persistence.models import AppUser

users_app = typer.Typer(
    help="People who forecast, resolve or administer: add, list, disable, enable.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
tokens_app = typer.Typer(
    help="Bearer tokens for the API, each for one user with one scope: create, list, revoke.",
    no_args_is_help=True,
)
app.add_typer(tokens_app, name="tokens")

NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help="The user's name.", callback=utf8)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array.")]
SCOPES = ", ".join(scope.value for scope in Scope)


def local_time(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    """A stored instant as people read it: in TRACKER_TIMEZONE, to the minute, zone named."""
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def iso_values(view: dict[str, Any]) -> dict[str, Any]:
    """A service view with its times as ISO 8601 in UTC, for --json."""
    from tracker.io.records import iso

    return {k: iso(v) if isinstance(v, dt.datetime) else v for k, v in view.items()}


@users_app.command("add")
def users_add(
    name: NameArgument,
    email: Annotated[str | None, typer.Option(metavar="ADDR", help="Their email address.")] = None,
    slack_user_id: Annotated[
        str | None,
        typer.Option(
            metavar="ID",
            help="Their Slack member id (U024BE7LH): Slack button clicks are then theirs.",
        ),
    ] = None,
    forecaster: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="The forecaster name their forecasts carry (default: their user name).",
        ),
    ] = None,
) -> None:
    """Add a user (names are unique regardless of case)."""
    from tracker import people
    from tracker.domain import people as rules

    rt = Runtime(create=True)  # the database opens when first used: bad input creates nothing
    user = people.NewUser(
        name=rules.user_name(name),
        email=rules.email(email),
        slack_user_id=rules.slack_user_id(slack_user_id),
        forecaster=rules.user_name(forecaster, "--forecaster") if forecaster else None,
    )
    row = people.add_user(rt.engine, user=user, actor=rt.actor, now=rt.now)
    say(f"Added user {row.name}.")


@users_app.command("list")
def users_list(as_json: JsonOption = False) -> None:
    """List the users, by name, with their state (active or disabled)."""
    from tracker import people

    rt = Runtime()
    users = people.list_users(rt.engine)
    if as_json:
        print_json([iso_values(people.user_view(user)) for user in users])
        return
    if not users:
        say("No users. (`tracker users add NAME` adds one.)")
        return
    _print_users(users, rt.settings.tz)


def _print_users(users: Sequence[AppUser], tz: ZoneInfo) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for title in ("Name", "Email", "Slack", "Forecaster", "State", "Created"):
        table.add_column(title, overflow="fold", no_wrap=title == "Created")
    for user in users:
        state = "active" if user.disabled_at is None else "disabled"
        values = [user.name, user.email, user.slack_user_id, user.forecaster, state]
        table.add_row(*map(cell, [*(v or "" for v in values), local_time(user.created_at, tz)]))
    console().print(table)


@users_app.command("disable")
def users_disable(name: NameArgument) -> None:
    """Disable a user: their tokens stop working at once and --as refuses them."""
    _set_disabled(name, disabled=True)


@users_app.command("enable")
def users_enable(name: NameArgument) -> None:
    """Enable a disabled user again (their tokens that have not expired work again)."""
    _set_disabled(name, disabled=False)


def _set_disabled(name: str, *, disabled: bool) -> None:
    from tracker import people
    from tracker.domain import people as rules

    checked = rules.user_name(name)
    rt = Runtime()
    user = people.set_disabled(
        rt.engine, name=checked, disabled=disabled, actor=rt.actor, now=rt.now
    )
    say(f"{'Disabled' if disabled else 'Enabled'} user {user.name}.")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[
        str, typer.Option("--user", metavar="NAME", help="Whose token it is.", callback=utf8)
    ],
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            metavar="SCOPE",
            help=f"What it may do, each allowing the ones before it: {SCOPES}.",
        ),
    ],
    expires: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="When it stops working: a date (its start) or a time, read in "
            "TRACKER_TIMEZONE (default: never).",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="What it is for.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {token, prefix, user, scope, expires_at}.")
    ] = False,
) -> None:
    """Make a token for a user and print it, once: only its prefix is kept to show later."""
    from tracker import people
    from tracker.domain import people as rules
    from tracker.domain.inputs import clean_text

    rt = Runtime()  # the database opens when first used: what is typed is checked before
    chosen = rules.scope(scope)
    name = rules.user_name(user, "--user")
    text = clean_text(note, "--note", limit=200)
    until = rules.expires_at(expires, tz=rt.settings.tz, now=rt.now) if expires else None
    made = people.create_token(
        rt.engine, user_name=name, scope=chosen.value, expires_at=until, note=text,
        actor=rt.actor, now=rt.now,
    )  # fmt: skip
    if as_json:
        print_json(
            iso_values(
                {"token": made.token, "prefix": made.row.prefix, "user": made.user.name,
                 "scope": made.row.scope, "expires_at": made.row.expires_at}
            )
        )  # fmt: skip
        return
    ends = local_time(until, rt.settings.tz) if until else "never"
    say(f"Token {made.row.prefix} for {made.user.name}, scope {made.row.scope}, expires {ends}.")
    say("Copy it now: it will not be shown again.")
    sys.stdout.write(made.token + "\n")  # alone on the last line: `tail -n 1` takes it


@tokens_app.command("list")
def tokens_list(as_json: JsonOption = False) -> None:
    """List the tokens by prefix, with their user, scope, state and dates (never the token)."""
    from tracker import people

    rt = Runtime()
    views = people.list_tokens(rt.engine, now=rt.now)
    if as_json:
        print_json([iso_values(view) for view in views])
        return
    if not views:
        say("No tokens. (`tracker tokens create --user NAME --scope SCOPE` makes one.)")
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for title in ("Prefix", "User", "Scope", "State", "Created", "Expires", "Note"):
        table.add_column(title, overflow="fold", no_wrap=title in {"Prefix", "Created", "Expires"})
    tz = rt.settings.tz
    for view in views:
        values = [view["prefix"], view["user"], view["scope"], view["state"],
                  local_time(view["created_at"], tz), local_time(view["expires_at"], tz),
                  view["note"] or ""]  # fmt: skip
        table.add_row(*map(cell, values))
    console().print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    prefix: Annotated[
        str,
        typer.Argument(
            metavar="PREFIX",
            help="The token's prefix, as `tracker tokens list` shows it.",
            callback=utf8,
        ),
    ],
) -> None:
    """Revoke a token: it stops working at once, and stays listed as revoked."""
    from tracker import people

    rt = Runtime()
    view = people.revoke_token(rt.engine, prefix=prefix, actor=rt.actor, now=rt.now)
    say(f"Revoked token {view['prefix']} ({view['user']}, scope {view['scope']}).")


def _utf8_each(values: list[str] | None) -> list[str] | None:
    return [v for v in values if utf8(v) is not None] if values else values


TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", metavar="TAG", help="A tag to follow (repeatable).", callback=_utf8_each),
]
QuestionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--question",
        metavar="REF",
        help="A question's id or key (repeatable).",
        callback=_utf8_each,
    ),
]


@users_app.command("follow")
def users_follow(
    name: NameArgument, tag: TagOption = None, question: QuestionOption = None
) -> None:
    """Follow tags or questions: their reminders reach the user too (by email, once an email
    channel is configured for followers; see README, Routing)."""
    from tracker import follows
    from tracker.domain import people as rules

    rt = Runtime()
    added = follows.follow(
        rt.engine, name=rules.user_name(name), tags=tag or [], questions=question or [],
        actor=rt.actor, now=rt.now,
    )  # fmt: skip
    now_following = follows.list_follows(rt.engine, name=rules.user_name(name))
    say(f"{name} now follows: {', '.join(now_following)}" + ("" if added else " (no change)"))


@users_app.command("unfollow")
def users_unfollow(
    name: NameArgument, tag: TagOption = None, question: QuestionOption = None
) -> None:
    """Stop following tags or questions."""
    from tracker import follows
    from tracker.domain import people as rules

    rt = Runtime()
    follows.unfollow(
        rt.engine, name=rules.user_name(name), tags=tag or [], questions=question or [],
        actor=rt.actor, now=rt.now,
    )  # fmt: skip
    left = follows.list_follows(rt.engine, name=rules.user_name(name))
    say(f"{name} now follows: {', '.join(left) or 'nothing'}")
