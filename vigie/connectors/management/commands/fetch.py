"""vigie fetch --org SLUG [--source NAME]: read sources now, synchronously (each source's fetch
run is the ingest step's job, run here by name)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.connectors.actions import do_fetch_source
from vigie.connectors.contract import Capability
from vigie.connectors.queries import live_sources
from vigie.connectors.registry import UnknownPlatform, get_connector_class
from vigie.core.jobs import worker_id
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
        claimer = f"cli:{worker_id()}"
        for source in sources:
            try:
                pollable = Capability.FETCH in get_connector_class(source.platform).capabilities
            except UnknownPlatform:
                pollable = False
            if not pollable:
                if options["source"]:
                    raise fail(f"source {source.name!r} ({source.platform}) has nothing to fetch")
                continue
            report = do_fetch_source(source, claimer=claimer)
            if report.skipped:
                self.stdout.write(f"{source.name}: skipped (paused or being fetched elsewhere)")
                continue
            counts = report.counts
            line = f"{source.name}: new={counts.new} updated={counts.updated} unchanged={counts.unchanged}"
            if report.error:
                totals["errors"] += 1
                line += f" error={report.error}"
            self.stdout.write(line)
            totals["new"] += counts.new
            totals["updated"] += counts.updated
            totals["unchanged"] += counts.unchanged
        self.stdout.write(
            f"total: new={totals['new']} updated={totals['updated']} unchanged={totals['unchanged']} errors={totals['errors']}"
        )
