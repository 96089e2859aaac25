"""How a sentence looks ahead, and how sure it sounds.

Forward cues are modal verbs, plans and schedules, and estimative words. The most specific cue
in a sentence sets its implied probability: an explicit number ("a 70% chance", the
forecaster's own) over an estimative word (likely, probably, almost certainly) over a modal
(may, might, could, should) over a plan or schedule (plans to, is set to, expected to) over a
bare will/would. Each maps to a band of ICD 203's estimative language and we take the middle
of the band. The mapping, where ICD 203 itself is silent:

- "may", "might", "could", "possibly", "perhaps", "potential": roughly even chance (45-55%),
  since they say only that it can happen.
- "hopes to", "seeks to", "wants to", "threatens to", "is considering", "proposed": roughly
  even chance: a wish, not an expectation.
- "plans to", "intends to", "aims to", "expected to", "expects", "pledged to", "is preparing
  to", "on track to", "should", "likely", "probably": likely (55-80%): plans slip.
- "is set to", "is scheduled to", "is due to", "is to", "is going to": very likely (80-95%): a
  fixed schedule.
- a bare "will" or "would" reported from a source: very likely (80-95%): said with confidence,
  but by someone else, and not a certainty.
- "almost certainly", "certain to", "definitely": almost certain (95-99%); "unlikely", "not
  expected to": unlikely (20-45%); "very unlikely", "slim chance": very unlikely (5-20%);
  "almost no chance", "remote chance": almost no chance (1-5%).
- "must", "demands", "calls for", "deadline", "postponed to": forward-looking, no probability.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from tracker.extract.folding import CaseBlind, lowered
from tracker.extract.odds import stated_probabilities


@dataclass(frozen=True)
class Band:
    """One band of ICD 203's estimative language, in percent."""

    name: str
    low: int
    high: int

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 200


ALMOST_NO_CHANCE = Band("almost no chance", 1, 5)
VERY_UNLIKELY = Band("very unlikely", 5, 20)
UNLIKELY = Band("unlikely", 20, 45)
EVEN_CHANCE = Band("roughly even chance", 45, 55)
LIKELY = Band("likely", 55, 80)
VERY_LIKELY = Band("very likely", 80, 95)
ALMOST_CERTAIN = Band("almost certain", 95, 99)


class Strength(enum.IntEnum):
    """How specific a cue is; the most specific one in a sentence sets its probability."""

    OBLIGATION = 0  # must, demand, deadline: forward-looking, no probability
    WILL = 1
    INTENT = 2  # plans, schedules, expectations
    MODAL = 3
    ESTIMATE = 4  # likely, probably, almost certainly
    EXPLICIT = 5  # "a 70% chance"


_NOT_HAVE = r"(?!\s+(?:not\s+)?(?:have|'ve)\b)"  # "could have", "would have": the past
_NOT_A_NOUN = r"(?!\s+(?:the|a|an|its|their|his|her|this|that|these|those|lack|high|low|heavy)\b)"
_CUES: list[tuple[str, Band | None, Strength]] = [
    (
        r"(?:almost|virtually)\s+no\s+chance|no\s+chance|almost\s+certainly\s+(?:not|won't)"
        r"|virtually\s+impossible|(?:a\s+)?remote\s+(?:chance|possibility|prospect)",
        ALMOST_NO_CHANCE,
        Strength.ESTIMATE,
    ),
    (
        r"(?:very|highly|extremely)\s+(?:unlikely|improbable)"
        r"|(?:slim|small|little)\s+(?:chance|odds|prospects?)|long\s+shot",
        VERY_UNLIKELY,
        Strength.ESTIMATE,
    ),
    (
        r"unlikely|improbable|doubtful|probably\s+(?:not|won't)|not\s+(?:very\s+)?likely"
        r"|not\s+(?:be\s+)?expected|no\s+longer\s+expected",
        UNLIKELY,
        Strength.ESTIMATE,
    ),
    (
        r"(?:an?\s+)?even\s+(?:chance|odds)|50-50|fifty-fifty|toss-up|coin\s+(?:flip|toss)"
        r"|possibly|perhaps|maybe|possible|potential(?:ly)?|conceivabl[ey]",
        EVEN_CHANCE,
        Strength.ESTIMATE,
    ),
    (
        r"almost\s+certain(?:ly)?|virtually\s+certain(?:ly)?|nearly\s+certain(?:ly)?"
        r"|all\s+but\s+certain|(?:is|are|seems?|looks?)\s+certain|certain\s+to|certainly"
        r"|sure\s+to|bound\s+to|definitely|guaranteed\s+to|without\s+(?:a\s+)?doubt",
        ALMOST_CERTAIN,
        Strength.ESTIMATE,
    ),
    (
        r"(?:very|highly|most|quite)\s+(?:likely|probabl[ey])|almost\s+surely|odds-on",
        VERY_LIKELY,
        Strength.ESTIMATE,
    ),
    (r"likely|probabl[ey]", LIKELY, Strength.ESTIMATE),
    (rf"(?-i:may){_NOT_HAVE}|might{_NOT_HAVE}|could{_NOT_HAVE}", EVEN_CHANCE, Strength.MODAL),
    (rf"should{_NOT_HAVE}|ought\s+to", LIKELY, Strength.MODAL),
    (
        r"(?:is|are|was|were|'s|now|all|looks?|appears?|seems?)\s+set\s+(?:to|for)"
        r"|set\s+to\s+(?!zero\b)(?:be|become|begin|start|end|expire|take|rule|open|close|hold"
        r"|meet|vote|launch|rise|fall|grow|return|resume|remain|stay|leave|arrive|sign)"
        r"|scheduled\s+(?:to|for)|slated\s+(?:to|for)|timed\s+for|earmarked\s+for"
        r"|due\s+(?:out|back|for)|(?:has|have|had)\s+been\s+set\s+(?:to|for)"
        rf"|(?:is|are|was|were)\s+(?:now\s+)?due\s+(?:to{_NOT_A_NOUN}|in|on|by|for|at|next)"
        r"|(?:is|are|was|were)\s+to\s+(?!blame\b)(?:be\s+)?[a-z]+"
        r"|(?:is|are|was|were|'re|'s|am)\s+going\s+to",
        VERY_LIKELY,
        Strength.INTENT,
    ),
    (
        r"plans?\s+(?:to|for)|planning(?:\s+(?:to|for))?|planned|intends?\s+to"
        r"|intend(?:ed|ing)\s+to|intention\s+to|aims?\s+(?:to|for)|aiming\s+(?:to|for)"
        r"|expects?|expected(?:\s+to)?|expecting|anticipate[sd]?|forecasts?|projects?\s+(?:that|to)"
        r"|projected\s+to|predicts?|predicted\s+to|estimates?\s+that|targets?\s+(?:to|of|for)"
        r"|targeting|target\s+date"
        r"|goal\s+(?:is|of)|pledge[sd]?\s+to|vow(?:s|ed)?\s+to|promise[sd]?\s+to"
        r"|commit(?:s|ted)?\s+to|determined\s+to|prepar(?:es|ing|ed)\s+(?:to|for)"
        r"|ready\s+to|on\s+(?:track|course)\s+(?:to|for)|poised\s+to",
        LIKELY,
        Strength.INTENT,
    ),
    (
        r"hopes?\s+to|hoping\s+to|hopeful|seeks?\s+to|seeking\s+to|wants?\s+(?:[a-z-]+\s+){0,4}?to"
        r"|wish(?:es)?\s+to"
        r"|threaten(?:s|ed)?\s+to|(?:is|are|was|were)\s+(?:now\s+)?(?:considering|weighing"
        r"|mulling)|mulls"
        r"|in\s+talks\s+to",
        EVEN_CHANCE,
        Strength.INTENT,
    ),
    (
        rf"will|'ll|won't|shall|would{_NOT_HAVE}|wouldn't|going\s+to",
        VERY_LIKELY,
        Strength.WILL,
    ),
    (
        r"demand(?:s|ed|ing)?|call(?:s|ed|ing)?\s+for|urge[sd]?|urging|ordered|ultimatum"
        r"|deadline|must(?!\s+have\b)|needs?\s+to|ha(?:s|ve)\s+to|required\s+to|obliged\s+to"
        r"|ha(?:s|ve)\s+until|(?:given|gave|give|gives)\s+(?:\w+\s+){0,3}?until"
        r"|postponed|delayed|deferred|rescheduled|pushed\s+back|extended\s+(?:until|to|through)"
        r"|upcoming|forthcoming",
        None,
        Strength.OBLIGATION,
    ),
]
_COMPILED = [(CaseBlind.compile(rf"\b(?:{words})\b"), band, level) for words, band, level in _CUES]
# Words that look like cues but are not: "as expected" looks back, "political will" is a noun.
_NOT_CUES = re.compile(
    r"\b(?:as|than)\s+(?:expected|planned|forecast|predicted|anticipated|scheduled)\b"
    # an expectation that belonged to the past: "had expected to", "originally scheduled for"
    r"|\b(?:had(?:\s+been)?|originally|initially|previously)\s+(?:expected|planned|scheduled"
    r"|slated|hoped|intended|promised|pledged|aimed|due|set|forecast|predicted|projected"
    r"|estimated|anticipated)(?:\s+(?:to|for))?\b"
    r"|\b(?:the|political|free|good|popular|public|his|her|their)\s+will\b",
    re.IGNORECASE,
)
_CHANCE_BEFORE = re.compile(
    r"\b(?:chances?|probability|likelihood|odds|risk|possibility|prospects?)\b", re.I
)


@dataclass(frozen=True)
class Cue:
    word: str  # as written
    start: int
    end: int
    band: Band | None
    strength: Strength


@dataclass(frozen=True)
class Estimate:
    probability: float | None
    basis: str | None


def find_cues(sentence: str) -> list[Cue]:
    """The forward-looking cues in a sentence, in order."""
    return list(_find_cues(sentence))


@functools.lru_cache(maxsize=256)  # a sentence is asked about by several readers in turn
def _find_cues(sentence: str) -> tuple[Cue, ...]:
    text = _NOT_CUES.sub(lambda m: " " * len(m.group()), sentence.replace("\u2019", "'"))
    low = lowered(text)
    found: list[Cue] = []
    for pattern, band, strength in _COMPILED:
        for match in pattern.finditer(text, low):
            if not any(c.start <= match.start() < c.end for c in found):
                words = " ".join(sentence[match.start() : match.end()].split())
                found.append(Cue(words, match.start(), match.end(), band, strength))
    previous_end = 0
    for stated in stated_probabilities(sentence):
        # The whole phrase, so a date inside it ("the odds of a cut by May at 30%") is ahead.
        since = max(previous_end, stated.start - 160)
        chance = list(_CHANCE_BEFORE.finditer(text, since, stated.start))
        begin = chance[-1].start() if chance else stated.start
        found = [c for c in found if not begin <= c.start < stated.end]
        found.append(Cue(stated.words, begin, stated.end, None, Strength.EXPLICIT))
        previous_end = stated.end
    return tuple(sorted(found, key=lambda cue: cue.start))


def estimate(sentence: str, cues: list[Cue]) -> Estimate:
    """The probability a sentence states or implies, and where it comes from."""
    stated = _stated_probability(sentence)
    if stated is not None:
        return stated
    banded = [cue for cue in cues if cue.band is not None]
    if not banded:
        return Estimate(None, None)
    best = max(banded, key=lambda cue: (cue.strength, -cue.start))
    band = best.band
    assert band is not None
    return Estimate(
        band.midpoint,
        f"implied by '{best.word.lower()}' (ICD 203: {band.name} {band.low}-{band.high}%)",
    )


def _stated_probability(sentence: str) -> Estimate | None:
    stated = stated_probabilities(sentence)
    if not stated:
        return None
    first = stated[0]
    if first.ranged:
        return Estimate(first.probability, _own(first.words) + ", the middle of the range")
    return Estimate(first.probability, _own(first.words))


def _own(words: str) -> str:
    return f"stated in the text: '{' '.join(words.split())}' (the forecaster's own number)"
