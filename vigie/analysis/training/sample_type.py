"""Draw the held-out slice of real texts for the type evaluation:
``python -m vigie.analysis.training.sample_type --out FILE.jsonl``.

The slice was drawn and labelled (docs/labelling-guide.md) after the type rules were frozen, so
its numbers are an honest estimate; ``evaldata/type_heldout.jsonl`` holds its labels. It takes only
rows of the validation splits (never used to train the sentiment, tweet or toxicity models the
rules read) and none of the rows of ``evaldata/type_eval.jsonl`` (on which the rules were tuned).
The output holds the texts, for the person labelling; the shipped file keeps only row ids.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path

from vigie.analysis.training import data

SEED = 20261130
EVALDATA = Path(__file__).resolve().parent.parent / "evaldata"
_SUGGESTIVE = ("serait", "dommage", "faudrait", "améliorer", "manque", "pourriez")
_SHORT_REVIEWS = ("cdiscount_trustpilot_fr", "fr_insurance_reviews", "trustpilot_fr")


def draw() -> list[data.Example]:
    """The seeded strata of the held-out slice (240 texts)."""
    used = {
        (row["dataset"], row["row"])
        for row in map(json.loads, (EVALDATA / "type_eval.jsonl").read_text().splitlines())
    }
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    taken: set[tuple[str, str]] = set(used)

    def pick(
        pool: list[data.Example], count: int, keep: Callable[[data.Example], bool]
    ) -> list[data.Example]:
        candidates = [e for e in pool if (e.dataset, e.row) not in taken and keep(e)]
        rng.shuffle(candidates)
        chosen = candidates[:count]
        taken.update((e.dataset, e.row) for e in chosen)
        return chosen

    reviews = [e for e in data.star_reviews() if e.dataset in _SHORT_REVIEWS and data.is_validation(e.text)]
    toxic = [e for e in data.toxicity() if data.is_validation(e.text)]
    _, tweets_val = data.tweets()
    return [
        *pick(reviews, 70, lambda e: 15 <= len(e.text) <= 220),
        *pick(reviews, 50, lambda e: "?" in e.text and len(e.text) <= 400),
        *pick(reviews, 30, lambda e: any(w in e.text.lower() for w in _SUGGESTIVE) and len(e.text) <= 400),
        *pick(toxic, 30, lambda e: e.dataset == "mlma_hate_speech/fr"),
        *pick(toxic, 30, lambda e: e.dataset == "fr_toxicity/ToxiFrench" and len(e.text) <= 400),
        *pick(tweets_val, 30, lambda e: True),
    ]


def write_for_labelling(
    prog: str, description: str | None, draw_texts: Callable[[], list[data.Example]], argv: list[str] | None
) -> None:
    """The samplers' command line: write the drawn texts, one JSON object per line, to ``--out``."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args(argv)
    with options.out.open("w", encoding="utf-8") as handle:
        for example in draw_texts():
            record = {"dataset": example.dataset, "row": example.row, "text": example.text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    """Write the drawn texts, one JSON object per line, for labelling."""
    write_for_labelling("python -m vigie.analysis.training.sample_type", __doc__, draw, argv)


if __name__ == "__main__":
    main()
