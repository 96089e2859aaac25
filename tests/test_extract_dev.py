"""The extractor on its development set (issue 23): labelled news sentences and whole articles
written independently of it. Prints the rates (run with -s to see them) and holds them above
floors a little under what they measure; the sentences it still gets wrong are listed below as
known misses, each an expected failure, so a fix shows up as an unexpected pass.

Every fifth sentence (index % 5 == 4) and the last three articles were held out while the
extractor was tuned: their rates are the honest estimate of how it does on unseen news.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.extract_dev_articles import ARTICLES, Article
from tests.extract_dev_articles_2 import ARTICLES_PART_2
from tests.extract_dev_sentences import SENTENCES_PART_1 as _PART_1
from tests.extract_dev_sentences import Sentence
from tests.extract_dev_sentences_2 import SENTENCES_PART_2 as _PART_2
from tests.extract_dev_sentences_3 import SENTENCES_PART_3 as _PART_3
from tests.extract_scoring import UTC_ZONE, Score, article_counts, found, fully_right
from tracker.extract import extract_candidates

pytestmark = pytest.mark.no_database

# Part 3 (120 sentences) was written by a helper session after the extractor; it first scored
# 115/120 (95.8%) fully right, then three of its misses were fixed in general ("must decide by
# the 15th whether", the union "IF Metall" read as "if", "the Aug. 1 deadline passed").
SENTENCES: list[Sentence] = _PART_1 + _PART_2 + _PART_3
_PART_3_START = len(_PART_1) + len(_PART_2)
HELD_OUT_ARTICLES = 3  # the last three

# Measured at the time of writing: all 523/529 (98.9%), tuned 420/424, held out 103/105;
# articles recall 49/50 and precision 49/51. The floors leave a little room, not a lot.
SENTENCE_FLOOR = 0.97
HELD_OUT_SENTENCE_FLOOR = 0.95
ARTICLE_RECALL_FLOOR = 0.95
ARTICLE_PRECISION_FLOOR = 0.93
CONDITIONAL_FLOOR = 0.9

# Sentences still wrong, by index, with why (held-out ones were not examined, so no why).
KNOWN_MISSES = {
    _PART_3_START
    + 13: "'on Aug. 8 ordered': 'ordered' reads as 'ordered to' (a forward participle)",
    _PART_3_START + 44: "'a coin flip whether the FDA approves': odds put on a whether-clause",
    113: "the second forecast's claim lacks the shared noun ('definitive ones' for duties)",
    217: "a bare year as the subject ('that 2027 will be the hottest year') is no deadline",
}
HELD_OUT_MISSES = frozenset([24, 144])


def _held_out(index: int) -> bool:
    return index % 5 == 4


def _rate(indices: list[int], *, include_conditional: bool = False) -> Score:
    cases = [SENTENCES[i] for i in indices]
    right = sum(fully_right(case, include_conditional=include_conditional) for case in cases)
    return Score(right, len(cases))


def test_the_development_set_is_large_and_varied() -> None:
    assert len(SENTENCES) >= 350
    assert len(ARTICLES) >= 12
    assert len(ARTICLES_PART_2) >= 14
    assert len({case.domain for case in SENTENCES}) >= 9
    assert sum(case.forecasts == () for case in SENTENCES) >= 70  # non-forecasts too


def test_sentences_fully_right() -> None:
    everything = list(range(len(SENTENCES)))
    tuned = [i for i in everything if not _held_out(i)]
    held_out = [i for i in everything if _held_out(i)]
    whole, seen, unseen = _rate(everything), _rate(tuned), _rate(held_out)
    print(
        f"\nsentences fully right: {whole.right}/{whole.total} ({whole.rate:.1%}); "
        f"tuned on {seen.right}/{seen.total} ({seen.rate:.1%}); "
        f"held out {unseen.right}/{unseen.total} ({unseen.rate:.1%})"
    )
    assert whole.rate >= SENTENCE_FLOOR
    assert unseen.rate >= HELD_OUT_SENTENCE_FLOOR


def test_conditional_forecasts_are_found_when_asked_for() -> None:
    conditional = [i for i, case in enumerate(SENTENCES) if case.conditional]
    score = _rate(conditional, include_conditional=True)
    print(f"\nconditional, with include_conditional: {score.right}/{score.total}")
    assert len(conditional) >= 20
    assert score.rate >= CONDITIONAL_FLOOR
    for index in conditional:
        assert all(c.conditional for c in found(SENTENCES[index], include_conditional=True))


def _article_rates(articles: list[Article]) -> tuple[Score, Score]:
    hits = found_count = expected = 0
    for article in articles:
        published = date.fromisoformat(article.published)
        candidates = extract_candidates(article.text, published=published, tz=UTC_ZONE)
        matched, count, wanted = article_counts(candidates, article.forecasts)
        hits, found_count, expected = hits + matched, found_count + count, expected + wanted
    return Score(hits, expected), Score(hits, found_count)


def test_articles_recall_and_precision() -> None:
    tuned, held_out = ARTICLES[:-HELD_OUT_ARTICLES], ARTICLES[-HELD_OUT_ARTICLES:]
    recall, precision = _article_rates(ARTICLES)
    seen_recall, seen_precision = _article_rates(tuned)
    unseen_recall, unseen_precision = _article_rates(held_out)
    print(
        f"\narticles: recall {recall.right}/{recall.total} ({recall.rate:.1%}), precision "
        f"{precision.right}/{precision.total} ({precision.rate:.1%}); tuned on: recall "
        f"{seen_recall.rate:.1%}, precision {seen_precision.rate:.1%}; held out: recall "
        f"{unseen_recall.rate:.1%}, precision {unseen_precision.rate:.1%}"
    )
    assert recall.rate >= ARTICLE_RECALL_FLOOR
    assert precision.rate >= ARTICLE_PRECISION_FLOOR


def test_articles_written_later_recall_and_precision() -> None:
    """Fourteen articles written by a helper session after the extractor, from its own
    reading of issue 23; first scored recall 77/79 (97.5%) and precision 77/80 (96.3%),
    then its three misses were fixed in general ("will start next month", "lists of
    unvaccinated children", "said in January that")."""
    recall, precision = _article_rates(ARTICLES_PART_2)
    print(
        f"\narticles written later: recall {recall.right}/{recall.total} ({recall.rate:.1%}), "
        f"precision {precision.right}/{precision.total} ({precision.rate:.1%})"
    )
    assert recall.rate >= ARTICLE_RECALL_FLOOR
    assert precision.rate >= ARTICLE_PRECISION_FLOOR


def _expected_to_fail(index: int) -> bool:
    return index in KNOWN_MISSES or index in HELD_OUT_MISSES


@pytest.mark.parametrize(
    "index",
    [
        pytest.param(
            i,
            marks=pytest.mark.xfail(
                _expected_to_fail(i), reason=KNOWN_MISSES.get(i, "held out"), strict=True
            ),
        )
        for i in range(len(SENTENCES))
    ],
)
def test_each_sentence(index: int) -> None:
    assert fully_right(SENTENCES[index]), SENTENCES[index].text


def test_the_scoring_can_fail() -> None:
    """A sentence scored against another's labels is wrong, and an empty result misses."""
    forecast = next(case for case in SENTENCES if len(case.forecasts) == 1)
    other = next(case for case in SENTENCES if case.forecasts and case.text != forecast.text)
    swapped = Sentence(
        forecast.text, forecast.published, other.forecasts, forecast.domain, forecast.kind
    )
    assert fully_right(forecast)
    assert not fully_right(swapped)
    assert article_counts([], forecast.forecasts) == (0, 0, 1)
