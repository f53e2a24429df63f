"""KPI computation time of the dashboard on a 90-day period, and report generation time, on a
demo organisation of N mentions (default 1M). Targets: KPIs <= 500 ms server time, report <= 10 s.

The seeded SQLite database is cached under var/bench/ (keyed by size and seed) so later runs
skip the minutes of seeding. ``--postgres URL`` (or DATABASE_URL set) measures on PostgreSQL
instead; that database is seeded once as well (its ``demo`` organisation is reused when its
mention count matches).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=1_000_000, help="mentions to seed (default 1000000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=90, help="period measured, ending today (default 90)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the KPI computation (default 5)")
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""), help="PostgreSQL URL")
    parser.add_argument("--no-report", action="store_true", help="skip the report generation timing")


def _setup(size: int, seed: int, postgres: str) -> tuple[str, Path | None]:
    """Point Django at the cached database (copying nothing: runs only read it)."""
    if postgres:
        os.environ["DATABASE_URL"] = postgres
        os.environ["VIGIE_DATA_DIR"] = str(CACHE / "pg-data")
        (CACHE / "pg-data").mkdir(parents=True, exist_ok=True)
        return "postgresql", None
    CACHE.mkdir(parents=True, exist_ok=True)
    database = CACHE / f"insights-{size}-{seed}.sqlite3"
    os.environ["VIGIE_DATA_DIR"] = str(CACHE / "sqlite-data")
    (CACHE / "sqlite-data").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    return "sqlite", database


def _seed(size: int, seed: int, database: Path | None) -> float:
    """Seed the demo organisation unless the cached database has it; returns seconds spent."""
    from django.core.management import call_command

    from vigie.core.models import Organisation
    from vigie.demo import DEMO_SLUG
    from vigie.demo.loader import do_delete_demo, do_load_demo
    from vigie.mentions.models import Mention

    call_command("migrate", interactive=False, verbosity=0)
    organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if organisation is not None and Mention.objects.filter(organisation=organisation).count() == size:
        return 0.0
    if organisation is not None:
        do_delete_demo()
    started = time.perf_counter()
    step = max(size // 10, 1)

    def progress(done: int) -> None:
        if done % step < 5000:
            print(f"  seeded {done}/{size} mentions", file=sys.stderr, flush=True)

    do_load_demo(seed=seed, size=size, progress=progress)
    return time.perf_counter() - started


def _timed(func: Any, repeat: int) -> tuple[float, float, Any]:
    """Median and best wall time in ms over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), result


def run(
    size: int = 1_000_000,
    seed: int = 42,
    days: int = 90,
    repeat: int = 5,
    postgres: str = "",
    no_report: bool = False,
) -> dict[str, Any]:
    vendor, database = _setup(size, seed, postgres)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings"
    import django

    django.setup()
    seed_seconds = _seed(size, seed, database)

    from vigie.core.models import Organisation
    from vigie.core.periods import last_days
    from vigie.demo import DEMO_SLUG
    from vigie.insights.queries.breakdowns import location_split, platform_split
    from vigie.insights.queries.filters import InsightFilters, period_mentions
    from vigie.insights.queries.kpis import kpi_report
    from vigie.insights.queries.themes import theme_shares
    from vigie.insights.queries.trends import time_series
    from vigie.insights.reports import build_report, render
    from vigie.insights.rollup import coverage, do_rebuild_rollup

    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    rollup_seconds = 0.0
    covered = coverage(organisation)
    if covered is None or covered.until < last_days(organisation, 1).first_day:
        started = time.perf_counter()
        do_rebuild_rollup(organisation)
        rollup_seconds = time.perf_counter() - started
    period = last_days(organisation, days)
    filters = InsightFilters()
    in_period = period_mentions(organisation, period).count()

    kpi_median, kpi_best, report = _timed(lambda: kpi_report(organisation, period, filters), repeat)
    raw_median, _best, _r = _timed(lambda: kpi_report(organisation, period, filters, use_rollup=False), 1)
    compare_median, _best, _r = _timed(
        lambda: kpi_report(organisation, period, filters, compare=True), repeat
    )

    def dashboard() -> None:
        kpi = kpi_report(organisation, period, filters, compare=True)
        time_series(organisation, period, filters)
        theme_shares(organisation, period, filters, volume=kpi.mention_volume)
        platform_split(organisation, period, filters)
        location_split(organisation, period, filters)

    dashboard_median, _best, _r = _timed(dashboard, max(repeat // 2, 1))
    result: dict[str, Any] = {
        "database": vendor,
        "size": size,
        "period_days": days,
        "mentions_in_period": in_period,
        "cases_answered_in_period": report.cases_answered,
        "seed_seconds": round(seed_seconds, 1),
        "rollup_rebuild_seconds": round(rollup_seconds, 1),
        "kpi_report_ms_median": round(kpi_median, 1),
        "kpi_report_without_rollup_ms": round(raw_median, 1),
        "kpi_report_ms_best": round(kpi_best, 1),
        "kpi_report_with_previous_period_ms_median": round(compare_median, 1),
        "dashboard_all_queries_ms_median": round(dashboard_median, 1),
        "kpi_target_ms": 500,
    }
    if not no_report:
        month = period.last_day - timedelta(days=30)
        from vigie.core.periods import period_between

        report_period = period_between(organisation, month, period.last_day)
        started = time.perf_counter()
        pdf = render(build_report(organisation, report_period), "pdf")
        result["report_pdf_seconds_31_days"] = round(time.perf_counter() - started, 2)
        result["report_pdf_bytes"] = len(pdf)
        result["report_target_seconds"] = 10
    if database is not None:
        result["database_file"] = str(database.relative_to(ROOT))
        result["database_mb"] = round(database.stat().st_size / 2**20, 1)
    shutil.rmtree(CACHE / "sqlite-data" / "mail", ignore_errors=True)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    print(run(**vars(parser.parse_args())))
