"""vigie analyze: the management command of ``vigie.analysis.analyze_file`` (which ``vigie analyze``
runs without Django; this one serves ``call_command`` and Django's own options)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.analysis.analyze_file import AnalyzeFileError, add_arguments, analyze_file
from vigie.core.management.base import fail


class Command(BaseCommand):
    help = "Analyse a JSON Lines file of texts (no database needed)."
    # No system checks: they are not needed to analyse a file, and this command must run where
    # no database is configured or reachable.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            analyze_file(options, self.stderr)  # type: ignore[arg-type]
        except AnalyzeFileError as exc:
            raise fail(str(exc)) from None
