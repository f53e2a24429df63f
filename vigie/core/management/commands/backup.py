"""vigie backup --out FILE: a consistent copy of the SQLite database while Vigie runs."""

from __future__ import annotations

import sqlite3
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from vigie.core.management.base import fail


class Command(BaseCommand):
    help = "Copy the SQLite database safely, even while Vigie is serving (PostgreSQL: use pg_dump)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="file to write (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise fail(
                "vigie backup copies SQLite databases; for PostgreSQL use pg_dump (docs/operations.md)"
            )
        target = Path(options["out"]).expanduser().resolve()
        if target.exists():
            raise fail(f"{target} already exists: choose a new file")
        if not target.parent.is_dir():
            raise fail(f"{target.parent} is not a directory")
        # SQLite's online backup API copies a consistent snapshot page by page, without stopping writers.
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        destination = sqlite3.connect(str(target))
        try:
            with destination:
                source.backup(destination, pages=1024)
        finally:
            destination.close()
            source.close()
        self.stdout.write(f"backup written to {target} ({target.stat().st_size // 1024} KiB)")
