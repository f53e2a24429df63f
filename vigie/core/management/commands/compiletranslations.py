"""vigie compiletranslations: .po to .mo in pure Python (no GNU gettext needed)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _save_atomically(catalogue: polib.POFile, mo_path: Path) -> None:
    """Write the .mo beside its final name, then rename it: a process reading the catalogue
    meanwhile (a server, or a second test run compiling at the same time, as CI's two passes
    do) sees the old file or the new one, never a half-written one."""
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=f".{mo_path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the catalogue from a server's user
        catalogue.save_as_mofile(temporary)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Compile Vigie's translation catalogues."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                _save_atomically(catalogue, po_path.with_suffix(".mo"))
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{po_path}: {catalogue.percent_translated()}% translated")
        self.stdout.write(f"compiled {compiled} catalogue(s)")
