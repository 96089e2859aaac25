"""Evidence from the news: a 3,000-word article scanned against 10,000 open questions.

No database: the case runs once, on the first database's turn. The questions are made of many
subjects, verbs and objects, so that the index holds words shared by hundreds of claims (as
"Russia", "rates" or "election" are); the article mixes reports about some of the questions
with background prose. The baseline, measured in the same run, is tracker.extract finding the
forecasts in the same article: the reading every feed poll already does.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

from bench.databases import Database
from bench.rows import Row

TARGET = 1.0  # seconds, the issue's: an article scanned against the questions' index
# The service keeps the index between articles (tracker.news.evidence.index_in) and builds it
# again only when the open questions change; the build is reported on its own, and with it.
PUBLISHED = dt.date(2025, 6, 20)
_SUBJECTS = [
    "Russia", "China", "India", "Brazil", "Germany", "France", "Japan", "Canada", "Mexico",
    "Turkey", "Iran", "Israel", "Ukraine", "Poland", "Spain", "Italy", "Nigeria", "Kenya",
    "Apple", "Nvidia", "Boeing", "Tesla", "Google", "Microsoft", "Amazon", "Samsung", "Shell",
    "The ECB", "The Fed", "The Bank of England", "The Bank of Japan", "The IMF", "NASA",
    "The Senate", "The Supreme Court", "The European Commission", "OPEC", "The WHO",
]  # fmt: skip
_EVENTS = [
    ("withdraw its troops from", "withdrew its troops from"),
    ("sign a trade deal with", "signed a trade deal with"),
    ("impose tariffs on", "imposed tariffs on"),
    ("lift sanctions on", "lifted sanctions on"),
    ("open an embassy in", "opened an embassy in"),
    ("hold talks with", "held talks with"),
    ("cut its interest rate in", "cut its interest rate in"),
    ("launch a satellite for", "launched a satellite for"),
    ("acquire a stake in a company from", "acquired a stake in a company from"),
    ("ban imports from", "banned imports from"),
]
_OBJECTS = [f"Region{n}" for n in range(30)] + _SUBJECTS[:18]
_BACKGROUND = [
    "Officials declined to say how much the programme had cost so far.",
    "The company's shares fell 4.2% in early trading before recovering most of their losses.",
    "Critics said the proposal did little to address the shortage of skilled workers.",
    "Protesters gathered outside the ministry on Tuesday, chanting slogans against the plan.",
    "Analysts expect the talks to continue for several more weeks before any agreement.",
    "The figures showed output falling for a third month in a row, the statistics office said.",
]


def questions(count: int, *, seed: int = 22) -> list[tuple[str, str]]:
    """(key, claim) pairs: subject x event x object, numbered when they repeat."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        subject, (future, _), thing = (
            rng.choice(_SUBJECTS),
            rng.choice(_EVENTS),
            rng.choice(_OBJECTS),
        )
        made.append((f"q{n}", f"{subject} will {future} {thing} by December 2025"))
    return made


def article(words: int, *, seed: int = 23) -> str:
    rng = random.Random(seed)
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.4:
                subject, (_, past), thing = (
                    rng.choice(_SUBJECTS),
                    rng.choice(_EVENTS),
                    rng.choice(_OBJECTS),
                )
                sentences.append(f"{subject} {past} {thing} on Tuesday, officials said.")
            else:
                sentences.append(rng.choice(_BACKGROUND))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(paragraphs)


def evidence_scan(database: Database, *, quick: bool) -> list[Row]:
    if database.label != "sqlite":
        return []  # no database involved: once is enough
    from tracker.evidence import OpenQuestion, QuestionIndex, scan
    from tracker.evidence.words import read
    from tracker.extract import extract_candidates

    count = 2_000 if quick else 10_000
    made = [
        OpenQuestion(key, claim, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        for key, claim in questions(count)
    ]
    text = article(3000)
    runs = 3 if quick else 5
    build, look, whole, base = [], [], [], []
    found = []
    for _ in range(runs):
        read.cache_clear()  # each run reads the claims afresh, as a new process would
        t0 = time.perf_counter()
        index = QuestionIndex(made)
        t1 = time.perf_counter()
        found = scan(text, PUBLISHED, index)
        t2 = time.perf_counter()
        extract_candidates(
            text, published=PUBLISHED, tz=ZoneInfo("UTC"), forecaster=None, include_undated=False
        )
        t3 = time.perf_counter()
        build.append(t1 - t0)
        look.append(t2 - t1)
        whole.append(t2 - t0)
        base.append(t3 - t2)
    median, floor = statistics.median(look), statistics.median(base)
    label = "-"
    return [
        Row(label, f"evidence: {len(text.split()):,}-word article, {count:,} open questions, "
            f"{len(found)} findings", "", "", None),
        Row(label, "evidence: baseline tracker.extract on the same article",
            f"{floor * 1000:.0f} ms", "", None),
        Row(label, "evidence: index the questions' words",
            f"{statistics.median(build) * 1000:.0f} ms", "", None),
        Row(label, "evidence: index built and article scanned (after the questions change)",
            f"{statistics.median(whole):.2f} s", "", None),
        Row(label, "evidence: scan the article with the index (median)",
            f"{median:.3f} s ({median / floor:.1f}x baseline)", f"<= {TARGET} s", median <= TARGET),
    ]  # fmt: skip
