"""vigie rollup --org SLUG [--refresh]: rebuild (or bring up to date) the KPIs' daily rollup."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import organisation_or_fail
from vigie.insights.models import DailyRollup, DelayRollup
from vigie.insights.rollup import do_rebuild_rollup, do_refresh_rollup


class Command(BaseCommand):
    help = "Rebuild the daily rollup the dashboard reads (or only refresh what changed, with --refresh)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument(
            "--refresh", action="store_true", help="recompute only the days touched since the last run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        started = time.perf_counter()
        if options["refresh"]:
            days = do_refresh_rollup(organisation)
            summary = f"{days} day(s) recomputed"
        else:
            state = do_rebuild_rollup(organisation)
            summary = f"days {state.covered_from}..{state.covered_until} (exclusive) rebuilt"
        rows = DailyRollup.objects.filter(organisation=organisation).count()
        delays = DelayRollup.objects.filter(organisation=organisation).count()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{summary}: {rows} rollup rows, {delays} delay rows in {elapsed:.1f} s")
