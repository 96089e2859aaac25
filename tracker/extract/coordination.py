"""Several forecasts in one sentence: deadlines joined by "and", "but" or a comma.

"Fees rise to 3% on 1 July and to 5% in 2028" makes two forecasts; the second shares the
first's subject and verb ("Fees rise"). "The regulator wants comments by 4 March and will rule
on 30 April" shares the subject only. "The bank will cut in March and the government will
raise taxes in 2026" shares nothing. "Rates will rise in March, ahead of the June election"
makes one: the second date only places the first.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from tracker.extract.cues import Cue, find_cues
from tracker.extract.mentions import Connective, Mention

# Between two deadlines, a word that starts another forecast.
_JOIN = re.compile(
    r"(?:,\s*(?:and|but|while|whereas|then|with)\b|;|\band\s+then\b|\band\b|\bbut\b|\bwhile\b"
    r"|\bwhereas\b|,)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9%$\u20ac\u00a3][\w%.'\u2019-]*")
_FILLER = frozenset(["and", "but", "while", "whereas", "then", "with", "the", "a", "an", "also"])
_VERB_START = re.compile(
    r"\s*(?:(?:also|then|later|eventually|possibly|probably|likely)\s+)?(?:will|would|could"
    r"|may|might|should|shall|must|can|is|are|was|were|has|have|had|plans?|aims?|expects?"
    r"|intends?|hopes?|wants?|seeks?|needs?|[a-z]+s)\b",
)
_LIKELY_VERB = re.compile(r"\b(?:[a-z]+s|will|would|could|may|might|should|is|are|plans?)\b")
_OPENER = re.compile(r"[\s,;]*(?:(?:and|but|while|whereas|then|with)\b\s*)*", re.IGNORECASE)
_SUBORDINATE = re.compile(
    r"[a-z]+ing|which|who|when|where|as|after|before|ahead|until|once|so|because|since|after"
    r"|including|in|on|at|for|from|of|to|than|said|says|according|up|down|from|compared"
)
_HEAD_CUE = re.compile(r"(?:\bto|will|would|could|may|might|should|shall|'ll)$", re.I)
_NOT_VERBS = frozenset(
    [
        "the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those",
        "to", "in", "on", "at", "by", "for", "from", "of", "with", "into", "over", "under", "new",
        "first", "second", "third", "next", "last", "another", "more", "up", "down", "about",
        "around", "some", "all", "both", "each", "every", "no", "and", "or", "but", "then",
        "also", "before", "after", "until", "within", "during", "through", "between", "as", "than",
        "not", "only", "just", "other", "again", "once", "twice", "national", "central", "federal",
        "state", "public", "main"
    ]
)  # fmt: skip
_ORDINALS = r"first|second|third|fourth|fifth|last|final|other|latter|former|remaining|rest"
_ORDINAL_WORD = re.compile(rf"(?<=\bthe\s)(?:{_ORDINALS})\b", re.IGNORECASE)
_ORDINAL_ONLY = re.compile(rf"(?:the\s+)?(?P<ordinal>{_ORDINALS})\s+(?P<rest>.+)", re.IGNORECASE)
_DETERMINERS = frozenset(["the", "a", "an", "its", "their", "his", "her", "our", "this", "that"])


@dataclass(frozen=True)
class Part:
    """One forecast of a sentence: its deadline and the words that state it."""

    mention: Mention
    text: str  # the forecast as words of its own, subject and verb supplied


def split_forecasts(sentence: str, mentions: list[Mention]) -> list[Part]:
    """One part per coordinated deadline, in text order; a single best deadline otherwise.
    `mentions` are the sentence's accepted deadlines."""
    ordered = sorted(mentions, key=lambda m: m.start)
    groups: list[list[Mention]] = []
    joins: list[int] = []
    for mention in ordered:
        if groups and (join := _join_between(sentence, groups[-1][-1], mention)) is not None:
            joins.append(join)
            groups.append([mention])
        elif groups:
            groups[-1].append(mention)
        else:
            groups.append([mention])
    best = [_best(group) for group in groups]
    if len(best) == 1:
        return [Part(best[0], sentence)]
    bounds = [0, *joins, len(sentence)]
    first = sentence[: bounds[1]].strip(" ,;")
    parts = [Part(best[0], first)]
    for index, mention in enumerate(best[1:], start=1):
        raw = sentence[bounds[index] : bounds[index + 1]]
        opener = _OPENER.match(raw)
        assert opener is not None  # every part is optional
        segment = raw[opener.end() :].rstrip(" ,;")
        local = mention.start - bounds[index] - opener.end()
        parts.append(Part(mention, _supplied(first, best[0], segment, local)))
    return parts


def _best(group: list[Mention]) -> Mention:
    # A deadline word (by, until, within) over a window (in, on) over a bare date; "for
    # December" (what a decision is about) last; then the first.
    return max(group, key=lambda m: (_placing(m), m.rank, -m.start))


def _placing(mention: Mention) -> bool:
    """Whether the mention can date the forecast: "for December" says what a decision is about,
    "its 2040 target" names a target; either loses to another date."""
    text = mention.text.lower()
    return not (text.startswith("for ") or text.endswith(("target", "targets", "goal", "goals")))


def _join_between(sentence: str, previous: Mention, mention: Mention) -> int | None:
    """Where a second forecast starts between two deadlines, or None if the second only
    places the first ("in March, ahead of the June vote", "in May and June")."""
    if mention.connective is Connective.BEFORE and previous.connective is not Connective.BEFORE:
        return None
    between = sentence[previous.end : mention.start]
    join = _JOIN.search(between)
    if join is None:
        return None
    words = [w.lower() for w in _WORD.findall(between[join.start() :])]
    if words and _SUBORDINATE.fullmatch(words[0]):
        return None  # ", paving the way for elections in February": a consequence, not a forecast
    if not [w for w in words if w not in _FILLER]:
        return None  # "in May and June", "by March and by April": one forecast, one deadline
    return previous.end + join.start()


def _supplied(first: str, first_mention: Mention, segment: str, local: int) -> str:
    """The segment with the subject (and verb) it shares with the first segment."""
    cues = find_cues(segment)
    swapped = _swap_ordinal(first, first_mention, segment)
    if swapped is not None:
        return swapped
    opener = segment.split()[0] if segment.split() else ""
    if re.match(r"\S+\s+ones?\b", segment):  # "and definitive ones by October"
        return f"{_verb_head(first, with_verb=True)} {segment}"
    if opener.lower() not in _NOT_VERBS and _VERB_START.match(segment):
        return f"{_subject(first)} {segment}"
    if _has_own_clause(segment, cues, local):
        return segment
    if opener.islower() and opener.isalpha() and opener not in _NOT_VERBS:
        return f"{_verb_head(first)} {segment}"  # "and reach full capacity by mid-2026"
    head = _parallel_head(first, segment, first_mention)
    return f"{head} {segment}".strip()


def _swap_ordinal(first: str, first_mention: Mention, segment: str) -> str | None:
    """ "the first reactor will start in 2030 and the second in 2031": the first segment with
    "second" for "first" and the second deadline for the first."""
    ordinal = _ORDINAL_ONLY.fullmatch(segment)
    if ordinal is None:
        return None
    earlier = list(_ORDINAL_WORD.finditer(first, 0, max(first.find(first_mention.text), 0)))
    if not earlier:
        return None
    word = earlier[-1]
    swapped = first[: word.start()] + ordinal["ordinal"] + first[word.end() :]
    return swapped.replace(first_mention.text, ordinal["rest"], 1)


def _verb_head(first: str, *, with_verb: bool = False) -> str:
    """ "Production is scheduled to" of "Production is scheduled to start in 2025" (and with
    its verb, "Production is scheduled to start")."""
    heads = [c for c in find_cues(first) if c.start > 0 and _HEAD_CUE.search(c.word)]
    if heads:
        verb = re.match(r"\s+\S+", first[heads[0].end :]) if with_verb else None
        return first[: heads[0].end + (verb.end() if verb else 0)]
    return _subject(first)


def _has_own_clause(segment: str, cues: list[Cue], local: int) -> bool:
    """ "the government will raise taxes in 2026": a subject and a verb before the deadline."""
    verb = next((c for c in cues if c.start > 0), None)
    if verb is not None and verb.start < max(local, 0):
        return True
    match = _LIKELY_VERB.search(segment[: max(local, 0)])
    return match is not None and match.start() > 0 and _starts_with_noun(segment)


def _starts_with_noun(segment: str) -> bool:
    first = segment.split()[0].lower() if segment.split() else ""
    return first in _DETERMINERS or segment[:1].isupper()


def _subject(first: str) -> str:
    """The words before the first segment's verb: "The regulator" of "The regulator wants"."""
    cues = [c for c in find_cues(first) if c.start > 0]
    ends = [cues[0].start] if cues else []
    words = list(re.finditer(r"[\w'\u2019-]+", first))
    for previous, word in itertools.pairwise(words):
        text = word.group()
        before = previous.group().lower()
        if not text.islower() or before in _NOT_VERBS or text in _NOT_VERBS:
            continue
        # "The regulator wants", "Lawmakers return"; not "The launch window"
        if (text.endswith("s") and not text.endswith("ss")) or before.endswith("s"):
            ends.append(word.start())  # "Lawmakers return", "The regulator wants"
            break
    subject = first[: min(ends)] if ends else first.split()[0]
    return re.sub(r"\s+(?:is|are|was|were|has|have|had)\s*$", "", subject.strip(" ,"))


def _parallel_head(first: str, segment: str, first_mention: Mention) -> str:
    """What the segment shares with the first: "Fees rise" for "to 5% in 2028" after "Fees
    rise to 3% on 1 July"; the first segment up to its own first word in the same role."""
    opener = segment.split()[0].lower() if segment.split() else ""
    limit = first.find(first_mention.text)
    limit = limit if limit > 0 else len(first)
    if opener and not segment.lower().startswith(first_mention.text.split()[0].lower()):
        found = [m.start() for m in re.finditer(rf"\b{re.escape(opener)}\b", first[:limit], re.I)]
        if found and found[-1] > 0:
            return first[: found[-1]].strip(" ,")
    if opener == first_mention.text.split()[0].lower() or limit < len(first):
        return first[:limit].strip(" ,")
    return _subject(first)
