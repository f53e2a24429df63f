"""vigie fetch --org SLUG [--source NAME]: read sources now, synchronously. Each source's fetch run
is the ingest step's job (``vigie.core.pipeline``), run here in this process: it claims the source,
stores what the connector reads, records the source's health and hands the new mentions on."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.connectors.platforms import Capability, platform_facts
from vigie.connectors.queries import live_sources
from vigie.core import jobs, pipeline
from vigie.core.management.base import fail, organisation_or_fail


class Command(BaseCommand):
    help = "Fetch the organisation's sources now (or one of them) and print what was read."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument(
            "--source", default="", help="the source's name (all pollable sources when omitted)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        sources = live_sources(organisation).select_related("organisation", "location")
        if options["source"]:
            sources = sources.filter(name=options["source"])
            if not sources.exists():
                raise fail(f"unknown source {options['source']!r} in {organisation.slug}")
        totals = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        claimer = f"cli:{jobs.worker_id()}"
        for source in sources:
            if not platform_facts(source.platform).can(Capability.FETCH):
                if options["source"]:
                    raise fail(f"source {source.name!r} ({source.platform}) has nothing to fetch")
                continue
            report = jobs.run_now(pipeline.FETCH_SOURCE_JOB, {"source_id": source.pk, "claimer": claimer})
            if report.get("skipped"):
                self.stdout.write(f"{source.name}: skipped (paused or being fetched elsewhere)")
                continue
            line = f"{source.name}: new={report['new']} updated={report['updated']} unchanged={report['unchanged']}"
            if report["error"]:
                totals["errors"] += 1
                line += f" error={report['error']}"
            self.stdout.write(line)
            for key in ("new", "updated", "unchanged"):
                totals[key] += report[key]
        self.stdout.write(
            f"total: new={totals['new']} updated={totals['updated']} unchanged={totals['unchanged']} errors={totals['errors']}"
        )
