"""``vigie analyze --workers N``: the batches of a JSON Lines file analysed in N processes.

This module imports nothing of Django's models, so that a freshly spawned worker can unpickle
its functions before it sets Django up.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from itertools import islice
from typing import IO, Any

from vigie.analysis.jsonl import analyze_lines


def chunks(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    """The non-blank lines of ``lines`` in lists of at most ``size``."""
    while raw := list(islice(lines, size)):
        chunk = [line for line in raw if line.strip()]
        if chunk:
            yield chunk


def analyze_in_workers(
    lines: Iterator[str], out: IO[str], workers: int, batch_size: int, hint: str, context: dict[str, Any]
) -> frozenset[str]:
    """Analyse the (validated) ``lines`` in ``workers`` processes and write the output lines to
    ``out`` in input order; returns the keys the workers' pipeline provides."""
    # "spawn": a forked child would inherit the parent's threads' locks (lingua's thread pool,
    # a database connection) in whatever state they were; each worker starts clean instead.
    spawn = multiprocessing.get_context("spawn")
    work = partial(analyze_lines, language_hint=hint, context=context)
    pending: deque[Future[list[str]]] = deque()
    # An executor (not a Pool): a worker that fails to start breaks it with an error, where a
    # Pool would respawn it for ever.
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=start_worker) as executor:
        # Two batches in flight per worker keep every process busy without holding the whole
        # file in memory; results are written in submission (= input) order.
        for chunk in chunks(lines, batch_size):
            pending.append(executor.submit(work, chunk))
            if len(pending) >= 2 * workers:
                out.writelines(pending.popleft().result())
        while pending:
            out.writelines(pending.popleft().result())
        return executor.submit(provides).result()


def start_worker() -> None:
    """Set Django up and load the models, once per worker process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    django.setup()
    from vigie.analysis.pipeline import default_pipeline

    default_pipeline()


def provides() -> frozenset[str]:
    """The keys the worker's pipeline provides."""
    from vigie.analysis.pipeline import default_pipeline

    return default_pipeline().provides
