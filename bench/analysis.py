"""Full analysis pipeline on demo mentions: loading time, throughput (mentions/s), peak memory.

Targets (issue 4): >= 3,000 mentions/s on a 2-core machine, loading <= 2 s, peak <= 500 MB.
Runs every registered analyzer, without a database; texts come from the demo generator.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import UTC, datetime
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--size", type=int, default=5000, help="mentions to analyse (default 5000, at least 3000)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=512)


def run(size: int = 5000, seed: int = 42, batch_size: int = 512, **_: Any) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    from vigie.analysis.contract import Item
    from vigie.demo.generator import generate

    now = datetime(2026, 3, 1, tzinfo=UTC)
    items = [
        Item(
            id=str(record.ref),
            text=record.text,
            title=record.title,
            platform=record.source_key,
            kind=record.kind,
            rating=float(record.rating) if record.rating is not None else None,
            language_hint="fr",
            created_at=record.created_at,
            author_followers=record.author.followers_count if record.author else None,
            likes=record.likes,
            shares=record.shares,
            replies_count=record.replies_count,
            reach=record.reach,
            author_id=record.author.external_id if record.author else "",
            context={"now": now.isoformat(), "organisation_terms": ["Mutuelle Horizon"]},
        )
        for record in generate(seed, size, now)
    ]
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from vigie.analysis.pipeline import Pipeline, batched

    started = time.perf_counter()
    pipeline = Pipeline.from_registry()
    pipeline.load()
    load_seconds = time.perf_counter() - started

    per_analyzer: dict[str, float] = {a.name: 0.0 for a in pipeline.analyzers}
    started = time.perf_counter()
    cpu_started = time.process_time()
    analysed = 0
    for batch in batched(items, batch_size):
        analysed += len(pipeline.analyze(batch))
    seconds = time.perf_counter() - started
    # CPU time of all threads: on a busy machine wall time lies, this does not.
    cpu_seconds = time.process_time() - cpu_started

    # Each analyzer alone on the same batches (with what it requires computed beforehand), to see
    # where the time goes.
    for batch in batched(items, batch_size):
        previous: list[dict[str, Any]] = [{} for _ in batch]
        for analyzer in pipeline.analyzers:
            one = time.perf_counter()
            answers = analyzer.analyze(batch, previous)
            per_analyzer[analyzer.name] += time.perf_counter() - one
            for results, answer in zip(previous, answers, strict=True):
                results.update(answer)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mentions": analysed,
        "analyzers": [f"{v.name} {v.version}" for v in pipeline.versions],
        "load_seconds": round(load_seconds, 3),
        "seconds": round(seconds, 3),
        "mentions_per_second": round(analysed / seconds),
        "cpu_seconds": round(cpu_seconds, 3),
        "mentions_per_cpu_second": round(analysed / cpu_seconds),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "seconds_per_analyzer": {name: round(value, 3) for name, value in per_analyzer.items()},
        "peak_rss_mb": round(peak_mb, 1),
        "rss_before_pipeline_mb": round(rss_before_mb, 1),
        "targets": {"mentions_per_second": 3000, "load_seconds": 2, "peak_rss_mb": 500},
        "cpus": os.cpu_count(),
    }
