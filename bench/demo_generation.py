"""Load N demo mentions (with their authors, cases, replies and audit trail) into a fresh
temporary SQLite database; report mentions per second and peak memory."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=100_000, help="mentions to generate (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and print its path")


def run(size: int = 100_000, seed: int = 42, keep: bool = False) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    database = data_dir / "bench.sqlite3"
    # Before Django reads its settings: this process must never touch the configured database.
    os.environ["VIGIE_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from vigie.core.queries import verify_audit_chain
        from vigie.demo.generator.mentions import generate
        from vigie.demo.loader import do_load_demo

        step = max(size // 10, 1)

        def progress(done: int) -> None:
            if done % step < 5000:
                print(f"  {done}/{size} mentions", file=sys.stderr, flush=True)

        cpu = time.process_time()
        report = do_load_demo(seed=seed, size=size, progress=progress)
        cpu = time.process_time() - cpu
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

        verify_started = time.perf_counter()
        chain = verify_audit_chain(report.organisation)
        verify_seconds = time.perf_counter() - verify_started

        # Generation alone, without the database, on a sample (the stream keeps nothing).
        sample = min(size, 50_000)
        generation_started = time.perf_counter()
        for _ in generate(seed, sample):
            pass
        generation_seconds = time.perf_counter() - generation_started

        db_bytes = sum(path.stat().st_size for path in data_dir.glob("bench.sqlite3*"))
        if keep:
            print(f"database kept at {database}", file=sys.stderr)
        return {
            "size": size,
            "seconds": round(report.seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "mentions_per_s": round(report.mentions / report.seconds),
            "peak_rss_mb": round(peak_rss_mb, 1),
            "authors": report.authors,
            "cases": report.cases,
            "replies": report.replies,
            "audit_events": report.audit_events,
            "audit_chain_ok": chain.ok,
            "verify_seconds": round(verify_seconds, 2),
            "generation_only_per_s": round(sample / generation_seconds),
            "database_mb": round(db_bytes / 1e6, 1),
        }
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
