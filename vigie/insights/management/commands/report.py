"""vigie report --org SLUG --period YYYY-MM|YYYY-Www|YYYY-Qn|YYYY-MM-DD:YYYY-MM-DD --format pdf|html --out FILE
[--location NAME | --group NAME] [--png DIR]

``--location NAME`` writes the report of one location, ``--group NAME`` that of a group of
locations (the sum over its locations; its per-location pages list only them).

``--png DIR`` also writes each page of the report as a PNG (``page-1.png``...) and prints what a
reader would frown at on each page: text cut or past the margin, overlapping text, a page nearly
empty (``vigie.insights.report_check``).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail
from vigie.core.queries import organisation_location_groups, organisation_locations
from vigie.insights.reports import ManagementReport, build_report, parse_period, render, render_html


class Command(BaseCommand):
    help = "Write the management report of a period (KPIs vs targets, problems, SLA, testimonials)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument(
            "--period", required=True, help="YYYY-MM, YYYY-Www, YYYY-Qn or YYYY-MM-DD:YYYY-MM-DD"
        )
        parser.add_argument("--format", choices=("pdf", "html"), default="pdf")
        parser.add_argument("--language", choices=("fr", "en"), help="default: the organisation's language")
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--png", help="folder where each page is written as a PNG, and checked")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--location", help="name of one location: the report about it")
        scope.add_argument("--group", help="name of a group of locations: the report about its locations")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        try:
            period = parse_period(organisation, options["period"])
        except ValueError as exc:
            raise fail(str(exc)) from exc
        location = group = None
        if options["location"]:
            location = organisation_locations(organisation).filter(name=options["location"]).first()
            if location is None:
                raise fail(f"no location named {options['location']!r} in {organisation.slug}")
        if options["group"]:
            group = organisation_location_groups(organisation).filter(name=options["group"]).first()
            if group is None:
                raise fail(f"no location group named {options['group']!r} in {organisation.slug}")
        started = time.perf_counter()
        report = build_report(
            organisation,
            period,
            language=options["language"] or organisation.language,
            location=location,
            group=group,
        )
        content = render(report, options["format"])
        out = Path(options["out"])
        out.write_bytes(content)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"wrote {out} ({len(content)} bytes) in {elapsed:.2f} s")
        if options["png"]:
            self._pages(report, Path(options["png"]))

    def _pages(self, report: ManagementReport, folder: Path) -> None:
        from vigie.insights.report_check import check_pages
        from vigie.insights.report_pdf import FONTS_BASE, ChromiumMissing

        try:
            checks = check_pages(render_html(report, fonts_base=FONTS_BASE))
        except ChromiumMissing as exc:
            raise fail(f"no Chromium to render the pages with ({exc})") from exc
        folder.mkdir(parents=True, exist_ok=True)
        for check in checks:
            (folder / f"page-{check.number}.png").write_bytes(check.png)
            verdict = "; ".join(check.problems) or "ok"
            self.stdout.write(f"page {check.number}: ink {check.ink:.1%}, {verdict}")
        if any(check.problems for check in checks):
            raise fail("some pages need a look (see above)")
