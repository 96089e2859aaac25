"""The extractor on long text: 4,000 and 40,000 news sentences, to show it stays linear.

The sentences are the article case's (reported forecasts with hedges and dates, background
sentences with past dates) plus the shapes issue 23 added: two deadlines in one sentence,
stated odds, conditions, reported past and anniversaries. No database: the case runs once.
The baseline, in the same run, is splitting the same text into sentences (`split_sentences`),
which every extraction does first.
"""

from __future__ import annotations

import random
import statistics
import time
from zoneinfo import ZoneInfo

from bench.article_case import PUBLISHED, _sentence
from bench.databases import Database
from bench.rows import Row

TARGET = 10.0  # seconds for 40,000 sentences: "in seconds"
_MORE = [
    "Fees rise to 3% on 1 July and to 5% in 2028, the regulator said.",
    "Bookmakers put the chance of a snap election before June at one in three.",
    "If funding arrives, building could start in 2029.",
    "The minister said in March that the bridge would reopen by the end of April.",
    "The museum celebrates its 100th anniversary on 2 May.",
    "The regulator wants comments by 4 March and will rule on 30 April.",
    "Traders see a 60-70% chance of a rate cut at the bank's September meeting.",
    "The court on Monday rejected the appeal, and the judge will sentence him by the 15th.",
]


def text_of(sentences: int, *, seed: int = 23) -> str:
    rng = random.Random(seed)
    picked = [rng.choice(_MORE) if rng.random() < 0.2 else _sentence(rng) for _ in range(sentences)]
    return "\n\n".join(" ".join(picked[i : i + 4]) for i in range(0, len(picked), 4))


def long_text(database: Database, *, quick: bool) -> list[Row]:
    if database.label != "sqlite":
        return []  # no database involved: once is enough
    from tracker.extract import candidates, extract_candidates, split_sentences
    from tracker.extract.parallel import usable_cores

    sizes = (400, 4_000) if quick else (4_000, 40_000)
    rows, per_sentence = [], []
    for size in sizes:
        text = text_of(size)
        runs = 3 if size <= 4_000 else 1
        times, floor = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            found = extract_candidates(text, published=PUBLISHED, tz=ZoneInfo("UTC"))
            t1 = time.perf_counter()
            split_sentences(text)
            floor.append(time.perf_counter() - t1)
            times.append(t1 - t0)
        took, base = statistics.median(times), statistics.median(floor)
        per_sentence.append(_one_process_seconds(text) / size)
        target = f"<= {TARGET:.0f} s" if size == sizes[-1] else ""
        pooled = size >= candidates.PARALLEL_FROM
        how = f"{usable_cores()} processes" if pooled else "one process"
        rows += [
            Row("-", f"extract: baseline split_sentences, {size:,} sentences",
                f"{base:.2f} s", "", None),
            Row("-", f"extract: extract_candidates, {size:,} sentences ({len(found):,} found), "
                f"{how}", f"{took:.2f} s ({took / base:.0f}x baseline)", target,
                took <= TARGET if target else None),
        ]  # fmt: skip
    ratio = per_sentence[-1] / per_sentence[0]
    microseconds = f"{per_sentence[0] * 1e6:.0f} -> {per_sentence[-1] * 1e6:.0f} us"
    rows.append(
        Row(
            "-",
            "extract: time per sentence in one process, long text / short text",
            f"{ratio:.2f} ({microseconds})",
            "<= 1.5 (linear)",
            ratio <= 1.5,
        )
    )
    return rows


def _one_process_seconds(text: str) -> float:
    """Reading the text in this process only: the work itself, which must stay linear."""
    from tracker.extract import split_sentences
    from tracker.extract.candidates import Options, extract_sentences

    sentences = split_sentences(text)
    started = time.perf_counter()
    extract_sentences(sentences, Options(PUBLISHED, ZoneInfo("UTC")))
    return time.perf_counter() - started
