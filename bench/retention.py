"""Retention on one large organisation: every mention past its delay is pseudonymised in batches
(``vigie retention run``), into a fresh temporary SQLite database; reports seconds, counts and the
peak memory the run allocated (tracemalloc), which must not grow with the organisation's size."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mentions", type=int, default=100_000, help="mentions past due (default 100000)")
    parser.add_argument("--action", choices=["pseudonymise", "delete"], default="pseudonymise")


def run(mentions: int = 100_000, action: str = "pseudonymise") -> dict[str, Any]:
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
        from vigie.charter.actions import do_update_charter
        from vigie.charter.document import CharterDocument, RetentionPolicy, RetentionRule
        from vigie.connectors.models import Source
        from vigie.core.actions import do_create_organisation
        from vigie.mentions.models import Author, Mention
        from vigie.privacy.actions import do_apply_retention

        organisation = do_create_organisation("bench", "Bench")
        do_update_charter(
            organisation,
            CharterDocument(retention=RetentionPolicy(mentions=RetentionRule(days=365, action=action))),  # type: ignore[arg-type]
        )
        source = Source.objects.create(organisation=organisation, platform="google", name="Google")
        started = time.perf_counter()
        authors = Author.objects.bulk_create(
            [
                Author(
                    organisation=organisation,
                    platform="google",
                    external_id=f"a{n}",
                    display_name=f"Client {n}",
                )
                for n in range(max(1, mentions // 10))
            ],
            batch_size=5000,
        )
        old = timezone.now() - timedelta(days=2000)
        batch = []
        for n in range(mentions):
            batch.append(
                Mention(
                    organisation=organisation,
                    source=source,
                    external_id=f"m{n}",
                    kind="review",
                    author=authors[n % len(authors)],
                    text=f"Avis {n} " + "x" * 300,
                    raw={"id": n, "body": "y" * 300},
                    created_at=old + timedelta(seconds=n),
                )
            )
            if len(batch) == 5000:
                Mention.objects.bulk_create(batch)
                batch = []
        Mention.objects.bulk_create(batch)
        load_seconds = time.perf_counter() - started

        tracemalloc.start()
        started = time.perf_counter()
        counts = do_apply_retention(organisation)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "mentions": mentions,
            "action": action,
            "counts": counts,
            "load_seconds": round(load_seconds, 1),
            "retention_seconds": round(seconds, 1),
            "peak_traced_mb": round(peak / 1024 / 1024, 2),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
