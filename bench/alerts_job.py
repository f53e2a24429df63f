"""The alert job on one organisation, into a fresh temporary SQLite database: one detection run
with the kept history (the last 8 days read from the mentions, the weeks before kept as hourly
totals between runs: ``vigie/alerts/history_keeping.py``) against the same eight weeks read in full
from the mentions at each run, and the 28 days of before; reports seconds per step, series count
and peak memory."""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-day", type=int, default=2000, help="mentions per day (default 2000)")
    parser.add_argument("--days", type=int, default=56, help="days of mentions (default 56)")
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)


def run(
    per_day: int = 2000, days: int = 56, sources: int = 5, locations: int = 10, seed: int = 42
) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    # Before Django reads its settings: this process must never touch the configured database.
    os.environ["VIGIE_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        call_command("migrate", interactive=False, verbosity=0)
        from vigie.alerts.detection import detect_many
        from vigie.alerts.history_keeping import HISTORY_DAYS, detect_organisation, kept_history
        from vigie.alerts.queries import watched_series
        from vigie.alerts.tasks import detect_series
        from vigie.connectors.models import Source
        from vigie.core.actions import do_create_organisation
        from vigie.core.models import Location
        from vigie.mentions.models import Mention

        rng = random.Random(seed)
        organisation = do_create_organisation("bench", "Bench")
        source_rows = [
            Source.objects.create(organisation=organisation, platform="file", name=f"S{i}")
            for i in range(sources)
        ]
        location_rows = [
            Location.objects.create(organisation=organisation, name=f"L{i}") for i in range(locations)
        ]
        now = timezone.now()
        total = per_day * days
        started = time.perf_counter()
        batch = []
        for n in range(total):
            negative = rng.random() < 0.3
            batch.append(
                Mention(
                    organisation=organisation,
                    source=rng.choice(source_rows),
                    location=rng.choice(location_rows),
                    external_id=f"m{n}",
                    kind="review",
                    created_at=now - timedelta(seconds=rng.uniform(0, days * 86400)),
                    sentiment="negative" if negative else "positive",
                    rating=rng.choice([1, 2]) if negative else rng.choice([4, 5]),
                    reach=rng.randint(0, 500),
                    themes=[rng.choice(["prix", "attente", "accueil", "sinistre"])] if negative else [],
                )
            )
            if len(batch) == 5000:
                Mention.objects.bulk_create(batch)
                batch = []
        Mention.objects.bulk_create(batch)
        load_seconds = time.perf_counter() - started

        def timed(step: Any) -> tuple[Any, float]:
            # The better of two runs: the first one also warms the database's cache.
            best = float("inf")
            for _ in range(2):
                started = time.perf_counter()
                out = step()
                best = min(best, time.perf_counter() - started)
            return out, best

        earlier = now - timedelta(minutes=5)
        # Without a kept history: eight weeks of 5-minute buckets read and fitted at every run.
        watched, build_full = timed(lambda: watched_series(organisation, now, timedelta(days=HISTORY_DAYS)))
        _, detect_full = timed(lambda: detect_many([(w.config, w.history) for w in watched], now))
        # As before issue 20: 28 days read and fitted at every run.
        watched28, build_28 = timed(lambda: watched_series(organisation, now))
        _, detect_28 = timed(lambda: detect_many([(w.config, w.history) for w in watched28], now))
        # With the kept history: the first run builds it, the next one (5 minutes later) extends it.
        _, rebuild_seconds = timed(lambda: kept_history(organisation, earlier, store=False))
        kept_history(organisation, earlier)
        later = iter((now, now + timedelta(minutes=5)))
        (kept_watched, _detections), kept_seconds = timed(
            lambda: detect_organisation(organisation, next(later))
        )
        started = time.perf_counter()
        detect_series(organisation, now + timedelta(minutes=10))  # the whole job step, alerts written
        job_seconds = time.perf_counter() - started
        return {
            "mentions": total,
            "days": days,
            "series": len(watched),
            "load_seconds": round(load_seconds, 1),
            "without_kept_56d_build_seconds": round(build_full, 2),
            "without_kept_56d_detect_seconds": round(detect_full, 2),
            "without_kept_56d_run_seconds": round(build_full + detect_full, 2),
            "before_28d_run_seconds": round(build_28 + detect_28, 2),
            "kept_first_build_seconds": round(rebuild_seconds, 2),
            "kept_56d_run_seconds": round(kept_seconds, 2),
            "kept_series": len(kept_watched),
            "job_seconds": round(job_seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
