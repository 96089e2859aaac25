"""Candidate predictions in an article: each forward-looking sentence with its deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.deadlines import DueWindow, Precision
from tracker.extract.calendar import in_calendar, to_window
from tracker.extract.claims import find_forecaster, make_claim, sentence_subject, with_subject
from tracker.extract.coordination import split_forecasts
from tracker.extract.cues import Cue, Estimate, estimate, find_cues
from tracker.extract.mentions import Mention, find_mentions
from tracker.extract.sentences import split_sentences
from tracker.extract.tense import (
    anchored_in_past,
    conditional,
    in_condition,
    names_an_occasion,
    narrates_past,
    reported_would,
    told_in_the_past,
)

JUST_PASSED_DAYS = 60
MAX_SENTENCE = 2000  # characters; a prediction's claim holds at most this many
PARALLEL_FROM = 4000  # sentences (about two seconds' reading): a pool of processes pays off


@dataclass(frozen=True)
class Candidate:
    """A proposed prediction. `due` is None for a forecast without a date (--include-undated)."""

    quote: str
    claim: str
    due: DueWindow | None
    due_text: str | None
    probability: float | None
    probability_basis: str | None
    forecaster: str | None
    conditional: bool = False  # made on a condition ("if talks fail, ..."): --include-conditional

    def to_json(self) -> dict[str, Any]:
        due = self.due
        return {
            "quote": self.quote,
            "claim": self.claim,
            "due_at": _iso(due.due_at) if due else None,
            "window_start": _iso(due.window_start) if due else None,
            "precision": due.precision.value if due else None,
            "due_text": self.due_text,
            "probability": self.probability,
            "probability_basis": self.probability_basis,
            "forecaster": self.forecaster,
            "conditional": self.conditional,
        }


@dataclass(frozen=True)
class Options:
    """How to read an article's sentences (see `extract_candidates`)."""

    published: date
    tz: ZoneInfo
    forecaster: str | None = None
    include_undated: bool = False
    include_conditional: bool = False


def extract_candidates(
    text: str,
    *,
    published: date,
    tz: ZoneInfo,
    forecaster: str | None = None,
    include_undated: bool = False,
    include_conditional: bool = False,
) -> list[Candidate]:
    """The forecasts in an article published on `published` (a day in `tz`), in text order;
    a sentence may hold several ("on 1 July and in 2028").

    `forecaster` is used where a sentence names none. A forecast made on a condition ("if",
    "unless", "should X") is left out unless `include_conditional`, which marks it. A long
    text is read on several cores at once (see `parallel`)."""
    options = Options(published, tz, forecaster, include_undated, include_conditional)
    sentences = split_sentences(text)
    if len(sentences) >= PARALLEL_FROM:
        from tracker.extract.parallel import in_parallel

        found = in_parallel(sentences, options)
    else:
        found = extract_sentences(sentences, options)
    return _first_of_each(found)


def extract_sentences(
    sentences: Sequence[str], options: Options, previous_subject: str | None = None
) -> list[Candidate]:
    """The candidates in consecutive sentences; `previous_subject` is `subject_before` them."""
    candidates: list[Candidate] = []
    subject = previous_subject  # the previous sentence's, for "It will not ..."
    for sentence in sentences:
        if len(sentence) > MAX_SENTENCE:
            continue  # text without full stops, not a sentence; and too long to store as a claim
        previous, subject = subject, sentence_subject(sentence)
        if conditional(sentence) and not options.include_conditional:
            continue
        for found in _candidates(sentence, options):
            candidates.append(replace(found, claim=with_subject(found.claim, previous)))
    return candidates


def subject_before(sentences: Sequence[str], index: int) -> str | None:
    """The subject an "It" in sentence `index` may stand for: the last read sentence's."""
    for sentence in reversed(sentences[:index]):
        if len(sentence) <= MAX_SENTENCE:
            return sentence_subject(sentence)
    return None


def _first_of_each(candidates: list[Candidate]) -> list[Candidate]:
    """A forecast said twice in the same words, with the same deadline, counts once."""
    seen: set[tuple[str, DueWindow | None, str]] = set()
    unique = []
    for candidate in candidates:
        key = (candidate.quote, candidate.due, candidate.claim)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def find_deadline(sentence: str, published: date) -> Mention | None:
    """The deadline a sentence sets as a forecast, or None (past event, no date, a question)."""
    accepted = _deadlines(sentence, published, find_cues(sentence))
    # A deadline word (by, until, within) over a window (in, on) over a bare date; then the first.
    return max(accepted, key=lambda m: (m.rank, -m.start)) if accepted else None


def _deadlines(sentence: str, published: date, cues: list[Cue]) -> list[Mention]:
    if "?" in sentence:
        return []  # a question forecasts nothing
    reported = told_in_the_past(sentence)
    mentions = find_mentions(sentence, published, ahead=bool(cues) and reported is None)
    if reported is not None:  # "promised in March that ... would": March dates the promise
        mentions = [m for m in mentions if m.start >= reported]
    elif cues and reported_would(sentence) is not None:
        mentions = _without_days_just_passed(sentence, published, mentions)
    elif cues:
        mentions = _without_days_just_passed(sentence, published, mentions, told_past=True)
    return [m for m in mentions if _is_forecast(sentence, m, cues, published)]


def _without_days_just_passed(
    sentence: str, published: date, mentions: list[Mention], *, told_past: bool = False
) -> list[Mention]:
    """ "told staff the review would end by 10 October", in a story of 15 October: a day of
    reported speech that passed weeks ago is that day, not next year's. With `told_past`,
    only where its clause is told in the past: "the Aug. 1 deadline passed", "a jury on Aug. 8
    ordered" (a cue word itself), in a story of 12 August."""
    if not any(_maybe_moved_a_year(mention, published) for mention in mentions):
        return mentions  # and reading the sentence again would cost as much as reading it
    nearest = {m.start: m for m in find_mentions(sentence, published, ahead=False)}
    kept = []
    for mention in mentions:
        near = nearest.get(mention.start)
        recent = near is not None and 0 < (published - near.last).days <= JUST_PASSED_DAYS
        passed = recent and near is not None and near.precision is Precision.DAY
        if passed and told_past:
            passed = near is not None and narrates_past(sentence, near)
        if not passed:
            kept.append(mention)
    return kept


def _maybe_moved_a_year(mention: Mention, published: date) -> bool:
    """Whether the mention could be a yearless day that had just passed, read as next year's."""
    ahead = (mention.last - published).days
    return mention.precision is Precision.DAY and 365 - JUST_PASSED_DAYS <= ahead <= 366


def _candidates(sentence: str, options: Options) -> list[Candidate]:
    cues = find_cues(sentence)
    accepted = _deadlines(sentence, options.published, cues)
    if not accepted and not (options.include_undated and cues and "?" not in sentence):
        return []
    forecaster = find_forecaster(sentence) or options.forecaster
    if not accepted:
        guess = estimate(sentence, cues)
        return [
            Candidate(
                quote=sentence,
                claim=make_claim(sentence, None),
                due=None,
                due_text=None,
                probability=guess.probability,
                probability_basis=guess.basis,
                forecaster=forecaster,
                conditional=conditional(sentence),
            )
        ]
    found = []
    for part in split_forecasts(sentence, accepted):
        mention = part.mention
        due = in_calendar(
            lambda: to_window(mention.first, mention.last, mention.precision, options.tz)  # noqa: B023
        )
        if due is None:
            continue  # the last day, read in tz, falls outside the calendar
        guess = _part_estimate(sentence, part.text, cues)
        found.append(
            Candidate(
                quote=sentence,
                claim=make_claim(part.text, mention.text),
                due=due,
                due_text=mention.text,
                probability=guess.probability,
                probability_basis=guess.basis,
                forecaster=forecaster,
                conditional=conditional(sentence),
            )
        )
    return found


def _part_estimate(sentence: str, text: str, cues: list[Cue]) -> Estimate:
    """A part's own probability ("a 30% chance of another cut in June"), else the sentence's."""
    if text != sentence:
        own = estimate(text, find_cues(text))
        if own.probability is not None:
            return own
    return estimate(sentence, cues)


def _is_forecast(sentence: str, mention: Mention, cues: list[Cue], published: date) -> bool:
    if mention.last < published:
        return False  # a deadline already passed at publication
    if anchored_in_past(sentence, mention, cues) or in_condition(sentence, mention):
        return False
    if names_an_occasion(sentence, mention):
        return False  # "celebrates her 60th birthday on 2 May": a date, not a deadline
    if cues:
        return True
    # No forward cue: a present-tense schedule ("The deal expires on March 3") counts when the
    # date lies ahead and its clause is not told in the past.
    ahead = mention.looks_ahead or (mention.first or mention.last) > published
    return ahead and not narrates_past(sentence, mention)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
