"""vigie report --org SLUG --period YYYY-MM|YYYY-Www|YYYY-MM-DD:YYYY-MM-DD --format pdf|html --out FILE"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail
from vigie.insights.reports import build_report, parse_period, render


class Command(BaseCommand):
    help = "Write the management report of a period (KPIs vs targets, problems, SLA, testimonials)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--period", required=True, help="YYYY-MM, YYYY-Www or YYYY-MM-DD:YYYY-MM-DD")
        parser.add_argument("--format", choices=("pdf", "html"), default="pdf")
        parser.add_argument("--language", choices=("fr", "en"), default="fr")
        parser.add_argument("--out", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        try:
            period = parse_period(organisation, options["period"])
        except ValueError as exc:
            raise fail(str(exc)) from exc
        started = time.perf_counter()
        report = build_report(organisation, period, language=options["language"])
        content = render(report, options["format"])
        out = Path(options["out"])
        out.write_bytes(content)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"wrote {out} ({len(content)} bytes) in {elapsed:.2f} s")
