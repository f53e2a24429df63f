"""vigie compiletranslations: .po to .mo in pure Python (no GNU gettext needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


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
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{po_path}: {catalogue.percent_translated()}% translated")
        self.stdout.write(f"compiled {compiled} catalogue(s)")
