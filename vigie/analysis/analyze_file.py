"""vigie analyze --in FILE.jsonl --out FILE.jsonl [--taxonomy FILE.yaml] [--patterns FILE.yaml] [--lang-hint fr] [--workers N|auto]

Analyses a JSON Lines file without any database: one output line per input line, same order and
ids. ``--patterns`` gives the organisation's order and customer number patterns (a YAML list of
``{kind: order_number | customer_number, pattern: REGEX}``) to the personal-data analyzer; they
travel to the worker processes with the items' context. The input is checked in full before any analysis, so a bad line fails fast with its number
and no partial output is left behind. ``--workers N`` spreads the batches over N processes; the
output is the same, in the same order. The default, ``auto``, uses every usable CPU (at most
``AUTO_MAX_WORKERS``) for a file of at least two batches on Linux, where workers are forked from
the loaded models and cost next to nothing to start, and one process otherwise.

The sentence encoder (social posts, uncertain English reviews, doubtful toxicity) runs by
default; ``VIGIE_ENCODER=0`` leaves it out: the fast models alone, about twice as fast on reviews
and less accurate on posts and English (docs/models.md).

Nothing here needs Django: ``vigie analyze`` runs it without setting Django up (about 0.6 s of
start-up saved, which is a sixth of a 10,000-line file's time on two cores), and the management
command of the same name wraps it for ``call_command``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from argparse import ArgumentParser
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from vigie.analysis.builtin.personal_data.patterns import PatternsError, load_patterns_file
from vigie.analysis.jsonl import InputError, output_record, read_items, write_record
from vigie.analysis.pipeline import DEFAULT_BATCH_SIZE, default_pipeline
from vigie.analysis.taxonomy import TaxonomyError, load_taxonomy_file
from vigie.analysis.workers import analyze_in_workers, forks_loaded_workers, usable_cpus

# More processes than this rarely pays for a file analysis (the parent writes every line).
AUTO_MAX_WORKERS = 8
USAGE_ERROR = 2


class AnalyzeFileError(Exception):
    """A one-line reason the file cannot be analysed (bad option, bad line, missing file)."""


def auto_workers(count: int, batch_size: int) -> int:
    """``--workers auto``: the usable CPUs (at most ``AUTO_MAX_WORKERS``) when workers are forked
    from the loaded models and the ``count`` items make two batches or more; else one process
    (a spawned worker would load the models again, which a small file does not repay)."""
    if count < 2 * batch_size or not forks_loaded_workers():
        return 1
    return max(1, min(usable_cpus(), AUTO_MAX_WORKERS))


def add_arguments(parser: ArgumentParser) -> None:
    """The command's options (shared by the fast path and the management command)."""
    parser.add_argument("--in", dest="input", required=True, help="input JSON Lines file")
    parser.add_argument("--out", dest="output", required=True, help="output JSON Lines file")
    parser.add_argument("--taxonomy", help="YAML list of themes (slug, label, keywords, examples)")
    parser.add_argument(
        "--patterns",
        help="YAML list of the organisation's order and customer number patterns "
        "({kind: order_number | customer_number, pattern: REGEX})",
    )
    parser.add_argument("--lang-hint", default="", help="language of short texts, e.g. fr")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="items per batch")
    parser.add_argument(
        "--workers",
        default="auto",
        help="processes to analyse with, 1 to 64, or auto (default: the usable CPUs for a file of "
        "two batches or more, on Linux)",
    )


def analyze_file(options: dict[str, Any], stderr: TextIO) -> None:
    """Run the analysis the parsed ``options`` describe; ``AnalyzeFileError`` on bad input."""
    source = Path(options["input"])
    target = Path(options["output"])
    verbosity = int(options.get("verbosity", 1))
    if not source.is_file():
        raise AnalyzeFileError(f"--in: {source} is not a readable file")
    if not target.parent.resolve().is_dir():
        raise AnalyzeFileError(f"--out: directory {target.parent} does not exist")
    if options["batch_size"] < 1:
        raise AnalyzeFileError("--batch-size must be at least 1")
    workers_option = str(options["workers"]).strip().lower()
    if workers_option != "auto" and not (workers_option.isdigit() and 1 <= int(workers_option) <= 64):
        raise AnalyzeFileError("--workers takes a number from 1 to 64, or auto")
    hint = (options.get("lang_hint") or "").strip().lower()
    if hint and not (len(hint) == 2 and hint.isalpha()):
        raise AnalyzeFileError(f"--lang-hint takes a two-letter language code such as fr (got {hint!r})")
    context: dict[str, Any] = {}
    if options.get("taxonomy"):
        try:
            context["taxonomy"] = [theme.as_dict() for theme in load_taxonomy_file(Path(options["taxonomy"]))]
        except TaxonomyError as exc:
            raise AnalyzeFileError(f"--taxonomy: {exc}") from None
    if options.get("patterns"):
        try:
            pairs = load_patterns_file(Path(options["patterns"]))
        except PatternsError as exc:
            raise AnalyzeFileError(f"--patterns: {exc}") from None
        # Plain lists of strings: the context is pickled to the worker processes with each batch.
        context["number_patterns"] = [list(pair) for pair in pairs]

    # First pass: validate every line, cheaply, so a bad line 90 000 fails before any work.
    try:
        # utf-8-sig: a file written by Windows tools starts with a byte-order mark, which
        # made its first line "not valid JSON" and stopped the whole command.
        with source.open(encoding="utf-8-sig") as lines:
            count = sum(1 for _ in read_items(lines))
    except InputError as exc:
        raise AnalyzeFileError(f"{source}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise AnalyzeFileError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None

    batch_size = options["batch_size"]
    workers = auto_workers(count, batch_size) if workers_option == "auto" else int(workers_option)
    started = time.perf_counter()
    handle, temporary = tempfile.mkstemp(prefix=".vigie-analyze-", dir=target.parent.resolve())
    try:
        with source.open(encoding="utf-8-sig") as lines, os.fdopen(handle, "w", encoding="utf-8") as out:
            if workers > 1:
                provides = analyze_in_workers(lines, out, workers, batch_size, hint, context)
            else:
                pipeline = default_pipeline()
                provides = pipeline.provides
                stream = read_items(lines, language_hint=hint, context=context)
                while chunk := list(islice(stream, batch_size)):
                    results = pipeline.analyze([item for _, item in chunk])
                    for (identifier, _), result in zip(chunk, results, strict=True):
                        write_record(out, output_record(identifier, result))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    elapsed = time.perf_counter() - started
    missing = sorted({"sentiment", "stars", "type", "themes", "toxicity"} - provides)
    if missing and verbosity > 0:
        print(f"note: no analyzer provides {', '.join(missing)}: written as null/empty", file=stderr)
    if verbosity > 0:
        processes = f" by {workers} processes" if workers > 1 else ""
        print(f"{count} items analysed{processes} in {elapsed:.1f} s -> {target}", file=stderr)


def main(args: list[str]) -> int:
    """``vigie analyze …`` without setting Django up; the exit status."""
    parser = ArgumentParser(
        prog="vigie analyze", description=__doc__.split("\n\n")[1], epilog=__doc__.split("\n\n")[2]
    )
    add_arguments(parser)
    parser.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=1)
    options = vars(parser.parse_args(args))
    try:
        analyze_file(options, sys.stderr)
    except AnalyzeFileError as exc:
        # As Django prints a command's error: one line, no traceback.
        print(f"CommandError: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return 0
