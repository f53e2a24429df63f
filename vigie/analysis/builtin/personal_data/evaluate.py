"""Precision and recall of the personal-data detection, per kind, on hand-labelled French and English
customer texts (210: 57 dev, 153 test).

    python -m vigie.analysis.builtin.personal_data.evaluate [--split dev|test|all]
        [--patterns FILE.yaml] [--predictions OUT.jsonl]

The texts are in ``vigie/analysis/evaldata/personal_data_{dev,test}.jsonl``: one JSON object a
line, ``{"id", "text", "spans": [{"kind", "start", "end"}]}`` (extra keys that ``vigie analyze``
ignores, so the file is also its input). ``dev`` is the split the rules were checked on; ``test``
was written apart and only scored (105 of its texts, French and English, were added for issue 16
after the rules were frozen; their account and card numbers were drawn with valid checksums by a
seeded helper, the rest typed by hand). Company numbers (SIREN, SIRET), prices, dates, tracking
and invoice numbers, "2 place de libre", and the company's own phone numbers and addresses are in
the texts as negatives: they are not a customer's personal data (the detector cannot tell a
company's number from a customer's: those are its remaining false positives).

A found span counts when it overlaps a labelled span of the same kind (each labelled span is
matched once); ``exact`` also asks for the same start and end. Without ``--predictions`` the
detector runs here, with ``--patterns`` (default: the evaluation organisation's file,
``evaldata/personal_data_patterns.yaml``); with it, the spans are read from a ``vigie analyze``
output file, so that the documented command itself is scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from vigie.analysis.builtin.personal_data.detect import find_personal_data
from vigie.analysis.builtin.personal_data.patterns import load_patterns_file

EVALDATA = Path(__file__).resolve().parents[2] / "evaldata"
DEFAULT_PATTERNS = EVALDATA / "personal_data_patterns.yaml"

Triple = tuple[str, int, int]


def load_split(split: str) -> list[dict[str, Any]]:
    names = ("dev", "test") if split == "all" else (split,)
    rows = []
    for name in names:
        with (EVALDATA / f"personal_data_{name}.jsonl").open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines if line.strip()]
    return rows


def _triples(spans: Iterable[dict[str, Any]]) -> list[Triple]:
    return [(str(span["kind"]), int(span["start"]), int(span["end"])) for span in spans]


def score(gold: Sequence[Sequence[Triple]], found: Sequence[Sequence[Triple]]) -> dict[str, dict[str, float]]:
    """Per kind (and ``all``): labelled, found, matched (overlap), exact, precision, recall."""
    counts: dict[str, Counter[str]] = {}
    for expected, predicted in zip(gold, found, strict=True):
        unmatched = list(expected)
        for kind, start, end in predicted:
            row = counts.setdefault(kind, Counter())
            row["found"] += 1
            match = next((g for g in unmatched if g[0] == kind and g[1] < end and start < g[2]), None)
            if match is not None:
                unmatched.remove(match)
                row["matched"] += 1
                row["exact"] += match == (kind, start, end)
        for kind, _, _ in expected:
            counts.setdefault(kind, Counter())["labelled"] += 1
    counts["all"] = sum(counts.values(), Counter())
    table: dict[str, dict[str, float]] = {}
    for kind, row in sorted(counts.items()):
        table[kind] = {
            "labelled": row["labelled"],
            "found": row["found"],
            "matched": row["matched"],
            "exact": row["exact"],
            "precision": round(row["matched"] / row["found"], 3) if row["found"] else 1.0,
            "recall": round(row["matched"] / row["labelled"], 3) if row["labelled"] else 1.0,
        }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vigie.analysis.builtin.personal_data.evaluate")
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--patterns", default=str(DEFAULT_PATTERNS), help="YAML patterns ('' for none)")
    parser.add_argument("--predictions", help="a vigie analyze output file of the same split")
    options = parser.parse_args(argv)
    rows = load_split(options.split)
    gold = [_triples(row["spans"]) for row in rows]
    if options.predictions:
        with open(options.predictions, encoding="utf-8") as lines:
            by_id = {str(record["id"]): record for record in map(json.loads, lines)}
        found = [_triples(by_id[str(row["id"])]["personal_data"]) for row in rows]
    else:
        patterns = load_patterns_file(Path(options.patterns)) if options.patterns else []
        found = [
            [(s.kind, s.start, s.end) for s in find_personal_data(row["text"], patterns)] for row in rows
        ]
    table = score(gold, found)
    print(f"{options.split}: {len(rows)} texts")
    print("| kind | labelled | found | precision | recall | exact spans |")
    print("|---|---|---|---|---|---|")
    for kind, figures in table.items():
        print(
            f"| {kind} | {figures['labelled']} | {figures['found']} | {figures['precision']:.2f} "
            f"| {figures['recall']:.2f} | {figures['exact']} |"
        )
    for row, expected, predicted in zip(rows, gold, found, strict=True):
        if sorted(expected) != sorted(predicted):
            text = row["text"]
            print(
                f"  {row['id']}: labelled {[(k, text[s:e]) for k, s, e in expected]} "
                f"found {[(k, text[s:e]) for k, s, e in predicted]}",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
