"""Draw more real texts to train the type model on:
``python -m vigie.analysis.training.sample_type_train --out FILE.jsonl``.

The rows come from the validation splits, like the held-out slice, so that the sentiment and
toxicity results the model reads as features behave as they will on unseen texts (on training rows
those models are over-confident). Every row of ``evaldata/type_eval.jsonl`` and
``evaldata/type_heldout.jsonl`` is excluded, and so is any text equal (case and surrounding blanks
aside) to a held-out one. The strata favour the classes the rules miss: reviews with a "?",
suggestion wording, mixed (3-star) reviews, short reviews, neutral tweets, toxic messages. The
output holds the texts for the person labelling; ``evaldata/type_train.jsonl`` keeps only row ids.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from vigie.analysis.training import data
from vigie.analysis.training.sample_type import write_for_labelling

SEED = 20261201
EVALDATA = Path(__file__).resolve().parent.parent / "evaldata"
_SUGGESTIVE = (
    "serait",
    "faudrait",
    "améliorer",
    "pourriez",
    "devriez",
    "suggère",
    "propose",
    "à quand",
    "un plus",
    "il manque",
)
_SHORT_REVIEWS = ("cdiscount_trustpilot_fr", "fr_insurance_reviews", "trustpilot_fr")
MAX_CHARS = 320


def _labelled() -> set[tuple[str, str]]:
    return {
        (row["dataset"], row["row"])
        for name in ("type_eval.jsonl", "type_heldout.jsonl")
        for row in map(json.loads, (EVALDATA / name).read_text().splitlines())
        if row
    }


def draw() -> list[data.Example]:
    """The seeded strata of the training draw (640 texts)."""
    used = _labelled()
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    taken: set[tuple[str, str]] = set(used)
    tweets_train, tweets_val = data.tweets()
    reviews = [e for e in data.star_reviews() if e.dataset in _SHORT_REVIEWS and data.is_validation(e.text)]
    toxic = [e for e in data.toxicity() if data.is_validation(e.text)]
    everything = [*reviews, *toxic, *tweets_train, *tweets_val]
    held_texts = {e.text.strip().lower() for e in everything if (e.dataset, e.row) in used}
    seen_texts: set[str] = set(held_texts)

    def pick(
        pool: list[data.Example], count: int, keep: Callable[[data.Example], bool]
    ) -> list[data.Example]:
        candidates = [
            e
            for e in pool
            if (e.dataset, e.row) not in taken and e.text.strip().lower() not in seen_texts and keep(e)
        ]
        rng.shuffle(candidates)
        chosen: list[data.Example] = []
        for e in candidates:
            if len(chosen) == count:
                break
            if e.text.strip().lower() in seen_texts:
                continue
            chosen.append(e)
            seen_texts.add(e.text.strip().lower())
        taken.update((e.dataset, e.row) for e in chosen)
        return chosen

    short = MAX_CHARS
    return [
        *pick(reviews, 80, lambda e: 15 <= len(e.text) <= 200),
        *pick(reviews, 80, lambda e: "?" in e.text and len(e.text) <= short),
        *pick(reviews, 60, lambda e: any(w in e.text.lower() for w in _SUGGESTIVE) and len(e.text) <= short),
        *pick(reviews, 40, lambda e: e.label == "3" and len(e.text) <= short),
        *pick(toxic, 40, lambda e: e.dataset == "mlma_hate_speech/fr"),
        *pick(toxic, 40, lambda e: e.dataset == "fr_toxicity/ToxiFrench" and len(e.text) <= short),
        *pick(tweets_val, 50, lambda e: e.label == "1"),
        *pick(tweets_val, 30, lambda e: e.label != "1"),
        # A second round, drawn after the first so that the first 420 rows stay the same.
        *pick(reviews, 90, lambda e: "?" in e.text and len(e.text) <= short),
        *pick(reviews, 40, lambda e: any(w in e.text.lower() for w in _SUGGESTIVE) and len(e.text) <= short),
        *pick(reviews, 30, lambda e: 15 <= len(e.text) <= 200),
        *pick(toxic, 30, lambda e: e.dataset == "fr_toxicity/ToxiFrench" and len(e.text) <= short),
        *pick(toxic, 30, lambda e: e.dataset == "mlma_hate_speech/fr"),
    ]


def main(argv: list[str] | None = None) -> None:
    """Write the drawn texts, one JSON object per line, for labelling."""
    write_for_labelling("python -m vigie.analysis.training.sample_type_train", __doc__, draw, argv)


if __name__ == "__main__":
    main()
