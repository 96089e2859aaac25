"""Reading a long text on every core: sentences are read independently of each other, so
runs of them go to a pool of processes and come back in order.

Reading is pure CPU in Python, so threads would take turns; processes do not. A process is
forked (no start-up beyond the fork), and only where forking is safe: on Linux, from a process
with one thread (forking beside other threads can leave a lock held for ever in the child),
that is not itself a pool's daemon worker, with a time zone that crosses processes by its key.
So the API server and the scheduler's workers read their (short) articles in one process, as
before. Where a pool cannot be had (one core, no fork, no semaphores, a fork refused), the text
is read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from tracker.extract.candidates import Candidate, Options, extract_sentences, subject_before

RUNS_PER_CORE = 4  # so a core that finishes early takes another run instead of waiting
MOST_PROCESSES = 8  # a container's CPU quota is not in the affinity mask: do not fork 64


def in_parallel(
    sentences: Sequence[str], options: Options, cores: int | None = None
) -> list[Candidate]:
    """What `extract_sentences(sentences, options)` gives, read on `cores` (default: all)."""
    count = min(cores if cores is not None else usable_cores(), MOST_PROCESSES)
    if count < 2 or not _may_fork(options):
        return extract_sentences(sentences, options)
    size = -(-len(sentences) // (count * RUNS_PER_CORE))
    starts = range(0, len(sentences), size)
    runs = [(sentences[start : start + size], options, subject_before(sentences, start))
            for start in starts]  # fmt: skip
    try:  # Pool forks every worker here, and stops those it made if one fork fails
        pool = multiprocessing.get_context("fork").Pool(count)
    except (OSError, NotImplementedError):  # no /dev/shm for its semaphores; fork refused
        return extract_sentences(sentences, options)
    with pool:
        found = pool.starmap(extract_sentences, runs)
    return [candidate for run in found for candidate in run]


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _may_fork(options: Options) -> bool:
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return False  # macOS lists fork, but its system libraries break in a forked child
    if multiprocessing.current_process().daemon:
        return False  # a pool's own worker may not have children
    if _threads() > 1:
        return False
    # A zone made from a file, or outside the cache, comes back as another object, and
    # candidates compare their zones by identity.
    key = options.tz.key
    return key is not None and ZoneInfo(key) is options.tz


def _threads() -> int:
    """Threads in this process, those started outside `threading` too (C extensions)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()
