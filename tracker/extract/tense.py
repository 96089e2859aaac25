"""Past or future, by word lists rather than a parser.

A date can be the time of a past act even in a sentence that looks ahead: "signed in March",
"said on Monday", "On December 8, opposition forces entered Damascus". And a sentence with no
forward cue still makes a forecast when it schedules a future date in the present tense ("The
deal expires on March 3"), but not when it narrates ("In March, the ship sank").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

from tracker.extract.cues import Cue, Strength
from tracker.extract.mentions import Connective, Mention

_PAST_AUXILIARIES = frozenset(
    ["had", "was", "were", "did", "hadn't", "wasn't", "weren't", "didn't"]
)
# Before a participle these make it passive or perfect, not simple past ("will be completed").
_OTHER_AUXILIARIES = frozenset(
    [
        "be", "been", "being", "is", "are", "am", "has", "have", "will", "'ll", "to", "get", "gets",
        "would", "could", "may", "might", "should", "must", "shall", "can", "stay", "stays",
        "remain", "remains", "become", "becomes", "keep", "keeps", "seem", "seems"
    ]
)  # fmt: skip
_PREPOSITIONS = frozenset(
    ["of", "for", "with", "without", "among", "about", "against", "from", "into", "between", "to"]
)
_DETERMINERS = frozenset(
    [
        "the", "a", "an", "its", "their", "his", "her", "our", "my", "your", "this", "that",
        "these", "those", "some", "many", "most", "all", "no", "any", "each", "every", "several",
        "such", "newly"
    ]
)  # fmt: skip
_IRREGULAR_PAST = frozenset(
    [
        "went", "came", "took", "gave", "made", "got", "began", "became", "left", "held", "met",
        "saw", "won", "lost", "fell", "rose", "ran", "brought", "bought", "built", "caught",
        "chose", "drew", "drove", "fought", "found", "flew", "forgot", "grew", "heard", "hid",
        "kept", "knew", "laid", "led", "lent", "meant", "paid", "rode", "rang", "sent", "shot",
        "sang", "sat", "slept", "spoke", "spent", "stood", "stole", "struck", "swore", "swept",
        "swam", "taught", "tore", "thought", "threw", "understood", "woke", "wore", "sought",
        "sold", "shook", "broke", "froze", "arose", "overtook", "withdrew", "undertook", "sank",
        "fled", "struck", "slid", "sped", "agreed", "disagreed", "decreed", "freed"
    ]
)  # fmt: skip
# Verbs whose past tense is their present: past after a singular subject, before an object.
_SAME_IN_PAST = frozenset(
    ["cut", "hit", "put", "let", "shut", "quit", "cost", "spread", "hurt", "beat", "set"]
)
_ADVERBS = frozenset(
    ["also", "still", "not", "never", "then", "now", "again", "soon", "even", "already"]
)
# Before these, "cut" is a noun, an infinitive or shares an earlier auxiliary ("will close ...
# and cut jobs").
_NOT_A_SUBJECT = _DETERMINERS | frozenset(["i", "we", "you", "they", "to", "and", "or", "but"])
_LINKS = frozenset(
    ["", "in", "on", "of", "to", "by", "at", "for", "from", "with", "and", "or", "as"]
)
# The past tense of saying: the date next to it is when something was said.
_REPORTED = frozenset(
    [
        "said", "told", "announced", "reported", "stated", "noted", "added", "wrote", "claimed",
        "confirmed", "revealed", "warned", "declared", "explained", "argued", "suggested",
        "indicated", "insisted", "tweeted", "posted", "published", "released", "disclosed",
        "acknowledged", "admitted", "asserted", "emphasised", "emphasized", "stressed", "cited",
        "quoted", "remarked", "commented", "recalled", "unveiled"
    ]
)  # fmt: skip
# Participles that look ahead ("expected by March", "postponed until June").
_FORWARD_PARTICIPLES = frozenset(
    [
        "expected", "scheduled", "planned", "slated", "intended", "supposed", "proposed",
        "projected", "predicted", "anticipated", "aimed", "targeted", "timed", "earmarked",
        "designed", "poised", "prepared", "determined", "committed", "obliged", "required",
        "needed", "destined", "tipped", "pencilled", "penciled", "delayed", "postponed", "extended",
        "moved", "pushed", "rescheduled", "deferred", "called", "urged", "ordered", "demanded",
        "promised", "pledged", "vowed", "tasked", "mandated", "allowed", "permitted", "authorized",
        "authorised"
    ]
)  # fmt: skip
_ADJECTIVES_IN_ED = frozenset(
    [
        "armed", "united", "so-called", "based", "related", "concerned", "interested", "limited",
        "advanced", "detailed", "experienced", "skilled", "sophisticated", "alleged",
        "unprecedented", "renewed", "continued", "increased", "reduced", "heightened", "expanded",
        "improved", "combined", "coordinated", "sustained", "dedicated", "talented", "hundred",
        "sacred", "naked", "wicked", "rugged", "beloved", "aged", "blessed", "embattled",
        "besieged", "disputed", "contested", "occupied", "annexed", "isolated", "mixed", "fixed",
        "shared", "beleaguered", "liquefied", "listed", "licensed", "registered", "skilled"
    ]
)  # fmt: skip
_OPENING_WORDS = frozenset(
    ["in", "on", "at", "by", "during", "since", "after", "before", "until", "following", "from",
     "and", "but", "so", "yet", "then", "as", "over", "through", "throughout", "early", "late"]
)  # fmt: skip
_CONDITION = re.compile(
    r"\b(?:if|unless|whether|in\s+case|provided\s+that|as\s+long\s+as)\b", re.IGNORECASE
)
_CLAUSE_MARKS = ",;:\u2014"
_PLANNED_BEFORE = re.compile(
    r"\b(?:originally|initially|previously|first)\s+(?:planned|set|due|scheduled|slated|expected"
    r"|pencilled|penciled|promised|meant)\b|\b(?:was|were)\s+(?:originally\s+|initially\s+)?"
    r"(?:due|set|scheduled|slated|supposed|meant)\s+(?:to|for|on|in|by)\b"
    r"|\b(?:target|deadline|goal|date)\b[^,;]{0,40}?\b(?:was|were|has\s+been|had\s+been)\s+"
    r"(?:missed|passed|broken|abandoned|dropped|scrapped|postponed|pushed\s+back|delayed)",
    re.IGNORECASE,
)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)
# When the saying was: "said in July", "last month", "two weeks ago", "In January, ..."
_SAID_WHEN = re.compile(
    rf"\b(?:[Ll]ast\s+(?:week|month|year|spring|summer|autumn|fall|winter|{_MONTHS})"
    rf"|\w+\s+(?:weeks?|months?|years?)\s+ago|earlier\s+this\s+(?:year|month)"
    rf"|[Ii]n\s+(?:(?:early|mid-?|late)\s*)?(?:{_MONTHS}|(?:the\s+)?(?:spring|summer|autumn|fall"
    rf"|winter)|(?:19|20)[0-9]{{2}}))"
)
_OCCASION = re.compile(
    r"\b(?:birthday|anniversary|jubilee|centenary|centennial|bicentenary|founded|founding"
    r"|was\s+born|birth\s+of|turns\s+[0-9]+|name\s+day)\b",
    re.IGNORECASE,
)
_FUTURE_IN_PAST = re.compile(r"\b(?:would|wouldn't|was\s+going\s+to|were\s+going\s+to)\b", re.I)
_PRESENT_FUTURE = re.compile(r"\b(?:will|won't|'ll|is|are|says|say)\b", re.IGNORECASE)
_PROMISED = frozenset(
    [
        "pledged", "promised", "vowed", "predicted", "forecast", "projected", "estimated",
        "expected", "hoped", "planned", "signalled", "signaled", "insisted", "assured",
        "guaranteed", "agreed"
    ]
)  # fmt: skip
_DECIDES = re.compile(
    r"\b(?:will|would|could|may|might|should|(?:due|set|expected|scheduled|poised|likely|plans?"
    r"|going|aims?)\s+to)\s+(?:\w+\s+){0,2}?(?:decide|rule|determine|vote|choose|deliberate)"
    r"(?:\s+(?:on|about))?\s+$",
    re.IGNORECASE,
)
# A condition anywhere makes the forecast conditional: "If funding arrives, building could
# start in 2029", "Should inflation persist, rates will rise by May", "Were the talks to fail".
_CONDITIONAL = re.compile(
    # "if", "If", not "IF" (the union IF Metall)
    r"(?<!\bas\s)\b(?:(?-i:if|If)(?!\s+(?:any|not|at\s+all|anything|ever)\b)|unless|provided\s+that"
    r"|providing\s+that|in\s+case|in\s+the\s+event\s+(?:that|of)|as\s+long\s+as|so\s+long\s+as"
    r"|on\s+condition\s+that|on\s+the\s+condition\s+that|assuming\s+that|barring)\b"
    r"|(?:^|[,;:\u2014(]\s*)[\"\u201c]?(?:should|were|provided|providing)\s+(?!not\b|be\b|have\b)"
    r"(?:the\s+|a\s+|an\s+|its\s+|their\s+)?[A-Za-z][\w'-]*\b(?=[^,;]*,)",
    re.IGNORECASE,
)
# "unclear if", "ask whether", "must decide by the 15th whether": an open question, not a
# condition on a forecast
_OPEN_QUESTION = re.compile(
    r"\b(?:unclear|uncertain|unknown|asked|ask|asking|know|see|wonder|wondering|doubt|say"
    r"|said|decide|decides|deciding|determine)\s+(?:[^,;.]{1,40}?\s+)?(?:if|whether)\b",
    re.IGNORECASE,
)


class _Word(NamedTuple):  # a tuple: made for every word of every sentence, and cheap to make
    text: str
    start: int
    end: int


@functools.lru_cache(maxsize=256)  # each date in a sentence asks for its words again
def _sentence_words(sentence: str) -> tuple[_Word, ...]:  # a tuple: callers share it
    return tuple(_words(sentence))


def _words(text: str, offset: int = 0) -> list[_Word]:
    return [
        _Word(m.group().lower().replace("\u2019", "'"), m.start() + offset, m.end() + offset)
        for m in re.finditer(r"[A-Za-z][A-Za-z'\u2019-]*", text)
    ]


def _is_past_verb(words: Sequence[_Word], index: int, *, reported: bool) -> bool:
    word = words[index].text
    previous = words[index - 1].text if index else ""
    if word in _PAST_AUXILIARIES:
        return True
    if _after_auxiliary(words, index):
        return False  # "will be held", "has been released", "stay suspended", "will likely cut"
    if word in _REPORTED:
        return reported
    if word in _IRREGULAR_PAST:
        return True
    if word in _SAME_IN_PAST:  # "The Fed cut rates", not "a rate cut in March"
        following = words[index + 1].text if index + 1 < len(words) else ""
        return previous not in _NOT_A_SUBJECT and following not in _LINKS
    looks_regular = len(word) > 4 and word.endswith("ed") and not word.endswith("eed")
    if not looks_regular or "-" in word:  # "Russian-backed" is an adjective
        return False
    if word in _FORWARD_PARTICIPLES or word in _ADJECTIVES_IN_ED:
        return False
    # "the delayed vote", "lists of unvaccinated children": an adjective, not a verb.
    return previous not in _DETERMINERS and previous not in _PREPOSITIONS


def _after_auxiliary(words: Sequence[_Word], index: int) -> bool:
    """Whether an auxiliary or modal comes just before, adverbs aside ("will likely cut")."""
    for earlier in reversed(words[max(0, index - 3) : index]):
        if earlier.text in _OTHER_AUXILIARIES:
            return True
        if not (earlier.text.endswith("ly") or earlier.text in _ADVERBS):
            return False
    return False


def narrates_past(sentence: str, mention: Mention) -> bool:
    """Whether the clause holding the mention has a verb in the past tense. Reported speech
    aside ("Officials said the deal expires on March 3" still schedules the expiry), and other
    clauses aside ("The law, passed in March, takes effect in June")."""
    start = max(sentence.rfind(mark, 0, mention.start) for mark in _CLAUSE_MARKS) + 1
    ends = [found for mark in _CLAUSE_MARKS if (found := sentence.find(mark, mention.end)) >= 0]
    words = _words(sentence[start : min(ends, default=len(sentence))])
    return any(_is_past_verb(words, index, reported=False) for index in range(len(words)))


def anchored_in_past(sentence: str, mention: Mention, cues: list[Cue]) -> bool:
    """Whether the mention dates a past act rather than a deadline."""
    before = _verb_before(sentence, mention, cues)
    if before is not None:
        return before
    return _past_verb_after(sentence, mention, cues) or _opening_dates_past(sentence, mention, cues)


def _verb_before(sentence: str, mention: Mention, cues: list[Cue]) -> bool | None:
    """The nearest verb before the date, in its clause, decides: "will reopen by March" looks
    ahead; "signed in March", "told reporters on Tuesday", "cut rates on Wednesday" look back.
    None if there is none."""
    words = _sentence_words(sentence)
    clause_start = max(sentence.rfind(mark, 0, mention.start) for mark in _CLAUSE_MARKS)
    for index in reversed(range(len(words))):
        word = words[index]
        if word.end > mention.start:
            continue
        if word.start < clause_start:
            break
        if any(cue.start <= word.start < cue.end for cue in cues):
            return False
        if _is_past_verb(words, index, reported=True):
            # "will station a full armoured brigade by 2027": a forward verb earlier in the
            # clause governs the date; the -ed word is part of its object.
            since = [w.text for w in words if clause_start < w.start < word.start]
            relative = any(w in ("that", "which", "who", "when", "where") for w in since)
            strong = word.text in _PAST_AUXILIARIES or relative
            return strong or not _forward_before(cues, max(clause_start, 0), word.start)
    return None


def _past_verb_after(sentence: str, mention: Mention, cues: list[Cue]) -> bool:
    """ "China on Monday added 28 companies", "The court on Wednesday rejected the bid": a past
    verb right after the date, in its clause."""
    if mention.connective not in (Connective.IN, Connective.BARE):
        return False
    after = _words(sentence[mention.end : mention.end + 40], mention.end)[:2]
    for index, word in enumerate(after):
        if any(mark in sentence[mention.end : word.start] for mark in _CLAUSE_MARKS):
            return False
        if _cue_between(cues, word.start, word.end):
            return False
        if _is_past_verb(after, index, reported=True) and word.text not in _FORWARD_PARTICIPLES:
            return True
    return False


def _opening_dates_past(sentence: str, mention: Mention, cues: list[Cue]) -> bool:
    """ "On December 8, opposition forces entered Damascus", "In a speech on Monday, the
    president outlined ...": a date in an opening phrase dates the main clause that follows."""
    opening_ends = _opening_clause_end(sentence, mention, cues)
    if opening_ends is None:
        return False
    after = _words(sentence[opening_ends:], opening_ends)[:12]
    for index, word in enumerate(after):
        if _cue_between(cues, word.start, word.end):
            return False
        if _is_past_verb(after, index, reported=True):
            return True
    return False


def told_in_the_past(sentence: str) -> int | None:
    """Where the forecast starts in a sentence that reports what was said or planned before
    ("said in July that the bank would end its sales by August", "originally planned for Nov.
    8", "was due to reopen on Jan. 5"), or None. A yearless date in it is the one nearest
    publication, not next year's; a date before that point dates the saying."""
    planned = _PLANNED_BEFORE.search(sentence)
    if planned:
        return planned.start()
    would = reported_would(sentence)
    if would is None or not _SAID_WHEN.search(sentence[:would]):
        return None  # "Officials said the work would be finished by November": said lately
    return would


def reported_would(sentence: str) -> int | None:
    """Where "would" reports a past forecast ("The minister told staff the review would end
    by 10 October"), or None."""
    would = _FUTURE_IN_PAST.search(sentence)
    if would is None or _PRESENT_FUTURE.search(sentence):
        return None
    words = _words(sentence[: would.start()])
    said = any(
        words[index].text in _REPORTED or words[index].text in _PROMISED
        for index in range(len(words))
        if not _after_auxiliary(words, index)
    )
    return would.start() if said else None


def names_an_occasion(sentence: str, mention: Mention) -> bool:
    """Whether the mention's clause dates a birthday, an anniversary or a founding."""
    start = max(sentence.rfind(mark, 0, mention.start) for mark in _CLAUSE_MARKS) + 1
    ends = [found for mark in _CLAUSE_MARKS if (found := sentence.find(mark, mention.end)) >= 0]
    return _OCCASION.search(sentence[start : min(ends, default=len(sentence))]) is not None


@functools.lru_cache(maxsize=256)  # asked of a sentence, and again of each forecast in it
def conditional(sentence: str) -> bool:
    """Whether the sentence makes its forecast on a condition, in either clause."""
    text = _OPEN_QUESTION.sub(" ", sentence)
    return _CONDITIONAL.search(text) is not None


def in_condition(sentence: str, mention: Mention) -> bool:
    """Whether the mention sits in an if/unless/whether clause: a condition, not a forecast."""
    clause_start = max(sentence.rfind(mark, 0, mention.start) for mark in _CLAUSE_MARKS) + 1
    condition = _CONDITION.search(sentence[clause_start : mention.start])
    if condition is None:
        return False
    # "will decide whether to approve it by June", "is due to rule on whether ... by 2
    # February": the date is the decision's.
    before = sentence[: clause_start + condition.start()]
    return not (condition.group().lower() == "whether" and _DECIDES.search(before))


def _forward_before(cues: list[Cue], start: int, end: int) -> bool:
    return any(start <= cue.start < end and cue.strength >= Strength.WILL for cue in cues)


def _cue_between(cues: list[Cue], start: int, end: int) -> bool:
    return any(start <= cue.start < end for cue in cues)


def _opening_clause_end(sentence: str, mention: Mention, cues: list[Cue]) -> int | None:
    """Where the opening phrase that holds the mention ends (its comma), if it has no cue."""
    comma = sentence.find(",", mention.end)
    opening = sentence[:comma]
    if comma < 0 or any(mark in sentence[: mention.start] for mark in _CLAUSE_MARKS):
        return None
    if any(cue.start < comma for cue in cues) or len(opening.split()) > 12:
        return None
    lead = sentence[: mention.start].strip(" \"'\u201c\u2018(").lower()
    first_word = lead.split()[0] if lead else ""
    # A phrase, not a clause: it opens with the date or a preposition ("The deal expires on
    # March 3, officials said" has a verb of its own).
    return comma if not lead or first_word in _OPENING_WORDS else None
