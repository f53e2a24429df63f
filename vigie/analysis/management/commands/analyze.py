"""vigie analyze --in FILE.jsonl --out FILE.jsonl [--taxonomy FILE.yaml] [--lang-hint fr] [--workers N|auto]

Analyses a JSON Lines file without any database: one output line per input line, same order and
ids. The input is checked in full before any analysis, so a bad line fails fast with its number
and no partial output is left behind. ``--workers N`` spreads the batches over N processes; the
output is the same, in the same order. The default, ``auto``, uses every usable CPU (at most
``AUTO_MAX_WORKERS``) for a file of at least two batches on Linux, where workers are forked from
the loaded models and cost next to nothing to start, and one process otherwise.
"""

from __future__ import annotations

import os
import tempfile
import time
from argparse import ArgumentParser
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from vigie.analysis.jsonl import InputError, output_record, read_items, write_record
from vigie.analysis.pipeline import DEFAULT_BATCH_SIZE, default_pipeline
from vigie.analysis.taxonomy import TaxonomyError, load_taxonomy_file
from vigie.analysis.workers import analyze_in_workers, forks_loaded_workers, usable_cpus
from vigie.core.management.base import fail

# More processes than this rarely pays for a file analysis (the parent writes every line).
AUTO_MAX_WORKERS = 8


def auto_workers(count: int, batch_size: int) -> int:
    """``--workers auto``: the usable CPUs (at most ``AUTO_MAX_WORKERS``) when workers are forked
    from the loaded models and the ``count`` items make two batches or more; else one process
    (a spawned worker would load the models again, which a small file does not repay)."""
    if count < 2 * batch_size or not forks_loaded_workers():
        return 1
    return max(1, min(usable_cpus(), AUTO_MAX_WORKERS))


class Command(BaseCommand):
    help = "Analyse a JSON Lines file of texts (no database needed)."
    # No system checks: they are not needed to analyse a file, and this command must run where
    # no database is configured or reachable.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--in", dest="input", required=True, help="input JSON Lines file")
        parser.add_argument("--out", dest="output", required=True, help="output JSON Lines file")
        parser.add_argument("--taxonomy", help="YAML list of themes (slug, label, keywords, examples)")
        parser.add_argument("--lang-hint", default="", help="language of short texts, e.g. fr")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="items per batch")
        parser.add_argument(
            "--workers",
            default="auto",
            help="processes to analyse with, 1 to 64, or auto (default: the usable CPUs for a file of "
            "two batches or more, on Linux)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["input"])
        target = Path(options["output"])
        if not source.is_file():
            raise fail(f"--in: {source} is not a readable file")
        if not target.parent.resolve().is_dir():
            raise fail(f"--out: directory {target.parent} does not exist")
        if options["batch_size"] < 1:
            raise fail("--batch-size must be at least 1")
        workers_option = str(options["workers"]).strip().lower()
        if workers_option != "auto" and not (workers_option.isdigit() and 1 <= int(workers_option) <= 64):
            raise fail("--workers takes a number from 1 to 64, or auto")
        hint = options["lang_hint"].strip().lower()
        if hint and not (len(hint) == 2 and hint.isalpha()):
            raise fail(f"--lang-hint takes a two-letter language code such as fr (got {hint!r})")
        context: dict[str, Any] = {}
        if options["taxonomy"]:
            try:
                context["taxonomy"] = [
                    theme.as_dict() for theme in load_taxonomy_file(Path(options["taxonomy"]))
                ]
            except TaxonomyError as exc:
                raise fail(f"--taxonomy: {exc}") from None

        # First pass: validate every line, cheaply, so a bad line 90 000 fails before any work.
        try:
            with source.open(encoding="utf-8") as lines:
                count = sum(1 for _ in read_items(lines))
        except InputError as exc:
            raise fail(f"{source}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise fail(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None

        workers = (
            auto_workers(count, options["batch_size"]) if workers_option == "auto" else int(workers_option)
        )
        started = time.perf_counter()
        handle, temporary = tempfile.mkstemp(prefix=".vigie-analyze-", dir=target.parent.resolve())
        try:
            with source.open(encoding="utf-8") as lines, os.fdopen(handle, "w", encoding="utf-8") as out:
                if workers > 1:
                    provides = analyze_in_workers(lines, out, workers, options["batch_size"], hint, context)
                else:
                    pipeline = default_pipeline()
                    provides = pipeline.provides
                    stream = read_items(lines, language_hint=hint, context=context)
                    while chunk := list(islice(stream, options["batch_size"])):
                        results = pipeline.analyze([item for _, item in chunk])
                        for (identifier, _), result in zip(chunk, results, strict=True):
                            write_record(out, output_record(identifier, result))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        elapsed = time.perf_counter() - started
        missing = sorted({"sentiment", "stars", "type", "themes", "toxicity"} - provides)
        if missing and options["verbosity"] > 0:
            self.stderr.write(f"note: no analyzer provides {', '.join(missing)}: written as null/empty")
        if options["verbosity"] > 0:
            processes = f" by {workers} processes" if workers > 1 else ""
            self.stderr.write(f"{count} items analysed{processes} in {elapsed:.1f} s -> {target}")
