"""``vigie analyze --workers N``: the batches of a JSON Lines file analysed in N processes.

On Linux the workers are forked once the models are loaded: they share the parent's loaded models
(copy-on-write memory) and start in milliseconds, so a second core pays off from the first
batches. Elsewhere each worker is spawned and loads the models itself. This module imports nothing
of Django's models, so that a freshly spawned worker can unpickle its functions before it sets
Django up.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from itertools import islice
from multiprocessing.context import BaseContext
from typing import IO, Any

from vigie.analysis.jsonl import analyze_lines


def chunks(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    """The non-blank lines of ``lines`` in lists of at most ``size``."""
    while raw := list(islice(lines, size)):
        chunk = [line for line in raw if line.strip()]
        if chunk:
            yield chunk


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity where the system tells it, and no more than
    a container's CPU quota (cgroup v2 ``cpu.max``, e.g. ``docker run --cpus 2`` on a larger host)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, _cpu_quota() or cpus))


def _cpu_quota(path: str = "/sys/fs/cgroup/cpu.max") -> int | None:
    """Whole CPUs allowed by the cgroup's quota (rounded up), or None when unlimited or unknown."""
    try:
        with open(path, encoding="ascii") as handle:
            quota, period = handle.read().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max" or not quota.isdigit() or not period.isdigit() or int(period) == 0:
        return None
    return max(1, -(-int(quota) // int(period)))


def forks_loaded_workers() -> bool:
    """Whether workers are forked from an already loaded parent (Linux) rather than spawned.

    Not on macOS, where forking a process that has started threads is unsafe."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def analyze_in_workers(
    lines: Iterator[str], out: IO[str], workers: int, batch_size: int, hint: str, context: dict[str, Any]
) -> frozenset[str]:
    """Analyse the (validated) ``lines`` in ``workers`` processes and write the output lines to
    ``out`` in input order; returns the keys the workers' pipeline provides."""
    initializer: Callable[[], None] | None
    context_of_workers: BaseContext
    if forks_loaded_workers():
        from vigie.analysis.pipeline import default_pipeline

        # Loaded once, here; each forked worker inherits it. The threads the parent has at fork
        # time are OpenBLAS's (which re-initialises itself in a forked child) and lingua's idle
        # pool, which the language analyzer never uses in a child; ``vigie analyze`` holds no
        # database connection.
        keys = default_pipeline().provides
        if "sentiment_encoder" in keys:
            from vigie.analysis.builtin.encoder.analyzer import load_encoder

            # The sentence encoder waits for its first text in a server's worker; here nearly
            # every file has some (posts, doubtful toxicity): loaded once before the fork, its
            # 135 MB are shared and its 1 CPU-second paid once instead of once per worker.
            load_encoder()
        context_of_workers = multiprocessing.get_context("fork")
        initializer = None
    else:
        # A spawned worker starts clean and loads the models itself.
        keys = frozenset()
        context_of_workers = multiprocessing.get_context("spawn")
        initializer = start_worker
    work = partial(analyze_lines, language_hint=hint, context=context)
    # Out of the collector's sight while the workers run: a collection in a forked worker would
    # otherwise write to every object inherited from the parent (the models' included), copying
    # their memory pages. Undone afterwards, for a parent that lives on (tests, a server).
    gc.freeze()
    try:
        return _run(lines, out, workers, batch_size, work, context_of_workers, initializer, keys)
    finally:
        gc.unfreeze()


def _run(
    lines: Iterator[str],
    out: IO[str],
    workers: int,
    batch_size: int,
    work: Callable[[list[str]], list[str]],
    context_of_workers: BaseContext,
    initializer: Callable[[], None] | None,
    keys: frozenset[str],
) -> frozenset[str]:
    """The executor's part of :func:`analyze_in_workers`."""
    pending: deque[Future[list[str]]] = deque()
    with warnings.catch_warnings():
        # Python 3.12+ warns on any fork of a process with threads; analyze_in_workers says why
        # those of a loaded pipeline are safe.
        warnings.filterwarnings(
            "ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning
        )
        # An executor (not a Pool): a worker that fails to start breaks it with an error, where a
        # Pool would respawn it for ever.
        with ProcessPoolExecutor(workers, mp_context=context_of_workers, initializer=initializer) as executor:
            # Two batches in flight per worker keep every process busy without holding the whole
            # file in memory; results are written in submission (= input) order.
            for chunk in chunks(lines, batch_size):
                pending.append(executor.submit(work, chunk))
                if len(pending) >= 2 * workers:
                    out.writelines(pending.popleft().result())
            while pending:
                out.writelines(pending.popleft().result())
            return keys or executor.submit(provides).result()


def start_worker() -> None:
    """Set Django up and load the models, once per spawned worker process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    django.setup()
    from vigie.analysis.pipeline import default_pipeline

    default_pipeline()


def provides() -> frozenset[str]:
    """The keys the worker's pipeline provides."""
    from vigie.analysis.pipeline import default_pipeline

    return default_pipeline().provides
