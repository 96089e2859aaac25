"""Whether one sentence reports how one question ended, and how sure that reading is.

A sentence is evidence for a question when it names the same event, not a neighbour, and
reports it rather than forecasting it:

- Same subject: the claim's subject (the words before "will") must appear, and every name the
  claim's main clause gives beyond its subject (places, organisations, people; not those of a
  trailing aside or an "as <office>"). Another country, company or office is another subject;
  "India and the United States" needs both; a sentence whose subject is one of the claim's
  other names ("Beijing raised tariffs on American goods") has the roles swapped. A passive
  report may leave the doer out when it names no other one ("the runway has been approved"), as
  may a measure that "took effect"; an office may be named without its country ("Transport
  Secretary Heidi Alexander"), and a name by its initials ("the RBI").
  Numbers the claim names must be in the sentence too, or be on the right side of a "below" /
  "above" ("cut Bank Rate to 3.75%" for "below 4%").
- Same event: the claim's verb (or, for a claim with none, its other words), folded with news
  synonyms (withdraw / pull out / leave), and most of the claim's words (COVERAGE_FLOOR).
- Reported, not planned: walking back from the event's word inside its clause, a plan word
  ("will", "plans", "is expected", "agreed to", "ordered"), a condition ("if", "unless"), or an
  infinitive ("to withdraw") makes it no outcome; a question or a denial anywhere in the sentence
  does too. A report needs a past form: "withdrew", "has withdrawn", "completed its withdrawal".
- Whole, not partial: "began withdrawing", "some troops", "the first units", "is withdrawing"
  are steps, never a "yes" (when said near the claim's words); nor is a rate "left unchanged".
- In the window: a date the sentence gives (tracker.evidence.dates) must not end before the
  question opened; one after the deadline makes the report a "no" (it came too late).
- "No" needs the deadline to have passed, said in the text or by the publication date: a negated
  report ("has not withdrawn", "has yet to", "failed to", "the year ended without a
  ceasefire"), a state that continued ("still", "remained") published after the deadline,
  "missed the deadline", or the event called off or postponed (past the deadline, or published
  after it).

The score starts from how much of the claim the sentence names and is lowered for what the
reading had to assume: no date given, a "no" read from a continuing state, a complete claim
("all troops") reported without "all". Thresholds are in tracker.evidence.scan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from tracker.domain.claim_words import read_claim
from tracker.evidence import lexicon as lx
from tracker.evidence.dates import PastDate
from tracker.evidence.moods import mood, partial_near
from tracker.evidence.words import COUNTRIES, OFFICES, Claim, Token, spelled_amounts, tokens

COVERAGE_FLOOR = 0.6
_MEASURES = frozenset(["impos", "ban", "rais", "launch", "enact"])  # what is "now in force"
_DETAILS = 1.0  # the most a claim's detail words weigh together (claim_weights)
_UNNAMED_COVERAGE = 0.8  # of the claim beyond its subject, for a report that omits the subject
_LATE_REPORT = timedelta(days=3)  # an undated report this long after the deadline is less sure


@dataclass(frozen=True)
class Window:
    opened: date
    due: date


@dataclass(frozen=True)
class Sentence:
    text: str  # casefolded, phrases folded
    tokens: list[Token]
    words: frozenset[str]
    numbers: frozenset[str]
    dates: list[PastDate]
    published: date
    later_dates: list[date]  # days named ahead of publication ("postponed to June 2026")
    names: frozenset[str] = frozenset()  # words written capitalised (tracker.evidence.words)
    passive: frozenset[str] = frozenset()  # words after a form of "be": "was approved"
    referent: frozenset[str] = frozenset()  # the last sentence's words, for an "It" subject
    written: str = ""  # casefolded as written: "called off" before claim_words folds it to "not"
    headline: bool = False  # written in capitals: "US AND IRAN HOLD FIRST DIRECT TALKS"


@dataclass(frozen=True)
class Finding:
    outcome: str  # "yes" or "no"
    score: float
    occurred_on: date | None


def judge(sentence: Sentence, claim: Claim, window: Window) -> Finding | None:
    """The outcome the sentence reports for the claim, or None when it reports none."""
    sentence = _in_force(sentence, claim)
    coverage = _same_subject_and_things(sentence, claim)
    if coverage is None:
        return None
    if lx.DENIAL.search(sentence.text) or lx.QUESTION.search(sentence.text):
        return None
    positions = [i for i, token in enumerate(sentence.tokens) if token.word in claim.events]
    if claim.light and claim.events <= sentence.words:  # "the summit never took place"
        # its own light verb, in the event noun's clause: not the "shutdown" of another
        positions += [
            i
            for i, token in enumerate(sentence.tokens)
            if token.word in claim.light and any(_same_clause(sentence, i, p) for p in positions)
        ]
    if positions and _roles_swapped(sentence, positions[0], claim):
        return None
    moods = {mood(sentence.tokens, i, claim.events) for i in positions}
    if sentence.headline:  # a headline's present tense reports what happened
        moods = {"report" if held == "unclear" else held for held in moods}
    if lx.ACQUITTED.search(sentence.text) and claim.events & {"convict"}:
        return Finding("no", round(0.5 + 0.4 * coverage, 3), None)  # cleared of the charge
    # "missed their target for a deal" reports no deal; "signed the deal, after missing the
    # deadline" does (its date then says whether in time)
    done = any(
        sentence.tokens[i].past and sentence.tokens[i].word in claim.events for i in positions
    )
    missed = lx.DEADLINE_PASSED.search(sentence.text) and not done
    if not missed and ("report" in moods or _in_state(sentence, claim)):
        return _reported(sentence, claim, window, coverage, positions)
    return _not_happened(sentence, claim, window, coverage, moods)


def _same_clause(sentence: Sentence, one: int, other: int) -> bool:
    """No stop between them, and one comma at most ("the election, held on Sunday")."""
    between = sentence.tokens[min(one, other) + 1 : max(one, other)]
    marks = [token.plain for token in between if token.punct]
    return marks in ([], [","])


def _in_state(sentence: Sentence, claim: Claim) -> bool:
    """Whether the sentence says the claim's outcome is the state of things: "with the repo
    rate now at 5.5 per cent" (the claim's own amount, right after "now at"), "the 50% US
    tariff, now in force" (a measure the claim imposes, with every amount it names)."""
    for found in lx.NOW_AT.finditer(sentence.text):
        if claim.numbers & read_claim(spelled_amounts(found["amount"])).numbers:
            return True
    if not lx.NOW_IN_FORCE.search(sentence.text) or not claim.events & _MEASURES:
        return False
    return claim.numbers <= sentence.numbers


def _in_force(sentence: Sentence, claim: Claim) -> Sentence:
    """A measure that "took effect" ("Tariffs of 50% on Brazil took effect on Wednesday") says
    the claim's event happened, done by someone left unnamed, as a passive would: its marker
    (tracker.evidence.lexicon.PHRASES) stands for the claim's verb."""
    if lx.ENACTED not in sentence.words or not claim.events or lx.ENACTED in claim.events:
        return sentence
    event = min(claim.events)
    found = [
        Token(token.plain, event, token.past) if token.word == lx.ENACTED else token
        for token in sentence.tokens
    ]
    return replace(
        sentence,
        tokens=found,
        words=sentence.words | {event},
        passive=sentence.passive | {event},
    )


def _same_subject_and_things(sentence: Sentence, claim: Claim) -> float | None:
    """How much of the claim's core the sentence names (0..1), or None when a subject, a name
    or a number of the claim is missing."""
    compared = _compared(claim, sentence.numbers)
    if compared is None:
        return None
    words = sentence.words | compared
    if claim.short & words:  # "the RBI" for "the Reserve Bank of India"
        words |= claim.subject
    if sentence.referent and not claim.subject & words and _same_subject(claim, sentence.referent):
        words |= claim.subject & sentence.referent  # "It pulled out": the last sentence's subject
    if not (
        _same_subject(claim, words)
        or _unnamed_agent(sentence, claim, words)
        or _office_named(claim, words)
    ):
        return None
    if not (claim.names - claim.subject) <= words:
        return None
    coverage = claim_coverage(claim, words)
    return coverage if coverage >= COVERAGE_FLOOR else None


def _same_subject(claim: Claim, words: frozenset[str]) -> bool:
    if claim.subject and not claim.subject & words:
        return False
    countries = claim.subject & COUNTRIES
    if countries and not countries & words and (words & COUNTRIES) - claim.words:
        return False  # "Nurses in Wales" for "Nurses in Scotland"
    subject_names = claim.subject if claim.parties else claim.names & claim.subject
    subject_names -= lx.INSTITUTIONS
    needed = len(subject_names) if claim.parties else max(1, len(subject_names) // 2)
    return not subject_names or len(subject_names & words) >= needed


def _office_named(claim: Claim, words: frozenset[str]) -> bool:
    """An office named without its country ("Transport Secretary Heidi Alexander approved" for
    "the UK transport secretary"), as home news writes it: the rest of the subject in full, and
    no other country named."""
    countries = claim.subject & COUNTRIES
    office = claim.subject - countries
    return (
        bool(countries and office & OFFICES)
        and office <= words
        and not (words & COUNTRIES) - claim.words
    )


def _unnamed_agent(sentence: Sentence, claim: Claim, words: frozenset[str]) -> bool:
    """A passive report that leaves the doer out ("Gatwick's second runway has been approved"):
    it counts when it names the event, every other name of the claim and nearly all its words,
    and no other name at all that could be the doer."""
    if not claim.events & sentence.passive or sentence.names - claim.words - lx.NOBODY:
        return False
    rest = claim.core - claim.subject
    if len(rest) < 2 or not claim.events <= words or not (claim.names - claim.subject) <= words:
        return False
    weights = {word: 1.0 if word in claim.events or word in claim.names else 0.5 for word in rest}
    named = sum(w for word, w in weights.items() if word in words) / sum(weights.values())
    return named >= _UNNAMED_COVERAGE


def _compared(claim: Claim, numbers: frozenset[str]) -> frozenset[str] | None:
    """The claim's numbers as the sentence meets them: each named, or, for a claim of "below
    4%" or "above 100%", a number of the same kind on the right side ("cut to 3.75%"). The
    comparison words come back as named; None when a number is not met."""
    missing = claim.numbers - numbers
    if not missing:
        return frozenset()
    direction = claim.words & {"below", "abov"}
    if len(direction) != 1:
        return None
    below = "below" in direction
    for wanted in missing:
        if not any(_beyond(found, wanted, below=below) for found in numbers):
            return None
    return frozenset(direction)


def _beyond(found: str, wanted: str, *, below: bool) -> bool:
    if found.endswith("%") != wanted.endswith("%"):
        return False
    a, b = float(found.rstrip("%").replace(",", "")), float(wanted.rstrip("%").replace(",", ""))
    return a < b if below else a > b


def claim_weights(claim: Claim) -> dict[str, float]:
    """The weight of each of the claim's words beyond its subject: its event and names whole,
    its details ("snap", "federal", "prevention") half each, and together at most _DETAILS: a
    claim rich in detail ("in his federal criminal case") is still met by its subject and event
    when the report words the detail its own way."""
    rest = claim.core - claim.subject
    details = [word for word in rest if word not in claim.events and word not in claim.names]
    detail = min(0.5, _DETAILS / len(details)) if details else 0.0
    return {word: detail if word in details else 1.0 for word in rest}


def claim_coverage(claim: Claim, words: frozenset[str]) -> float:
    """The share of the claim the words name, weighted: its subject counts once however many
    words it has ("French President Emmanuel Macron" is named by "Macron"), its event and its
    names count whole, its other words ("snap", "federal", "prevention") half."""
    weights = claim_weights(claim)
    total = sum(weights.values()) + (1.0 if claim.subject else 0.0)
    named = sum(w for word, w in weights.items() if word in words)
    named += 1.0 if claim.subject & words else 0.0
    return named / total if total else 0.0


def _roles_swapped(sentence: Sentence, at: int, claim: Claim) -> bool:
    """Whether the sentence's subject (its words before the event) is one of the claim's other
    names and not the claim's subject: "Beijing raised its tariffs on American goods" against
    "The US will raise tariffs on Chinese goods"; or, where the claim's subject is named only
    after the event, another name: "Airbus completed its purchase of Spirit's plants, carved
    out of Boeing's deal" against "Boeing will complete its acquisition of Spirit". In the
    passive ("Gatwick's runway was approved") the subject is what the event is done to, as in
    the claim's object."""
    tokens = sentence.tokens
    if claim.passive or (at > 0 and tokens[at - 1].plain in lx.BE_FORMS):
        return False
    if tokens[at].plain.startswith(lx.ENACTED):  # "Tariffs on Brazil took effect": no doer
        return False
    said = {token.word for token in tokens[:at] if token.word}
    if not claim.subject or claim.subject & said:
        return False
    if said & claim.names:
        return True
    if not claim.subject <= {token.word for token in tokens[at + 1 :] if token.word}:
        return False
    # Another name as the doer: a verb between it and the event ("Airbus completed its
    # purchase"), not a word of the event's own noun phrase ("Direct nuclear talks").
    other = said & sentence.names - claim.names - lx.NOBODY
    doer = max((i for i in range(at) if tokens[i].word in other), default=None)
    return doer is not None and any(token.past for token in tokens[doer + 1 : at + 1])


def _reported(
    sentence: Sentence, claim: Claim, window: Window, coverage: float, positions: list[int]
) -> Finding | None:
    if lx.UNCHANGED.search(sentence.text):
        return None
    things = claim.core - claim.subject
    if _partial(sentence, claim, [i for i, t in enumerate(sentence.tokens) if t.word in things]):
        return None
    score = 0.55 + 0.45 * coverage
    if claim.complete and not _says_complete(sentence):
        score *= 0.9
    when = _nearest(sentence.dates, positions)
    if when is not None:
        if when.last < window.opened:
            return None  # before the question's window: not this question's event
        if when.first > window.due:
            return Finding("no", round(score * 0.85, 3), None)  # it came after the deadline
        return Finding("yes", round(score, 3), when.day)
    if sentence.published < window.opened:
        return None
    late = sentence.published > window.due + _LATE_REPORT
    return Finding("yes", round(score * (0.8 if late else 0.92), 3), None)


def _partial(sentence: Sentence, claim: Claim, positions: list[int]) -> bool:
    """Whether a partial step ("began withdrawing", "some troops", "the first units") is said
    of the event: near one of its words, not elsewhere in the sentence ("..., and construction
    will begin within a year"). Read in the whole sentence, so that a window's edge does not
    cut "part of a package" to "part of"."""
    found = partial_near(sentence.tokens, positions)
    if found is None or found in claim.plain:
        return False
    if found.split()[0] in lx.STARTED and claim.light - {"complet"}:
        return False  # "began a strike" is going on strike; "began its acquisition" is a step
    # A claim about the start of something ("construction will begin") is met by its start.
    marker = tokens(found)[0].word
    return marker is None or marker not in claim.words


def _says_complete(sentence: Sentence) -> bool:
    return bool(sentence.words & lx.COMPLETENESS)


def _nearest(dates: list[PastDate], positions: list[int]) -> PastDate | None:
    """The date nearest the event's words; dates are in characters and positions in tokens,
    so compare by order only: the first date, which in news prose is the event's."""
    return dates[0] if dates else None


def _thing_moods(sentence: Sentence, claim: Claim) -> set[str]:
    """How the sentence holds the claim's things, beyond its subject: "The year ended without
    a ceasefire between Russia and Ukraine" negates the ceasefire itself."""
    things = claim.core - claim.subject - claim.names
    return {
        mood(sentence.tokens, i, claim.events)
        for i, token in enumerate(sentence.tokens)
        if token.word in things
    }


def _not_happened(
    sentence: Sentence, claim: Claim, window: Window, coverage: float, moods: set[str]
) -> Finding | None:
    """A "no": the deadline passed without the event, or it became impossible before it."""
    text, after_due = sentence.text, sentence.published > window.due
    things = claim.core - claim.events
    object_coverage = len(things & sentence.words) / len(things) if things else coverage
    if lx.CALLED_OFF.search(sentence.written or text) and (moods or object_coverage == 1.0):
        return Finding("no", round(0.5 + 0.4 * coverage, 3), None)
    if lx.POSTPONED.search(text) and (moods or object_coverage == 1.0):
        if after_due or any(day > window.due for day in sentence.later_dates):
            return Finding("no", round(0.5 + 0.4 * coverage, 3), None)
        return None
    passed = bool(lx.DEADLINE_PASSED.search(text))
    if not (after_due or passed):
        return None
    if "negated" in moods:
        return Finding("no", round(0.5 + 0.45 * coverage, 3), None)
    if object_coverage == 1.0 and "negated" in _thing_moods(sentence, claim):
        return Finding("no", round(0.5 + 0.4 * coverage, 3), None)  # "ended without a truce"
    if passed and (moods or object_coverage == 1.0):
        return Finding("no", round(0.5 + 0.4 * coverage, 3), None)
    if not moods - {"unclear", "ongoing"} and lx.CONTINUING.search(text) and object_coverage == 1.0:
        return Finding("no", round(0.45 + 0.4 * coverage, 3), None)
    return None
