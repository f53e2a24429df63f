"""vigie import FILE --org SLUG --source NAME [--format csv|xlsx|json|jsonl] [--preset NAME]
[--map COL=FIELD ...] [--dry-run] [--rejects FILE]"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from vigie.connectors.actions import (
    FILE_FIELDS,
    FILE_FORMATS,
    FILE_PRESETS,
    FileFormatError,
    SourceConfigError,
)
from vigie.connectors.queries import source_by_name
from vigie.core.management.base import fail, organisation_or_fail
from vigie.mentions.ingest import do_import_file


class Command(BaseCommand):
    help = "Import mentions from a CSV, XLSX, JSON or JSONL file into a source, streaming."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--org", required=True)
        parser.add_argument("--source", required=True, help="the source's name")
        parser.add_argument("--format", default="", choices=["", *FILE_FORMATS])
        parser.add_argument("--preset", default="", choices=["", *FILE_PRESETS])
        parser.add_argument("--map", action="append", default=[], metavar="COL=FIELD")
        parser.add_argument("--dry-run", action="store_true", help="read and check, write nothing")
        parser.add_argument(
            "--rejects", default="", help="where to write rejected rows (default FILE.rejects.csv)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise fail(f"no such file: {path}")
        organisation = organisation_or_fail(options["org"])
        source = source_by_name(organisation, options["source"])
        if source is None:
            raise fail(f"unknown source {options['source']!r} in {organisation.slug}")
        mapping = {}
        for item in options["map"]:
            column, sep, target = item.partition("=")
            if not sep or not column.strip():
                raise fail(f"--map {item!r}: expected COL=FIELD")
            if target.strip() not in FILE_FIELDS:
                raise fail(f"--map {item!r}: unknown field {target!r} (known: {', '.join(FILE_FIELDS)})")
            mapping[column.strip()] = target.strip()
        rejects = (
            Path(options["rejects"]) if options["rejects"] else path.with_name(path.name + ".rejects.csv")
        )
        show_progress = sys.stderr.isatty()

        def progress(fraction: float) -> None:
            width = 30
            done = int(fraction * width)
            sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction:6.1%}")
            sys.stderr.flush()

        try:
            report = do_import_file(
                source,
                path,
                fmt=options["format"],
                preset=options["preset"],
                mapping=mapping,
                dry_run=options["dry_run"],
                rejects_path=rejects,
                progress=progress if show_progress else None,
            )
        except (FileFormatError, SourceConfigError) as exc:
            raise fail(f"{path.name}: {exc}") from None
        if show_progress:
            sys.stderr.write("\n")
        prefix = "dry run: " if options["dry_run"] else ""
        counts = report.counts
        if options["dry_run"]:
            self.stdout.write(
                f"{prefix}read={report.read} valid={report.read - report.rejected} rejected={report.rejected}"
            )
        else:
            self.stdout.write(
                f"read={report.read} new={counts.new} updated={counts.updated} "
                f"unchanged={counts.unchanged} rejected={report.rejected}"
                + (f" clamped={report.clamped}" if report.clamped else "")
            )
        if report.rejected or report.clamped:
            self.stdout.write(f"rejected rows written to {report.rejects_path}")
