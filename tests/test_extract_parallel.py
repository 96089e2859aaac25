"""A long text is read on several cores and gives what reading it in one process gives."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from tests.extract_dev_articles import ARTICLES
from tests.extract_dev_articles_2 import ARTICLES_PART_2
from tracker.extract import candidates, parallel, split_sentences
from tracker.extract.candidates import Candidate, Options, extract_sentences

pytestmark = pytest.mark.no_database

_OPTIONS = Options(date(2026, 3, 4), ZoneInfo("Europe/London"), include_undated=True)
# "It" at the start of a run stands for the subject of the last sentence of the run before.
_CHAIN = ["Volkswagen reported a loss.", "It will not cut jobs before 2028.", "x" * 2100]


def _sentences() -> list[str]:
    texts = [article.text for article in [*ARTICLES, *ARTICLES_PART_2]]
    return [s for text in texts for s in split_sentences(text)] + _CHAIN * 40


def _in_which_process(
    sentences: Sequence[str], options: Options, previous_subject: str | None = None
) -> list[Candidate]:
    found = extract_sentences(sentences, options, previous_subject)
    return [replace(candidate, forecaster=str(os.getpid())) for candidate in found]


@pytest.fixture
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forking beside other threads is refused; a test left running one would make this vacuous.
    assert threading.active_count() == 1, threading.enumerate()
    # A long test run leaves threads of C libraries (idle, outside `threading`) that the
    # kernel counts; the children here run only the extractor.
    monkeypatch.setattr(parallel, "_threads", threading.active_count)


def test_threads_are_counted_by_the_kernel() -> None:
    before = parallel._threads()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel._threads() == before + 1
    finally:
        stop.set()
        other.join()


@pytest.mark.usefixtures("one_thread")
def test_runs_read_in_other_processes_give_the_same_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sentences = _sentences()
    serial = extract_sentences(sentences, _OPTIONS)
    assert parallel.in_parallel(sentences, _OPTIONS, cores=3) == serial
    assert sum(c.claim.startswith("Volkswagen will not cut jobs") for c in serial) == 40
    monkeypatch.setattr(parallel, "extract_sentences", _in_which_process)
    readers = {c.forecaster for c in parallel.in_parallel(sentences, _OPTIONS, cores=2)}
    assert str(os.getpid()) not in readers
    assert len(readers) == 2


def test_beside_another_thread_the_text_is_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "extract_sentences", _in_which_process)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        found = parallel.in_parallel(_CHAIN * 3, _OPTIONS, cores=2)
    finally:
        stop.set()
        other.join()
    assert {candidate.forecaster for candidate in found} == {str(os.getpid())}


@pytest.mark.usefixtures("one_thread")
def test_a_long_text_goes_to_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join(_CHAIN[:2]) + "\n\n"
    monkeypatch.setattr(candidates, "PARALLEL_FROM", 10)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)  # a one-core runner too
    monkeypatch.setattr(parallel, "extract_sentences", _in_which_process)
    found = candidates.extract_candidates(text * 12, published=_OPTIONS.published, tz=_OPTIONS.tz)
    # The same sentence twice counts once, across runs read apart.
    assert len(found) == 1
    assert found[0].forecaster != str(os.getpid())


class _NoFork:
    def Pool(self, processes: int) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")


class _Daemon:
    daemon = True


@pytest.mark.parametrize(
    "refusal",
    ["a fork refused", "a pool's daemon worker", "a zone outside the cache", "a zone from a file"],
)
@pytest.mark.usefixtures("one_thread")
def test_where_forking_is_refused_or_unsafe_the_text_is_read_here(
    monkeypatch: pytest.MonkeyPatch, refusal: str
) -> None:
    options = _OPTIONS
    if refusal == "a fork refused":
        monkeypatch.setattr(multiprocessing, "get_context", lambda _method: _NoFork())
    elif refusal == "a pool's daemon worker":
        monkeypatch.setattr(multiprocessing, "current_process", _Daemon)
    elif refusal == "a zone outside the cache":
        options = replace(options, tz=ZoneInfo.no_cache("Europe/London"))
    else:
        with open("/usr/share/zoneinfo/Europe/London", "rb") as file:
            options = replace(options, tz=ZoneInfo.from_file(file))
    monkeypatch.setattr(parallel, "extract_sentences", _in_which_process)
    found = parallel.in_parallel(_CHAIN * 3, options, cores=2)
    assert found
    assert {candidate.forecaster for candidate in found} == {str(os.getpid())}
