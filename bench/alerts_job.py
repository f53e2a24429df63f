"""The alert job on one organisation: building every series from the last 28 days of mentions
(one aggregate query) and running the detector over them, into a fresh temporary SQLite database;
reports seconds per step, series count and peak memory."""

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
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)


def run(
    per_day: int = 2000, days: int = 28, sources: int = 5, locations: int = 10, seed: int = 42
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

        started = time.perf_counter()
        watched = watched_series(organisation, now)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        detect_many([(w.config, w.history) for w in watched], now)
        detect_seconds = time.perf_counter() - started
        started = time.perf_counter()
        detect_series(organisation, now)  # the whole job step, alerts written
        job_seconds = time.perf_counter() - started
        return {
            "mentions": total,
            "series": len(watched),
            "load_seconds": round(load_seconds, 1),
            "build_series_seconds": round(build_seconds, 2),
            "detect_seconds": round(detect_seconds, 2),
            "job_seconds": round(job_seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
