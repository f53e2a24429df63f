"""Accuracy and speed of the trained analysis models (sentiment, stars, tweets, toxicity, themes,
type) against a lexicon baseline, on validation splits of /work/shared/data."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of this benchmark."""
    parser.add_argument("--size", type=int, default=20_000, help="mentions for the speed measure")


def run(size: int = 20_000, **_: Any) -> dict[str, Any]:
    """All the metrics of ``python -m vigie.analysis.evaluate``."""
    from vigie.analysis.training.data import DATA
    from vigie.analysis.training.evaluate import evaluate

    if not DATA.is_dir():
        return {"skipped": f"no labelled data at {DATA} (set VIGIE_DATA)"}
    return evaluate(size)
