"""The word lists tracker.domain.claim_words reads claims with: negations, synonyms, stop words,
opposite verbs, number words, pronouns and titles. Written as the forms after casefold."""

from __future__ import annotations

# Words that deny what follows; calling off, abandoning or scrapping a thing is not doing it.
NEGATIONS = frozenset(
    ["not", "no", "never", "without", "neither", "nor", "cannot", "abandon", "abandons",
     "abandoned", "scrap", "scraps", "scrapped", "cancel", "cancels", "cancelled", "canceled"]
)  # fmt: skip

# Several words for one thing, written as the forms after casefold; the right-hand side is what
# both become. Phrases first, then single words (before endings are stripped).
PHRASES = (
    (r"pull(?:s|ed|ing)?\s+out", "withdraw"), (r"step(?:s|ped|ping)?\s+down", "resign"),
    (r"federal\s+reserve", "fed"), (r"european\s+central\s+bank", "ecb"),
    (r"bank\s+of\s+england", "boe"), (r"bank\s+of\s+japan", "boj"),
    (r"european\s+union", "eu"), (r"united\s+states", "us"), (r"united\s+kingdom", "uk"),
    (r"euro\s*(?:area|zone)", "eurozone"), (r"air\s+base", "airbase"),
    (r"interest\s+rates?", "rate"), (r"fail(?:s|ed|ing)?\s+to", "not"),
    (r"f(?:a|e)ll(?:s|ing)?\s+short\s+of", "not"), (r"basis\s+points?", "bp"),
    (r"become\s+(?:a\s+)?members?\s+of", "join"), (r"in\s+power", "power"),
    (r"take\s+place", "hold"), (r"sworn\s+in", "inaugurated"),
    (r"carr(?:y|ies|ied)\s+out", "conduct"), (r"call(?:s|ed|ing)?\s+off", "not"),
)  # fmt: skip
# One pass over the text for all of them: group n is phrase n.
SYNONYMS = {
    "pullout": "withdraw", "withdrawal": "withdraw", "exit": "withdraw", "hike": "raise",
    "hikes": "raise", "hiked": "raise", "lower": "cut", "reduce": "cut", "truce": "ceasefire",
    "release": "launch", "released": "launch", "unveil": "launch", "restart": "resume",
    "begin": "start", "continue": "last", "full": "complete", "fully": "complete",
    "completely": "complete", "troops": "force", "military": "force", "forces": "force",
    "britain": "uk", "british": "uk", "america": "us", "american": "us", "moscow": "russia",
    "kremlin": "russia", "beijing": "china", "athens": "greece", "tehran": "iran",
    "kyiv": "ukraine", "kiev": "ukraine", "ankara": "turkey", "programme": "program",
    "scheme": "program",
    "deal": "agree", "agreement": "agree", "climb": "rise", "merger": "merge",
    "drop": "fall", "hit": "reach",
    "over": "above", "under": "below",
}  # fmt: skip
# Irregular past forms, which no suffix stripping reaches.
IRREGULAR = {
    "held": "hold", "won": "win", "lost": "lose", "fell": "fall", "rose": "rise", "left": "leave",
    "met": "meet", "took": "take", "sold": "sell", "began": "begin", "begun": "begin",
    "broke": "break", "broken": "break", "fought": "fight", "struck": "strike", "chose": "choose",
    "chosen": "choose", "paid": "pay", "made": "make", "kept": "keep", "led": "lead",
    "bought": "buy", "brought": "bring", "built": "build", "sent": "send", "spent": "spend",
    "taken": "take", "given": "give", "gave": "give", "told": "tell",
    "seen": "see", "written": "write",
}  # fmt: skip
DEMONYMS = {
    "russian": "russia", "syrian": "syria", "ukrainian": "ukraine", "chinese": "china",
    "indian": "india", "german": "germany", "french": "france", "turkish": "turkey",
    "israeli": "israel", "iranian": "iran", "mexican": "mexico", "canadian": "canada",
    "japanese": "japan", "european": "europe", "lebanese": "lebanon", "palestinian": "palestine",
    "polish": "poland", "italian": "italy", "spanish": "spain", "saudi": "saudi",
}  # fmt: skip
_STOP_WORDS = """
    a an the of to in on at by for from with and or as that this these those it its it's they
    their them his her he she we our you your i be been being is are was were am will would shall
    may might could can should must do does did has have had having than then into onto up out
    about also now still just both either each any some such there here which who whom whose what
    when where while if so very more most less new first own same other another
    likely unlikely probably possibly perhaps certainly expected set plan plans planning aim aims
    intend intends poised slated scheduled due going seek seeks hope hopes want wants try tries
    formally officially reportedly eventually finally soon analysts analyst economists
    economist officials official experts expert pollsters observers sources source party said
    says say predict predicts according citing per before until till ahead between"""
STOP = frozenset(_STOP_WORDS.split())
# Verbs (as stemmed) that say the opposite of each other: claims differing in one of these are
# different forecasts however many words they share.
OPPOSITES = (
    ("win", "los"), ("rais", "cut"), ("ris", "fall"), ("increas", "decreas"), ("abov", "below"),
    ("join", "leav"), ("approv", "reject"), ("uphold", "overturn"), ("start", "end"),
    ("withdraw", "keep"), ("withdraw", "remain"), ("resign", "remain"),
)  # fmt: skip

# Number words, read as digits so "two percent" meets "2%" and differs from "three percent".
# Ordinals (first, second) stay words: they rank ("its first foldable iPhone") more than count.
UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "twice": 2, "thrice": 3,
}  # fmt: skip
SCALES = {
    "dozen": 12, "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
    "trillion": 10**12,
}  # fmt: skip
# A subject made of these says nothing about who ("He will resign"); the claim matches nothing.
PRONOUNS = frozenset(
    ["he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those"]
)
# Words that end a claim's subject: "<subject> will ...", "<subject> is ...".
AUXILIARIES = frozenset(
    ["will", "would", "shall", "could", "can", "may", "might", "must", "should", "ll", "is", "are",
     "was", "were", "be", "has", "have", "had", "to"]
)  # fmt: skip
MODALS = frozenset(
    ["will", "would", "shall", "could", "can", "may", "might", "must", "should", "ll", "to"]
)
BE = frozenset(["be", "been", "being", "is", "are", "was", "were"])
# Participles with no -ed or -en ending: "will be cut", "will be shut".
BARE_PARTICIPLES = frozenset(["cut", "hit", "shut", "put", "spread", "bid", "quit", "split"])
# Capitalised words that are titles, not names: "President Trump" and "Donald Trump" swap a
# title for a first name, which is detail, not another person.
_TITLES = """president prime minister chancellor ceo chief executive chairman chair governor senator
    king queen pope general secretary mr mrs ms dr sir lord judge justice premier leader
    supreme court central bank state house party"""
TITLES = frozenset(_TITLES.split())
