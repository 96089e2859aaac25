"""Reading a long text on every core: sentences are read independently of each other, so
runs of them go to a pool of processes and come back in order.

Reading is pure CPU in Python, so threads would take turns; processes do not. A process is
forked (no start-up beyond the fork) and only from a process with one thread, since forking
beside other threads can leave a lock held for ever in the child: the API server and the
scheduler's workers read their (short) articles in one process, as before. Where a pool
cannot be had (one core, no fork, no semaphores), the text is read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from tracker.extract.candidates import Candidate, Options, extract_sentences, subject_before

RUNS_PER_CORE = 4  # so a core that finishes early takes another run instead of waiting


def in_parallel(
    sentences: Sequence[str], options: Options, cores: int | None = None
) -> list[Candidate]:
    """What `extract_sentences(sentences, options)` gives, read on `cores` (default: all)."""
    count = cores if cores is not None else usable_cores()
    if count < 2 or threading.active_count() > 1 or "fork" not in _start_methods():
        return extract_sentences(sentences, options)
    size = -(-len(sentences) // (count * RUNS_PER_CORE))
    starts = range(0, len(sentences), size)
    runs = [sentences[start : start + size] for start in starts]
    subjects = [subject_before(sentences, start) for start in starts]
    try:
        pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    except (OSError, NotImplementedError):  # no /dev/shm for the pool's semaphores
        return extract_sentences(sentences, options)
    with pool:
        found = pool.map(extract_sentences, runs, [options] * len(runs), subjects)
        return [candidate for run in found for candidate in run]


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()
