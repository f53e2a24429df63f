"""Micro-F1 and per-theme precision/recall of the default taxonomy on hand-labelled French
insurance and Trustpilot reviews, and on English Amazon and clothing reviews.

    python -m vigie.analysis.builtin.themes.evaluate [--lang fr|en] [--split dev|test|all] [--errors]
    python -m vigie.analysis.builtin.themes.evaluate --aspects

The labels are in ``vigie/analysis/evaldata/themes_{dev,test}.jsonl``: ``{"dataset", "row",
"themes"}`` (the review texts stay in ``../shared/data``, which may not be redistributed). 160
reviews were drawn (seed 16) from the validation share of ``fr_insurance_reviews``,
``trustpilot_fr`` and ``cdiscount_trustpilot_fr`` (40–380 characters), read and labelled by hand
with the default taxonomy; ``dev`` is the half the keywords were checked on, ``test`` was only
scored. The labelling rules: docs/analysis.md, "How the evaluation reviews are labelled".

``--lang en`` reads ``themes_en_{dev,test}.jsonl``: 160 English reviews drawn by ``draw_english``
(seed 16, the validation share, 40–380 characters): 80 MARC-en products, 40 Amazon.co.uk (mostly
books, music, films and games) and 40 women's clothing; ``dev`` is the first half of each source.

``--aspects`` scores the sentiment of each theme (``aspects``) on the SemEval-2016 French
restaurant reviews (``fr_semeval2016_absa``, sentences joined back into their 335 reviews, the
4-theme restaurant taxonomy): for each theme found whose labelled opinions in the review all have
one polarity, whether its aspect label is that polarity, against the text's own label given to
every theme.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vigie.analysis.contract import Item

EVALDATA = Path(__file__).resolve().parents[2] / "evaldata"


# The English sources and how many reviews each gives (half to dev, half to test).
ENGLISH_SOURCES = (("amazon_marc_en", 80), ("amazon_uk_en", 40), ("en_womens_clothing", 40))
SEED = 16


def label_file(split: str, lang: str = "fr") -> Path:
    """The labels of ``split`` ("dev" or "test") in ``lang``."""
    return EVALDATA / (f"themes_{split}.jsonl" if lang == "fr" else f"themes_{lang}_{split}.jsonl")


def draw_english() -> dict[str, list[tuple[str, str]]]:
    """The English reviews to label, ``{"dev": [(dataset, row)…], "test": […]}``: per source, a
    seeded sample of its validation share's reviews of 40–380 characters (sorted by row id, then
    text, before sampling, so the draw does not depend on the files' order); the first half of
    each source's sample is dev, the second test."""
    import random

    from vigie.analysis.training import data

    reviews = data.english_reviews()
    drawn: dict[str, list[tuple[str, str]]] = {"dev": [], "test": []}
    for dataset, size in ENGLISH_SOURCES:
        candidates = sorted(
            {
                (e.row, e.text)
                for e in reviews
                if e.dataset == dataset and data.is_validation(e.text) and 40 <= len(e.text) <= 380
            }
        )
        sample = random.Random(SEED).sample(candidates, size)  # noqa: S311 (a reproducible draw, not a secret)
        drawn["dev"] += [(dataset, row) for row, _ in sample[: size // 2]]
        drawn["test"] += [(dataset, row) for row, _ in sample[size // 2 :]]
    return drawn


def load_split(split: str, lang: str = "fr") -> list[dict[str, Any]]:
    """The labelled rows of ``split`` in ``lang`` with their texts (those whose source row is
    present)."""
    from vigie.analysis.training import data

    names = ("dev", "test") if split == "all" else (split,)
    examples = data.english_reviews() if lang == "en" else data.star_reviews()
    texts = {(e.dataset, e.row): e.text for e in examples}
    rows = []
    for name in names:
        for line in label_file(name, lang).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                text = texts.get((row["dataset"], row["row"]))
                if text is not None:
                    rows.append({**row, "text": text})
    return rows


def score(gold: Sequence[Sequence[str]], found: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Per theme (and ``micro``): support, found, precision, recall, F1."""
    counts: dict[str, Counter[str]] = {}
    for expected, predicted in zip(gold, found, strict=True):
        for slug in set(expected) | set(predicted):
            row = counts.setdefault(slug, Counter())
            row["tp"] += slug in expected and slug in predicted
            row["fp"] += slug in predicted and slug not in expected
            row["fn"] += slug in expected and slug not in predicted
    counts["micro"] = sum(counts.values(), Counter())
    table: dict[str, dict[str, float]] = {}
    for slug, row in sorted(counts.items()):
        tp, fp, fn = row["tp"], row["fp"], row["fn"]
        table[slug] = {
            "support": tp + fn,
            "found": tp + fp,
            "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
            "f1": round(2 * tp / (2 * tp + fp + fn), 3) if tp + fp + fn else 1.0,
        }
    return table


def predict(texts: Sequence[str]) -> list[list[str]]:
    """The themes the default pipeline finds (language detected, default taxonomy)."""
    from vigie.analysis.pipeline import default_pipeline

    results = default_pipeline().analyze([Item(id=str(i), text=t) for i, t in enumerate(texts)])
    return [list(result.get("themes") or []) for result in results]


_ABSA_THEMES = {"SERVICE": "service", "FOOD": "food", "DRINKS": "food", "AMBIENCE": "ambiance"}


def aspects() -> dict[str, float]:
    """Aspect-label accuracy on SemEval-2016 French restaurant reviews (see the module's doc)."""
    import csv

    from vigie.analysis.pipeline import default_pipeline
    from vigie.analysis.training.data import DATA
    from vigie.analysis.training.evaluate import THEMES_TAXONOMY

    sentences: dict[str, list[str]] = {}
    gold: dict[str, dict[str, set[str]]] = {}
    with (DATA / "fr_semeval2016_absa/sentences_train.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sentences.setdefault(row["review_id"], []).append(row["text"])
            for opinion in filter(None, row["opinions"].split("|")):
                category, polarity = opinion.rsplit(":", 1)
                entity, attribute = category.split("#")
                slug = "price" if attribute == "PRICES" else _ABSA_THEMES.get(entity)
                if slug:
                    gold.setdefault(row["review_id"], {}).setdefault(slug, set()).add(polarity)
    ids = sorted(sentences)
    items = [Item(id=i, text=" ".join(sentences[i]), context={"taxonomy": THEMES_TAXONOMY}) for i in ids]
    counts: Counter[str] = Counter()
    for review, result in zip(ids, default_pipeline().analyze(items), strict=True):
        text_label = (result.get("sentiment") or {}).get("label")
        differ = len(set(result["aspects"].values())) > 1
        for slug, label in result["aspects"].items():
            polarities = gold.get(review, {}).get(slug, set())
            if len(polarities) != 1:
                continue
            (expected,) = polarities
            counts["pairs"] += 1
            counts["aspects"] += label == expected
            counts["text"] += text_label == expected
            if differ:
                counts["differ"] += 1
                counts["differ_aspects"] += label == expected
                counts["differ_text"] += text_label == expected
    return {
        "reviews": len(ids),
        "pairs": counts["pairs"],
        "aspect_accuracy": round(counts["aspects"] / counts["pairs"], 3),
        "text_label_accuracy": round(counts["text"] / counts["pairs"], 3),
        "pairs_where_aspects_differ": counts["differ"],
        "aspect_accuracy_there": round(counts["differ_aspects"] / max(1, counts["differ"]), 3),
        "text_label_accuracy_there": round(counts["differ_text"] / max(1, counts["differ"]), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vigie.analysis.builtin.themes.evaluate")
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--lang", choices=["fr", "en"], default="fr", help="which labelled reviews")
    parser.add_argument("--errors", action="store_true", help="list the texts answered wrong")
    parser.add_argument("--aspects", action="store_true", help="score the aspect sentiment instead")
    options = parser.parse_args(argv)
    if options.aspects:
        print(json.dumps(aspects(), indent=1))
        return 0
    rows = load_split(options.split, options.lang)
    gold = [row["themes"] for row in rows]
    found = predict([row["text"] for row in rows])
    table = score(gold, found)
    print(f"{options.lang} {options.split}: {len(rows)} reviews")
    print("| theme | labelled | found | precision | recall | F1 |")
    print("|---|---|---|---|---|---|")
    for slug, f in table.items():
        print(
            f"| {slug} | {f['support']} | {f['found']} | {f['precision']:.2f} | {f['recall']:.2f} | {f['f1']:.2f} |"
        )
    if options.errors:
        for row, expected, predicted in zip(rows, gold, found, strict=True):
            if set(expected) != set(predicted):
                print(
                    f"  {row['row']}: labelled {expected} found {predicted}: {row['text'][:160]}",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
