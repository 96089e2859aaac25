"""The words tracker.evidence reads reports with: event synonyms, and the marks of a plan, a
condition, a denial, a partial step, a negation, a continuing state and a deadline passed.

Written as casefolded forms. Event families fold the ways news says one event ("left Syria",
"pulled out", "withdrew") onto the word tracker.domain.claim_words uses for it, applied to both
the question's claim and the report, after claim_words' own synonyms and stemming.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Irregular forms claim_words does not know (it stems only endings).
FORMS = {
    "withdrew": "withdraw", "withdrawn": "withdraw", "quit": "resign", "quits": "resign",
    "stood": "stand", "overtook": "overtake", "overtaken": "overtake", "forbade": "ban",
    "shut": "close", "shuts": "close", "sank": "fall", "sunk": "fall", "froze": "freeze",
    "frozen": "freeze", "struck": "strike", "swore": "sworn", "fled": "leave",
    "upheld": "uphold", "overturned": "overturn", "ran": "run", "flew": "fly", "flown": "fly",
    "grew": "grow", "grown": "grow", "became": "become", "drew": "draw", "wrote": "write",
    "hung": "hang", "sought": "seek", "spoke": "speak", "spoken": "speak", "stole": "steal",
}  # fmt: skip
# Stems (as claim_words makes them) -> the one word for the event.
FAMILIES = {
    "leav": "withdraw", "depart": "withdraw", "departur": "withdraw", "evacuat": "withdraw",
    "resignation": "resign", "elect": "win", "victory": "win", "re-elect": "win",
    "introduc": "launch", "debut": "launch", "pass": "approv",
    "approval": "approv", "ratifi": "approv", "ratify": "approv", "ratification": "approv",
    "adopt": "approv", "slash": "cut", "trim": "cut", "increas": "rais", "buy": "acquir",
    "purchas": "acquir", "appoint": "nam", "replac": "succeed", "acquisition": "acquir",
    "takeover": "acquir", "outlaw": "ban",
    "prohibit": "ban", "dismiss": "fire", "sack": "fire", "oust": "fire", "detain": "arrest",
    "invasion": "invad", "sal": "sell", "shutdown": "complet",
    "completion": "complet", "finish": "complet", "conclud": "complet",
    "inauguration": "inaugurat", "clos": "complet", "closur": "complet", "crown": "win",
    "washington": "us", "walkout": "strik", "top": "reach", "exceed": "reach",
    "surpass": "reach", "cross": "reach", "exc": "reach", "authoriz": "approv",
    "authoris": "approv", "greenlit": "approv", "greenlight": "approv", "remov": "lift",
    "abolish": "lift", "eliminat": "lift", "repeal": "lift", "rescind": "lift",
    "becom": "inaugurat", "seiz": "captur", "clinch": "win", "touchdown": "land", "fly": "launch",
}  # fmt: skip
# Peoples and adjectives of places claim_words does not fold ("Germans voted" names Germany).
DEMONYMS = {
    "german": "germany", "canadian": "canada", "romanian": "romania", "korean": "korea",
    "bolivian": "bolivia", "brazilian": "brazil", "scottish": "scotland", "scot": "scotland",
    "philippine": "philippines", "filipino": "philippines", "swiss": "switzerland",
    "thai": "thailand", "cambodian": "cambodia", "pakistani": "pakistan", "english": "england",
    "dutch": "netherlands", "greek": "greece", "argentine": "argentina", "argentinian":
    "argentina", "venezuelan": "venezuela", "nigerian": "nigeria", "egyptian": "egypt",
    "australian": "australia", "irish": "ireland", "welsh": "wales", "hungarian": "hungary",
    "czech": "czechia", "austrian": "austria", "belgian": "belgium", "swedish": "sweden",
    "swede": "sweden", "finnish": "finland", "finn": "finland", "danish": "denmark",
    "norwegian": "norway", "portuguese": "portugal", "colombian": "colombia", "chilean": "chile",
    "peruvian": "peru", "vietnamese": "vietnam", "indonesian": "indonesia", "taiwanese":
    "taiwan", "ethiopian": "ethiopia", "kenyan": "kenya", "south african": "south africa",
    "saudi": "saudi", "emirati": "uae", "qatari": "qatar", "iraqi": "iraq", "afghan":
    "afghanistan", "serbian": "serbia", "georgian": "georgia", "armenian": "armenia",
    # Capitals and seats of government news writes for their country: "Ottawa lifted".
    "ottawa": "canada", "damascus": "syria", "brussels": "eu", "tokyo": "japan",
    "berlin": "germany", "seoul": "korea", "pyongyang": "korea", "riyadh": "saudi",
    "canberra": "australia", "islamabad": "pakistan", "caracas": "venezuela", "taipei": "taiwan",
    "hanoi": "vietnam", "warsaw": "poland", "budapest": "hungary", "whitehall": "uk",
    "elysee": "france", "élysée": "france",
}  # fmt: skip
# Verbs that say little by themselves: "hold an election", "make a landing", "complete its
# acquisition"; the event is the noun after them.
LIGHT_VERBS = frozenset(["hold", "mak", "tak", "go", "hav", "get", "complet", "stag", "conduct"])
PREPOSITIONS = _words(
    """
    in on of for with to from by at between into over against
    """
)
_TROPHY = r"(?:[\w'-]+\s+){0,4}?(?:cup|trophy|title|championship|crown|pennant)\b"
# Phrases folded before words are read, beyond claim_words' own.
PHRASES = (
    (re.compile(r"\b(?:took|taken|taking|takes)\s+place\b"), "held"),
    (re.compile(r"\bwent\s+to\s+the\s+polls\b"), "voted"),
    (re.compile(r"\btouched\s+down\b"), "landed"),
    (re.compile(r"\b(?:touches|touching|touch)\s+down\b"), "land"),
    (re.compile(r"\b(?:lifted|lifts|blasted|blasts)\s+off\b"), "launched"),
    (re.compile(r"\bwalked\s+off\s+the\s+job\b"), "struck"),
    (re.compile(r"\bwhite\s+house\b"), "us"),
    (re.compile(r"\bdowning\s+street\b"), "uk"),
    # A trophy lifted is won ("lifted the World Cup"), not a restriction lifted.
    (re.compile(rf"\b(?:lifted|captured|retained|secured)\s+(the\s+{_TROPHY})"), r"won \1"),
    (re.compile(rf"\b(?:lifts|captures|retains|secures)\s+(the\s+{_TROPHY})"), r"wins \1"),
    (re.compile(r"\b(?:took|seized|gained)\s+control\s+of\b"), "captured"),
    (
        re.compile(
            r"\b(?:gave|given)\s+(?:[\w-]+\s+){0,3}?(?:the\s+)?green\s+light\s+(?:to|for)\b"
        ),
        "approved",
    ),
    (re.compile(r"\bsigned\s+off\s+on\b"), "approved"),
    (re.compile(r"\bwent\s+(?:live|on\s+sale)\b"), "launched"),
    (re.compile(r"\b(?:goes|go)\s+(?:live|on\s+sale)\b"), "launch"),
    (re.compile(r"\b(?:took|taken|assumed)\s+office\b"), "inaugurated"),
    (re.compile(r"\b(?:take|takes|taking|assume|assumes|assuming)\s+office\b"), "inaugurates"),
    (re.compile(r"\brolled\s+out\b"), "launched"),
    (re.compile(r"\broll(?:s|ing)?\s+out\b"), "launch"),
    # A measure that "took effect" or "came into force" was enacted by the claim's subject.
    (re.compile(r"\b(?:took|taken|came|went|entered)\s+(?:into\s+)?(?:effect|force)\b"), "enacted"),
    (
        re.compile(
            r"\b(?:take|takes|taking|come|comes|coming|go|goes|enter|enters)\s+(?:into\s+)?(?:effect|force)\b"
        ),
        "enacts",
    ),
    (re.compile(r"\bsign(?:ed|s)?\s+((?:[\w-]+\s+){0,4}?)into\s+law\b"), r"enacted \1"),
)
ENACTED = "enact"  # the word the phrases above make of "took effect", "signed into law"
# Capitalised words that name no one: days, months, titles.
CALENDAR = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december jan feb mar apr jun jul aug sep sept oct
    nov dec president prime minister chancellor ceo chief executive secretary minister spokesman
    spokeswoman spokesperson mr mrs ms dr
    """
)
# A claim word among these says how much, not what: "withdraw all forces", "a full pullout".
COMPLETENESS = frozenset(["all", "complet", "entir", "every", "last", "total", "final", "whol"])

# Before the event's word, in its clause: it has not happened, it is planned or hoped for.
PLAN = _words(
    """
    will would ll shall could may might should must can expected expects expect plans plan
    planned planning intends intend intended aims aim aimed set due scheduled slated poised
    vowed vows vow pledged pledges pledge promised promises promise threatened threatens
    going ready prepared preparing prepares agreed agree agrees decided decide considering
    consider considers proposed proposes propose wants want wanted hopes hope hoped seeks
    seek sought try tried trying tries attempt likely unlikely possible ordered order orders
    targets targeting eyes eyeing
    urged urges called calls asked asks demanded demands announce announces
    """
)
# "has yet to", "refused to" before an infinitive deny the event instead of planning it.
DENYING_VERBS = frozenset(["yet", "refused", "refuses", "declined", "declines", "not", "never"])
NEGATIONS = frozenset(["not", "never", "no", "without", "nor", "nothing", "none", "neither"])
# Words that name a kind of body, not which one: "the Scottish Parliament" is named by "Scottish".
INSTITUTIONS = _words(
    """
    parliament government senat congress bank court company ministry army police commission
    council union assembly agency board cabinet
    """
)
# Verbs that stop the event they govern: "scrubbed the launch", "blocked the merger".
STOPPING = _words(
    """
    scrubbed scrub scrubs postponed delayed cancelled canceled aborted halted suspended
    blocked rejected vetoed paused froze frozen suspends blocks rejects vetoes delays
    postpones
    """
)
# "became the first operator to return to public ownership": an infinitive after these reports.
ORDINALS = frozenset(["first", "second", "third", "last", "only", "latest"])
CONDITIONS = frozenset(["if", "unless", "once", "whether", "provided", "lest", "should"])
# Words that close the clause an event word is in, walking back from it.
CLAUSE_ENDS = _words(
    """
    and but that after before while which who because although
    """
)
BE_FORMS = frozenset(["was", "were", "been", "is", "are", "be", "being"])
PAST_AUXILIARIES = frozenset(["has", "have", "had", "was", "were", "been"])
# Past forms equal to the present: read as past in a report ("The ECB cut rates on Thursday").
BARE_PASTS = frozenset(["cut", "hit", "quit", "put", "set", "shut", "split", "cast", "let"])
# Words before a noun for the event that say it took place: "completed its withdrawal".
TOOK_PLACE = _words(
    """
    completed finished carried conducted marked held staged followed ended confirmed
    announced won winning contested
    """
)

DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|dismiss(?:ed|es)?\s+(?:the\s+)?(?:reports?|claims?|rumou?rs?)"
    r"|reject(?:ed|s)?\s+(?:the\s+)?(?:reports?|claims?)|rumou?r(?:s|ed)?|unconfirmed|false(?:ly)?"
    r"|hoax|speculat\w*|fake|misinformation)\b"
)
PARTIAL = re.compile(
    r"\b(?:began|begun|begins?|beginning|start(?:ed|s|ing)?\s+(?:to\b|its\b|the\b|\w+ing\b)"
    r"|initial(?:ly)?|partial(?:ly)?|partly|some|first\s+(?:[\w-]+\s+)?(?:units?|troops"
    r"|withdrawal|pullout|batch|phase|stage"
    r"|group|tranche|wave|round|step|part|contingent|convoy)|several|a\s+few"
    r"|part\s+of(?!\s+an?\b)"
    r"|a\s+portion|half\s+of|most\s+of|phased|gradual(?:ly)?|scal(?:ed|ing)\s+(?:back|down)"
    r"|reduc(?:ed|ing|es)|drawdown|first\s+stage|in\s+part|preliminary|interim)\b"
)
CONTINUING = re.compile(
    r"\b(?:still|remain(?:s|ed|ing)?|continu(?:e|es|ed|ing)\s+to|kept|keeps|stayed|stays"
    r"|no\s+sign\s+of|not\s+yet|yet\s+to)\b"
)
DEADLINE_PASSED = re.compile(
    r"\b(?:miss(?:ed|es|ing)?\s+(?:the\s+|its\s+|their\s+|a\s+)?(?:[\w-]+\s+){0,2}"
    r"(?:deadline|target|goal)"
    r"|deadline\s+(?:passed|came\s+and\s+went|expired|lapsed|has\s+passed|had\s+passed)"
    r"|(?:past|after|beyond)\s+the\s+(?:\w+\s+)?deadline|overdue)\b"
)
POSTPONED = re.compile(
    r"\b(?:postpon\w+|delay(?:ed|s|ing)?|pushed\s+back|put\s+off|defer(?:red|s)?"
    r"|reschedul\w+|push(?:ed)?\s+(?:it\s+)?back)\b"
)
CALLED_OFF = re.compile(
    r"\b(?:cancel{1,2}ed|call(?:ed)?\s+off|scrapp?ed|abandon(?:ed)?|shelved|dropped\s+(?:its|the"
    r"|their)\s+(?:plan|bid|offer)|withdrew\s+(?:its|the|their)\s+(?:bid|offer|nomination)"
    r"|collapsed|fell\s+(?:through|apart)|terminated|walked\s+away\s+from)\b"
)
# The claim's object left as it was: "leaving interest rates unchanged" is no rate rise.
UNCHANGED = re.compile(
    r"\b(?:unchanged|on\s+hold|left\s+\w+\s+\w*\s*steady|kept\s+\w+\s+\w*\s*steady"
    r"|held\s+(?:its|the|their)\s+(?:[\w-]+\s+){0,2}?rates?\s+(?:at|steady))\b"
)
# The opposite verdict: "acquitted of murder" for a claim that they will be convicted.
ACQUITTED = re.compile(r"\b(?:acquitt\w*|found\s+not\s+guilty|cleared\s+of)\b")
# A state that says the event happened: "with the repo rate now at 5.5 per cent", "the 50%
# tariff, now in force". The amount is read after it (judge._in_state).
NOW_AT = re.compile(r"\bnow\s+(?:at|above|over|below|under|around|near)\s+(?P<amount>[^,;]{1,40})")
NOW_IN_FORCE = re.compile(r"\bnow\s+in\s+(?:force|effect|place)\b")
# Starting a claim's light-verb event is doing it: "began a five-day strike" is "go on strike".
STARTED = frozenset(["began", "begun", "begins", "begin", "beginning", "started", "starts"])
QUESTION = re.compile(r"\?\s*[\"'\u201d\u2019)]*$|\bwhether\b")
NOBODY = CALENDAR | INSTITUTIONS  # capitalised, but no one who could be the doer
