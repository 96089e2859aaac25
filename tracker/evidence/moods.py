"""How a sentence holds a claim's event: walking back from the event's word in its clause
(tracker.evidence.judge's notes say what each mood means), and where a partial step is said."""

from __future__ import annotations

import bisect

from tracker.evidence import lexicon as lx
from tracker.evidence.words import Token

WINDOW = 7  # tokens walked back from the event's word
_PARTIAL_BEFORE, _PARTIAL_AFTER = 6, 6  # tokens around the event's word a partial step is in


def mood(tokens: list[Token], at: int, events: frozenset[str]) -> str:
    """How the sentence holds the event at `at`: "report", "plan", "negated", "condition",
    "ongoing" or "unclear" (see the module's notes)."""
    negated = past = False
    j = at
    for j in range(at - 1, max(-1, at - WINDOW - 1), -1):
        token = tokens[j]
        past = past or (token.past and token.word is not None)
        if token.punct or token.plain in lx.CLAUSE_ENDS or token.word in events:
            break  # another clause, or the event's own verb ("agreed a ceasefire deal")
        infinitive = j == at - 1 or (j == at - 2 and tokens[at - 1].plain in ("be", "have"))
        if token.plain == "to" and infinitive:  # "to withdraw"; "agreed to a ceasefire" is not
            before = tokens[j - 1].plain if j > 0 else ""
            if not any(t.plain in lx.ORDINALS for t in tokens[max(0, j - 4) : j]):
                return "negated" if before in lx.DENYING_VERBS else "plan"
        if token.plain in lx.PLAN:
            return "plan"
        if token.plain in lx.CONDITIONS:
            return "condition"
        if token.plain in lx.NEGATIONS or token.plain in lx.STOPPING:
            negated = True
    if tokens and tokens[0].plain in lx.CONDITIONS:
        return "condition"
    if negated:
        return "negated"
    return "report" if past or _past_before(tokens, j) else _tense(tokens, at)


def _past_before(tokens: list[Token], at: int) -> bool:
    """Whether the clause's verb, before an aside set off by commas, is past: "Canadians voted
    on Monday, 28 April, in a federal election"."""
    if at <= 0 or not tokens[at].punct:
        return False
    for token in reversed(tokens[max(0, at - 2 * WINDOW) : at]):
        if token.plain in lx.CLAUSE_ENDS or token.plain in lx.PLAN:
            return False
        if token.past and token.word is not None:
            return True
    return False


def _tense(tokens: list[Token], at: int) -> str:
    event = tokens[at]
    before = tokens[max(0, at - 4) : at]
    after = _clause_after(tokens, at)
    took_place = any(t.plain in lx.TOOK_PLACE for t in [*before, *after])
    if event.plain.endswith("ing") and before and before[-1].plain in ("is", "are", "was", "were"):
        return "report" if took_place else "ongoing"
    if event.past or took_place:
        return "report"
    if before and before[-1].plain in lx.PAST_AUXILIARIES:
        return "report"
    return "unclear"


def _clause_after(tokens: list[Token], at: int) -> list[Token]:
    """The words after the event's in its clause, up to WINDOW: where a nominalised event's
    verb is ("The withdrawal of Russian forces from Syria was completed")."""
    found: list[Token] = []
    for token in tokens[at + 1 : at + 1 + WINDOW]:
        if token.punct or token.plain in lx.CLAUSE_ENDS:
            break
        found.append(token)
    return found


def partial_near(found: list[Token], positions: list[int]) -> str | None:
    """The partial step said near one of the event's words, read in the whole sentence so
    that a window's edge does not cut "part of a package" to "part of"."""
    starts, length = [], 0
    for token in found:
        starts.append(length)
        length += len(token.plain) + 1
    text = " ".join(token.plain for token in found)
    for match in lx.PARTIAL.finditer(text):
        at = bisect.bisect_right(starts, match.start()) - 1
        if any(p - _PARTIAL_BEFORE <= at < p + _PARTIAL_AFTER for p in positions):
            return match[0]
    return None
