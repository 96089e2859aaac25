"""Who makes a forecast, and the forecast as a plain statement.

The forecaster is whoever the sentence attributes it to: "According to X", "X said/suggests/
expects ...", "..., X said." or, failing those, whoever plans it ("Moscow plans to ..."). The
claim is the sentence without that attribution, opening clauses and hedges ("may demand" becomes
"will demand", "is set to rule" becomes "will rule"); the deadline phrase stays in it, so the
claim reads as something that can be checked.
"""

from __future__ import annotations

import re

_SPEECH = (
    r"(?:said|says|say|told|tells|warned|warns?|believes?|believed|think|thinks|thought"
    r"|suggests?|suggested|noted|notes?|claims?|claimed|reported|reports?|announced|announces?"
    r"|stated|states?|assessed|assess(?:es)?|argued|argues?|wrote|writes?|indicated|indicates?"
    r"|confirmed|confirms?|revealed|reveals?|insists?|insisted|added|adds|predicts?|predicted"
    r"|expects?|expected|forecasts?|forecast|estimates?|estimated|projects?|projected"
    r"|anticipates?|anticipated|concluded|concludes?|judges?|judged|see|sees)"
)
_EXPECTING = re.compile(
    r"predicts?|predicted|expects?|expected|forecasts?|forecast|estimates?|estimated|projects?"
    r"|projected|anticipates?|anticipated|see|sees"
)
_ADVERBS = (
    r"(?:(?:also|now|previously|reportedly|further|recently|separately|however|have|has|had)\s+)*"
)
_INTENT = (
    r"(?:plans?|intends?|aims?|vows?|vowed|pledges?|pledged|promises?|promised|hopes?|wants?"
    r"|seeks?|(?:is|are|has|have)\s+(?:now\s+|also\s+)?(?:planning|preparing|aiming|pledged"
    r"|promised|vowed))"
)
_SOURCE_NOUNS = frozenset(
    [
        "officials", "official", "analysts", "analyst", "experts", "expert", "sources", "source",
        "economists", "economist", "diplomats", "diplomat", "authorities", "government", "ministry",
        "intelligence", "military", "observers", "investors", "traders", "forecasters", "pollsters",
        "spokesperson", "spokesman", "spokeswoman", "minister", "president", "chief", "governor",
        "secretary", "commander", "leader", "researchers", "scientists", "agency", "bank", "report",
        "survey", "poll", "institute", "think-tank", "army", "police", "court", "company", "firm",
        "group", "council", "commission", "board", "committee", "union", "party", "office",
        "department", "general", "ambassador", "envoy", "mediators", "negotiators", "regulator"
    ]
)  # fmt: skip
_IT_FIRST = re.compile(r"it\s+(?=will|would|could|may|might|is|plans|expects|intends|aims)\b")
_HE_FIRST = re.compile(r"(?:he|she)\s+(?=will|would|could|may|might|is|plans|expects|intends)\b")
_ORGANISATIONS = frozenset(
    [
        "company", "bank", "government", "ministry", "agency", "court", "firm", "group", "council",
        "commission", "board", "regulator", "union", "party", "club", "airline", "carmaker",
        "retailer", "lender", "insurer", "operator", "utility", "league", "federation", "fund"
    ]
)  # fmt: skip
_NOT_NOUN_PHRASES = frozenset(
    [
        "he", "she", "they", "it", "we", "i", "you", "this", "that", "which", "who", "there",
        "these", "those", "what", "it's"
    ]
)  # fmt: skip
_PRONOUNS = frozenset(["he", "she", "they", "we", "i", "it"])  # a speaker, if not a forecaster
_CLAUSE_WORDS = frozenset(
    [
        "will", "would", "is", "are", "was", "were", "has", "have", "had", "may", "might", "could",
        "not", "to", "that", "which", "who", "aim", "aims", "plan", "plans", "hope", "hopes",
        "want", "wants", "seek", "seeks"
    ]
)  # fmt: skip
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<who>(?:[^,;:.]|\.(?=\w))+)", re.IGNORECASE)
_REPORT_OF = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:new|recent|latest|fresh|separate|leaked|internal|draft|annual)"
    r"\s+)*(?:report|assessment|statement|analysis|estimates?|study|survey|forecasts?|poll|data"
    r"|figures|projections|briefing|document|memo|note|analysts|sources|officials)\s+"
    r"(?:by|from|of|at|in)\s+",
    re.IGNORECASE,
)
_TRAILING_SOURCE = re.compile(r",?\s+(?:according\s+to|per(?!\s+cent))\s+[^,]+?([.!]?)$", re.I)
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&.-]{1,9})\)")
_WHEN_SAID = (
    r"(?:\s+(?:on|in|at|last|this|late|early)\s+[^,.\"\u201d]{1,30}?)?"  # "said on Tuesday"
)
_TRAILING_SAID = re.compile(
    r",\s*(?P<who>[^,\"\u201c\u201d]{2,60}?)\s+(?:said|says|added|adds|noted|notes|warned"
    r"|warns|wrote|writes|told\s+[\w.]+|predicted|predicts|forecast|forecasts|estimated"
    r"|estimates|projected|projects|expects|believes|thinks|reported|reports|argued|argues"
    rf"|concluded|concludes){_WHEN_SAID}\s*[.!]?"
    r"[\"\u201d]?\s*$|,\s*(?:said|says)\s+(?P<who2>[^,.]{2,60})[.!]?\s*$",
)
_SUBORDINATE_OPENING = re.compile(
    r"^(?:(?:however|meanwhile|moreover|furthermore|in addition|additionally|separately|still"
    r"|also|now|so|thus|therefore|as a result|in the meantime|at the same time|in turn)\s*,\s*"
    r"|(?:following|after|amid|despite|in the wake of|given|because of|further complicating"
    r"[^,]{0,40}|while|with)\b[^,]{1,120},\s*)",
    re.IGNORECASE,
)
_HEDGED_AUXILIARY = re.compile(
    r"\b(?:is|are|was|were|'s|'re)\s+(?:now\s+|also\s+|still\s+)?(?:not\s+)?(?:(?:very|highly"
    r"|most|more|less|quite)\s+)?(?:likely|unlikely|expected|set|scheduled|slated|due|poised"
    r"|going|projected|predicted|forecast|anticipated|on\s+track|on\s+course|certain|sure|bound"
    r"|planning|preparing|aiming|hoping|seeking|intending)\s+to\b",
    re.IGNORECASE,
)
_HEDGED_VERB = re.compile(
    r"(?<!'s\s)(?<!\u2019s\s)(?<!the\s)(?<!its\s)(?<!their\s)(?<!his\s)(?<!her\s)"
    r"\b(?:plans?|intends?|aims?"
    r"|hopes?|seeks?|wants?|vows?|vowed|pledges?|pledged|promises?|promised|threatens?"
    r"|threatened|expects?)\s+to\b"
)
_MODAL = re.compile(
    r"\b(?:may|might|could|should|would|shall)\b(?!\s+(?:not\s+)?have\b)(?:\s+(?:well|possibly"
    r"|probably|likely|eventually|soon|also|still|potentially))?"
)
_HEDGE_WORDS = (
    r"(?:(?:very|most|quite|highly)\s+)?(?:likely|probably|possibly|perhaps|almost\s+certainly"
    r"|certainly|definitely|potentially|eventually)"
)
_ADVERB_AFTER_WILL = re.compile(rf"\bwill\s+{_HEDGE_WORDS}\s+", re.IGNORECASE)
_ADVERB_BEFORE_WILL = re.compile(rf"\b{_HEDGE_WORDS}\s+will\b", re.IGNORECASE)
# "does not intend to cut jobs", "has no plans to list": the forecast is that it will not
_NEGATED_INTENT = re.compile(
    r"\b(?:(?:does|do|did)\s+not|doesn't|don't|didn't|doesn\u2019t|don\u2019t)\s+(?:currently\s+)?"
    r"(?:intend|plan|expect|aim|want|propose|mean)\s+to\b"
    r"|\b(?:has|have|had)\s+no\s+(?:current\s+)?(?:plans?|intention|intentions)\s+(?:to|of)\b",
    re.IGNORECASE,
)
_IT_IS_LIKELY = re.compile(
    r"\b(?:it\s+is|it's|it\s+was|^it)\s+(?:(?:very|highly|quite)\s+)?(?:likely|unlikely|possible|probable"
    r"|expected|almost\s+certain|certain)\s+that\s+"
    r"|\bthere\s+is\s+an?\s+[^,]{0,40}?\b(?:chance|probability|likelihood|risk|possibility)\s+"
    r"(?:that\s+)?",
    re.IGNORECASE,
)

_CLAUSE_SPEAKER = re.compile(rf"\s*(?P<who>.+?)\s+{_ADVERBS}{_SPEECH}\b")
_PLANNER = re.compile(rf"\s*(?P<who>[^,]+?)\s+{_INTENT}\b")
_SAID = re.compile(rf"\b{_SPEECH}\b")


def find_forecaster(sentence: str) -> str | None:
    """Who the sentence says makes the forecast, or None."""
    according = _ACCORDING.search(sentence)
    if according:
        who = _noun_phrase(_REPORT_OF.sub("", according["who"].strip()))
        if who:
            return who
    trailing = _TRAILING_SAID.search(sentence)
    if trailing and (who := _noun_phrase(trailing["who"] or trailing["who2"])):
        return who
    for clause in re.split(r"[,;:\"\u201c\u201d]", sentence):
        speaker = _CLAUSE_SPEAKER.match(clause)
        if speaker and (who := _noun_phrase(speaker["who"])):
            return who
    planner = _PLANNER.match(sentence)
    if planner and (who := _noun_phrase(planner["who"])):
        return who
    return None


def _noun_phrase(text: str) -> str | None:
    """The words as a name or a source ("the Syrian government", "ISW"), or None if they are
    not one (a pronoun, a clause, too many words)."""
    acronym = _ACRONYM.search(text)
    if acronym:
        return acronym.group(1)
    words = text.strip(" \"'\u201c\u201d").split()
    if not 1 <= len(words) <= 8 or words[0].lower() in _NOT_NOUN_PHRASES:
        return None
    lowered = [word.lower().strip(".,") for word in words]
    if any(word in _CLAUSE_WORDS for word in lowered):
        return None
    named = any(word[:1].isupper() for word in words if word.lower() not in ("the", "a", "an"))
    people = lowered[-1].endswith(("ers", "ists", "ians", "ants", "ents", "ors"))  # lawmakers
    if not named and not people and not any(word in _SOURCE_NOUNS for word in lowered):
        return None
    if len(words) == 2 and words[0].lower() == "the" and words[1].isupper():
        return words[1]  # "the GUR"
    if words[0] == "The":
        words[0] = "the"
    return " ".join(words)


def make_claim(sentence: str, due_text: str | None) -> str:
    """The sentence as a plain claim: no attribution, no opening clause, no hedges."""
    claim = _unquote(sentence.strip())
    claim = re.sub(r"^according\s+to\s+[^,]+,\s*", "", claim, flags=re.IGNORECASE)
    claim = re.sub(r"^citing\s+[^,]+,\s*", "", claim, flags=re.IGNORECASE)
    claim = _TRAILING_SOURCE.sub(r"\1", claim)
    claim = _TRAILING_SAID.sub("", claim)
    opening = _SUBORDINATE_OPENING.match(claim)
    if opening and (due_text is None or due_text in claim[opening.end() :]):
        claim = claim[opening.end() :]
    claim = _drop_speaker(claim)
    claim = _resolve_which(claim, due_text)
    claim = _IT_IS_LIKELY.sub("", claim)
    claim = _NEGATED_INTENT.sub("will not", claim)
    claim = _HEDGED_AUXILIARY.sub("will", claim)
    claim = _HEDGED_VERB.sub("will", claim)
    claim = _MODAL.sub("will", claim)
    claim = _ADVERB_AFTER_WILL.sub("will ", claim)
    claim = _ADVERB_BEFORE_WILL.sub("will", claim)
    return _tidy(claim)


_SUBJECT = re.compile(
    r"^(?:The\s+)?(?P<name>[A-Z][\w.&'\u2019-]*(?:\s+(?:(?:of|for|and|the|de)\s+)?[A-Z][\w.&'\u2019-]*){0,5})"
    r"\s+[a-z]+\b"
)


def sentence_subject(sentence: str) -> str | None:
    """The named subject a sentence opens with ("Volkswagen", "The Bank of England"), for a
    following "It will not ..." to stand for."""
    found = _SUBJECT.match(sentence.strip('"\u201c '))
    if found is None or found["name"].lower() in (*_NOT_NOUN_PHRASES, "the", "a", "an"):
        return None
    if found["name"].endswith(("'s", "\u2019s")):
        return None  # "The Bank of England's governor"
    return found.group().rsplit(None, 1)[0]


_PRONOUN_FIRST = re.compile(r"(It|He|She)\s+(?:will|would|could|may|might|is|plans|expects|aims)\b")


def with_subject(claim: str, subject: str | None) -> str:
    """ "It will not cut jobs" after a sentence about Volkswagen: "Volkswagen will not cut jobs"."""
    pronoun = _PRONOUN_FIRST.match(claim)
    if not subject or pronoun is None:
        return claim
    person = len([w for w in subject.split() if w[:1].isupper()]) >= 2 and " of " not in subject
    if (pronoun[1] == "It") == person:
        return claim  # "It" for a company, "She" for a person named in full
    return f"{subject}{claim[len(pronoun[1]) :]}"


def _unquote(sentence: str) -> str:
    """'"We will leave by March," the minister said.' -> 'We will leave by March'."""
    quoted = re.match(r"^[\"\u201c](?P<inner>.+?)[,.!]?[\"\u201d](?P<rest>.*)$", sentence)
    if quoted and _SAID.search(quoted["rest"]) and len(quoted["rest"].split()) <= 8:
        return quoted["inner"]
    return sentence.strip('"\u201c\u201d')


# "said in January that": when it was said goes with the saying; and
# "told reporters that", "told MPs on Tuesday that": whom it was told to, too.
_WHOM_AND_WHEN = (
    r"(?:(?:(?<=told\s)|(?<=tells\s))(?:[\w.'\u2019-]+\s+){1,3}?(?=(?:in|on|at|last|that)\b))?"
    r"(?:(?:in|on|at|last|this|earlier\s+this)\s+[\w.]+(?:\s+[\w.]+)?\s+(?=that\b))?"
)

_SPEAKER = re.compile(
    rf"(?P<who>[^,]{{1,80}}?)\s+{_ADVERBS}(?P<verb>{_SPEECH})\b\s*{_WHOM_AND_WHEN}"
    r"(?P<that>that\b)?\s*"
)


def _drop_speaker(claim: str) -> str:
    """ "Sources within Syria suggest that X" -> "X"; "Officials said troops will ..." too. An
    expectation without "that" stays ("The IMF expects growth of 3% in 2025")."""
    speaker = _SPEAKER.match(claim)
    pronoun = speaker is not None and speaker["who"].strip().lower() in _PRONOUNS
    if speaker is None or not (pronoun or _noun_phrase(speaker["who"])):
        return claim
    rest = claim[speaker.end() :]
    # "expects growth of 3%" is the claim itself; "predict the stock will hit" reports one.
    reports_a_clause = bool(re.search(r"\b(?:will|would|could|may|might|should|'ll)\b", rest))
    expecting = _EXPECTING.fullmatch(speaker["verb"]) or speaker["verb"] in ("told", "tells")
    if not speaker["that"] and expecting and not reports_a_clause:
        return claim
    if len(rest.split()) < 3:
        return claim
    it_first = _IT_FIRST.match(rest)
    who = speaker["who"].strip()
    if it_first and _is_an_organisation(who):  # "Pfizer said it will not raise prices"
        return who + " " + rest[it_first.end() :]
    named = 1 <= len(who.split()) <= 3 and all(w[:1].isupper() for w in who.split())
    he_first = _HE_FIRST.match(rest)
    if he_first and named:  # "Brinkema said she will rule"
        return who + " " + rest[he_first.end() :]
    return rest


def _is_an_organisation(who: str) -> bool:
    """ "Pfizer", "The company": what "it" after "X said" stands for; not "Officials", not
    "Andrew Bailey", not "the minister"."""
    words = who.strip().split()
    if len(words) == 1:
        word = words[0].lower()
        people = word in _SOURCE_NOUNS or word.endswith(("ers", "ists", "ians", "ants", "ents"))
        return words[0][:1].isupper() and word not in _NOT_NOUN_PHRASES and not people
    return len(words) == 2 and words[0].lower() == "the" and words[1].lower() in _ORGANISATIONS


def _resolve_which(claim: str, due_text: str | None) -> str:
    """A relative clause with the deadline stands for its antecedent: "..., the leader of Syria's
    interim government, which is set to rule until March 2025" -> "Syria's interim government is
    set to rule until March 2025". One without it is left out: "The strike, which began on
    Monday, is expected to last until Friday" -> "The strike is expected to last until Friday"."""
    relative = re.search(r",\s+(?:which|who)\s+(?P<clause>[^,]*)(?P<close>,\s*)?", claim)
    if relative is None or due_text is None:
        return claim
    if due_text not in relative["clause"]:
        if relative["close"] and due_text in claim[relative.end() :]:
            return f"{claim[: relative.start()]} {claim[relative.end() :]}"
        return claim
    before = claim[: relative.start()].split(",")[-1].strip()
    antecedent = re.split(r"\s+(?:of|as|with|for|from|to|in|on|at|by)\s+", before)[-1]
    if not 1 <= len(antecedent.split()) <= 6:
        return claim
    return f"{antecedent} {relative['clause']}"


def _tidy(claim: str) -> str:
    claim = " ".join(claim.split())
    claim = re.sub(r"\s+([,.;:!])", r"\1", claim).strip(" ,;:\"'\u201c\u201d")
    if not claim:
        return claim
    claim = claim[0].upper() + claim[1:]
    return claim if claim[-1] in ".!" else claim.rstrip(",;:") + "."
