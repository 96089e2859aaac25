"""The extract command: propose the forecasts in an article, and store them with --add."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.app import Runtime, app, console, print_json, say
from tracker.cli.terminal import cell
from tracker.errors import InvalidInput

if TYPE_CHECKING:
    import datetime as dt

    from tracker.extract import Candidate
    from tracker.importing import ImportReport
    from tracker.io.webpage import Article


FileArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE",
        help="The article: a plain-text file, an HTML page saved as .html, or the page's "
        "http(s) URL (fetched); - reads plain text from stdin.",
    ),
]
PublishedOption = Annotated[
    str | None,
    typer.Option(
        "--published",
        help="The day the article was published (YYYY-MM-DD); 'next week' or 'by March' "
        "count from it. Default: the date the web page gives; plain text needs it.",
    ),
]


ProposeOption = Annotated[
    bool,
    typer.Option(
        "--propose",
        help="Keep the ones with a deadline as proposals for a person to accept or reject "
        "(tracker proposals); an article read before proposes nothing again.",
    ),
]


@app.command()
def extract(
    file: FileArgument,
    published: PublishedOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    add: Annotated[
        bool,
        typer.Option(
            "--add",
            help="Store the ones with a deadline, tagged 'extracted' (and 'implied-probability' "
            "where a hedge word gave the number); running it again changes nothing.",
        ),
    ] = False,
    propose: ProposeOption = False,
    forecaster: Annotated[
        str | None, typer.Option(help="Who made the forecasts, where a sentence names no one.")
    ] = None,
    source_url: Annotated[
        str | None,
        typer.Option(help="The article's URL (default: a web page's own, canonical URL)."),
    ] = None,
    source_title: Annotated[
        str | None, typer.Option(help="The article's title (default: its headline).")
    ] = None,
    include_undated: Annotated[
        bool,
        typer.Option(
            "--include-undated",
            help="Also list forward-looking sentences without a date (never stored).",
        ),
    ] = False,
    include_conditional: Annotated[
        bool, typer.Option("--include-conditional", help=_CONDITIONAL)
    ] = False,
) -> None:
    """Propose the forecasts in an article: sentences that look ahead to a deadline.

    A web page's own date, headline and URL are the defaults of its options below."""
    from tracker.domain.inputs import clean_text, parse_url

    if add and propose:
        raise InvalidInput("--add stores the forecasts and --propose proposes them: give one")
    given_day = _published_day(published) if published is not None else None
    default_forecaster = clean_text(forecaster, "--forecaster")
    given_url = parse_url(source_url, "--source-url")
    rt = Runtime(create=add or propose)
    source = _read_source(file, rt, day=given_day, url=given_url, title=source_title)
    candidates = _candidates(
        source.text, rt, published=source.day, forecaster=default_forecaster,
        include_undated=include_undated, include_conditional=include_conditional,
    )  # fmt: skip
    _print_candidates(candidates, rt, source, as_json=as_json)
    if add:
        report = _store(candidates, rt, published=source.day, url=source.url, title=source.title)
        _say_added(report, candidates, file=source.where, as_json=as_json)
    if propose:
        _propose(candidates, rt, source, as_json=as_json)


_CONDITIONAL = (
    "Also list forecasts made on a condition ('if talks fail, ...'), marked conditional "
    "(stored with the tag 'conditional')."
)


def _print_candidates(
    candidates: Sequence[Candidate], rt: Runtime, source: _Source, *, as_json: bool
) -> None:
    if as_json:
        print_json([candidate.to_json() for candidate in candidates])
        return
    if source.page is not None:
        _print_page(source.page, published=source.day)
    _print_table(candidates, rt)


@dataclass(frozen=True)
class _Source:
    """The article read, and what its source is stored as: the options given, else what the
    page says about itself."""

    text: str
    where: str
    page: Article | None
    day: dt.date
    url: str | None
    title: str | None


def _read_source(
    file: str, rt: Runtime, *, day: dt.date | None, url: str | None, title: str | None
) -> _Source:
    from tracker.cli.article_input import read_article

    read = read_article(file, rt.settings)
    page = read.article
    day = day or _page_day(page, read.where)
    url = url or _page_url(page)
    given_title = title or (page.title if page else None)
    return _Source(
        text=read.text,
        where=read.where,
        page=page,
        day=day,
        url=url,
        title=_source_title(given_title, text=read.text, url=url, file=file, published=day),
    )


def _page_day(page: Article | None, where: str) -> dt.date:
    """The page's own date, when it gives one and it is a day deadlines may count from."""
    if page is None or page.published is None:
        said = "gives no date" if page is not None else "is plain text, with no date"
        raise InvalidInput(f"{where} {said}: pass --published YYYY-MM-DD, the day it was published")
    return _published_day(page.published.isoformat(), label=f"{where}: its date")


def _page_url(page: Article | None) -> str | None:
    from tracker.domain.inputs import parse_url

    if page is None or page.url is None:
        return None
    try:
        return parse_url(page.url, "the page's URL")
    except InvalidInput:
        return None  # a canonical link that is no URL we can store: store none


def _print_page(page: Article, *, published: dt.date) -> None:
    """The page's own account of itself, above the table: what was read, by whom, from where."""
    byline = ", ".join(
        part for part in (page.author, page.publisher, published.isoformat()) if part
    )
    say(page.title or "(no headline)")
    say(byline + (f" - {page.url}" if page.url else ""))
    say("")


def _source_title(
    given: str | None, *, text: str, url: str | None, file: str, published: dt.date
) -> str | None:
    """The title of the article's source: the one given, else the article's headline."""
    from tracker.domain.inputs import clean_text
    from tracker.extract import headline

    title = clean_text(given, "--source-title", limit=500) or headline(text)
    if title is None and url is None:
        # A source needs a URL or a title to be found again, or every --add would make a new one.
        title = Path(file).name if file != "-" else f"Untitled article published {published}"
    return title


def _candidates(
    text: str,
    rt: Runtime,
    *,
    published: dt.date,
    forecaster: str | None,
    include_undated: bool,
    include_conditional: bool = False,
) -> list[Candidate]:
    from tracker.extract import extract_candidates

    found = extract_candidates(
        text,
        published=published,
        tz=rt.settings.tz,
        forecaster=forecaster,
        include_undated=include_undated,
        include_conditional=include_conditional,
    )
    return [candidate for candidate in found if _storable(candidate)]


def _say_added(
    report: ImportReport, candidates: Sequence[Candidate], *, file: str, as_json: bool
) -> None:
    undated = sum(candidate.due is None for candidate in candidates)
    message = (
        f"Added from {file}: {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
        + (f" {undated} without a date not stored." if undated else "")
    )
    if as_json:  # stdout holds the JSON
        print(message, file=sys.stderr)
    else:
        say(message)


def _published_day(text: str, *, label: str = "--published") -> dt.date:
    from tracker.domain.deadlines import parse_day
    from tracker.domain.inputs import EARLIEST_DUE_YEAR, LATEST_DUE_YEAR

    try:
        day = parse_day(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc}") from None
    if not EARLIEST_DUE_YEAR <= day.year <= LATEST_DUE_YEAR:
        # Every deadline read from the article would fall outside the years a prediction
        # may be due in; a typo ("0224") is likelier than such an article.
        raise InvalidInput(
            f"{label}: {day.isoformat()} is not between the years {EARLIEST_DUE_YEAR} "
            f"and {LATEST_DUE_YEAR}"
        )
    return day


def _storable(candidate: Candidate) -> bool:
    """Whether the candidate's deadline falls in the years a prediction may be due in ("by
    the end of next year" in an article of 9000 does not): one that could never be stored is
    no candidate, rather than the reason a whole --add is refused."""
    from tracker.domain.inputs import EARLIEST_DUE_YEAR, LATEST_DUE_YEAR

    due = candidate.due
    return due is None or EARLIEST_DUE_YEAR <= due.due_at.year <= LATEST_DUE_YEAR


def _store(
    candidates: Sequence[Candidate],
    rt: Runtime,
    *,
    published: dt.date,
    url: str | None,
    title: str | None,
) -> ImportReport:
    """Store the dated candidates, the article as their source, in one transaction, tagged
    "extracted". Their keys come from claim, deadline and forecaster, so a second run finds
    them all unchanged."""
    from tracker import importing
    from tracker.io.records import prediction_from_mapping
    from tracker.news.articles import candidate_records

    source = {"url": url, "title": title, "published": published.isoformat()}
    records = candidate_records(candidates, source=source)
    items = [prediction_from_mapping(r, tz=rt.settings.tz, now=rt.now) for r in records]
    return importing.store_predictions(  # one transaction, as seed and import
        rt.engine,
        items=items,
        now=rt.now,
        policy=rt.policy,
        tz=rt.settings.tz,
        actor=rt.actor,
        source=url,
    )


def _propose(
    candidates: Sequence[Candidate], rt: Runtime, source: _Source, *, as_json: bool
) -> None:
    """The dated candidates as proposals, the article recorded as read, in one transaction."""
    from tracker.news.articles import ArticleText, candidate_records, propose_article

    page = source.page
    article = ArticleText(
        text=source.text, url=source.url, title=source.title, published=source.day,
        author=page.author if page else None, publisher=page.publisher if page else None,
    )  # fmt: skip
    records = candidate_records(candidates, source=article.source())
    proposed = propose_article(
        rt.engine, article=article, records=records, tz=rt.settings.tz, now=rt.now
    )
    if proposed.already_read:
        when = proposed.article.fetched_at.date().isoformat()
        message = f"{source.where} was read on {when}: nothing proposed again."
    else:
        ids = ", ".join(str(p.id) for p in proposed.proposals) or "none"
        message = (
            f"Proposed {len(proposed.proposals)} forecasts from {source.where} (ids {ids}); "
            "tracker proposals lists them."
        )
    if as_json:  # stdout holds the JSON
        print(message, file=sys.stderr)
    else:
        say(message)


def _print_table(candidates: Sequence[Candidate], rt: Runtime) -> None:
    from rich.table import Table

    from tracker.domain.deadline_labels import describe_due

    if not candidates:
        say("No forecasts with a deadline found (--include-undated lists those without one).")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", no_wrap=True)
    table.add_column("Due", max_width=18, overflow="fold")
    table.add_column("As written", max_width=18, overflow="fold")
    table.add_column("P", no_wrap=True)
    table.add_column("Forecaster", max_width=14, overflow="fold")
    table.add_column("Claim", ratio=1, overflow="fold")
    for number, candidate in enumerate(candidates, 1):
        due = candidate.due
        label = (
            describe_due(due.due_at, due.window_start, due.precision, rt.settings.tz)
            if due
            else "no date"
        )
        cells = [
            str(number),
            label,
            candidate.due_text or "",
            _percent(candidate),
            candidate.forecaster or "",
            candidate.claim,
        ]
        table.add_row(*map(cell, cells))
    console().print(table)


def _percent(candidate: Candidate) -> str:
    """ "70%" when the text states it, "~68%" when a hedge word implies it."""
    if candidate.probability is None:
        return ""
    stated = (candidate.probability_basis or "").startswith("stated")
    return f"{'' if stated else '~'}{candidate.probability:.0%}"
