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


# French is the language of the messages themselves, so it has no catalogue to translate them;
# but without one, gettext counts the French way only for Django's own messages: ours read
# "0 mentions", "0 réponses importées" where French writes the singular for 0 and 1. The French
# catalogue compiled from the English one's plural messages gives them French's rule.
FRENCH_PLURALS = "nplurals=2; plural=(n > 1);"


def french_plurals(english: polib.POFile) -> polib.POFile:
    """A catalogue holding each plural message of ``english`` as itself, under French's rule."""
    french = polib.POFile()
    french.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "fr",
        "Plural-Forms": FRENCH_PLURALS,
    }
    for entry in english:
        if entry.msgid_plural and not entry.obsolete:
            french.append(
                polib.POEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural={0: entry.msgid, 1: entry.msgid_plural},
                )
            )
    return french


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
                if po_path.parent.parent.name == "en":
                    french = Path(locale_dir) / "fr" / "LC_MESSAGES" / po_path.with_suffix(".mo").name
                    french.parent.mkdir(parents=True, exist_ok=True)
                    _save_atomically(french_plurals(catalogue), french)
                    compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{po_path}: {catalogue.percent_translated()}% translated")
        self.stdout.write(f"compiled {compiled} catalogue(s)")
