"""Where one worker's time goes in the stored pipeline: ``bench.pipeline``'s pages of generated
mentions run through ingest -> analyse -> route in this one process (``vigie.core.pipeline.inline``,
no Celery), under cProfile, on PostgreSQL (or whatever ``--db-url`` names). Prints the CPU time of
each step, the queries each step ran per batch, and the profile's top functions.

    python -m bench.pipeline_profile --size 3000 --db-url postgres://postgres@127.0.0.1:5432/vigie_bench_profile

The database is wiped. Not part of ``make bench`` (it has no ``run``): a tool to find hot spots.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from typing import Any


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline_profile", description=__doc__)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument(
        "--db-url", default="postgres://postgres@127.0.0.1:5432/vigie_bench_profile", help="wiped"
    )
    parser.add_argument("--top", type=int, default=40, help="functions of the profile shown")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    parser.add_argument("--out", default="", help="write the raw profile there")
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="steps' CPU time only, without cProfile and query capture (they inflate Python-heavy steps)",
    )
    options = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = options.db_url
    os.environ["VIGIE_DATA_DIR"] = tempfile.mkdtemp(prefix="vigie-profile-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    if options.db_url.startswith("postgres"):
        from bench.pipeline import _missing

        why = _missing(options.db_url, "")
        if why and "PostgreSQL" in why:
            sys.exit(why)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.pipeline import _organisation
    from bench.pipeline_worker import page_items
    from vigie.analysis.pipeline import default_pipeline
    from vigie.connectors.contract import Page
    from vigie.core import jobs, pipeline
    from vigie.mentions.actions import do_ingest_page

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", interactive=False, verbosity=0)
    jobs.discover()
    default_pipeline()  # loaded once, as a worker does before its first job
    _organisation("warmup")
    _, source = _organisation("profiled")

    # Each step's own CPU time and queries (the steps call each other inline: a step's time
    # and queries less those of the steps it ran).
    spent: Counter[str] = Counter()
    queries: dict[str, list[int]] = {}
    nested: list[list[float]] = []

    def timed(step: str, func: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            nested.append([0.0, 0.0])
            before = time.process_time()
            if options.no_profile:
                result, count = func(*args, **kwargs), 0
            else:
                with CaptureQueriesContext(connection) as captured:
                    result = func(*args, **kwargs)
                count = len(captured.captured_queries)
            used = time.process_time() - before
            children = nested.pop()
            spent[step] += used - children[0]
            queries.setdefault(step, []).append(count - int(children[1]))
            if nested:
                nested[-1][0] += used
                nested[-1][1] += count
            return result

        return run

    for step, name in pipeline.STEPS[1:]:
        spec = jobs._jobs[name]
        jobs._jobs[name] = dataclasses.replace(spec, func=timed(step, spec.func))
    ingest = timed("ingest", do_ingest_page)

    def deliver(start: int, count: int) -> None:
        ingest(source, Page(items=page_items(start, count), next_cursor={}), advance_cursor=False)

    profile = cProfile.Profile(time.process_time)
    started = time.process_time()
    with pipeline.inline():
        if not options.no_profile:
            profile.enable()
        for start in range(0, options.size, options.page_size):
            deliver(start, min(options.page_size, options.size - start))
        profile.disable()
    total = time.process_time() - started
    print(f"{options.size} mentions, {total:.2f} CPU-s: {options.size / total:.0f} mentions per CPU-second")
    for step in ("ingest", "analyse", "route"):
        print(
            f"  {step}: {spent[step]:.2f} CPU-s ({100 * spent[step] / total:.0f} %), queries per batch {queries.get(step)}"
        )
    if options.no_profile:
        return
    if options.out:
        profile.dump_stats(options.out)
    stats = pstats.Stats(profile)
    stats.sort_stats(options.sort).print_stats(options.top)


if __name__ == "__main__":
    main(sys.argv[1:])
