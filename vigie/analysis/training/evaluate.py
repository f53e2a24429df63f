"""Measure the shipped models on the validation splits: ``python -m vigie.analysis.evaluate``.

Prints one JSON object: polarity, stars, tweets, toxicity, themes and type metrics, the lexicon
baseline, and the speed, load time and peak memory of the four trained analyzers. Never scores
on what the models were trained on (same hashed split as the training script), except
``type_tuning_set``: kept to compare with the rules tuned on it, it is part of the type model's
training data (``type_heldout`` is the honest type measure; ``type_heldout_no_platform`` the same
slice with no platform given to any item).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vigie.analysis.contract import Item, Results
from vigie.analysis.training import data, lexicon

EVALDATA = Path(__file__).resolve().parent.parent / "evaldata"
THEMES_TAXONOMY: list[dict[str, Any]] = [
    {
        "slug": "price",
        "label": "Prix",
        "keywords": ["prix", "cher", "tarif", "addition", "rapport qualité prix"],
    },
    {
        "slug": "food",
        "label": "Cuisine",
        "keywords": ["cuisine", "plat", "repas", "nourriture", "dessert", "menu"],
    },
    {
        "slug": "service",
        "label": "Service",
        "keywords": ["service", "serveur", "personnel", "accueil", "attente"],
    },
    {
        "slug": "ambiance",
        "label": "Ambiance",
        "keywords": ["ambiance", "cadre", "décor", "bruit", "musique", "terrasse"],
    },
]


def _analyzers() -> list[Any]:
    from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
    from vigie.analysis.builtin.themes.analyzer import ThemesAnalyzer
    from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer
    from vigie.analysis.builtin.type.analyzer import TypeAnalyzer

    return [SentimentAnalyzer(), ToxicityAnalyzer(), ThemesAnalyzer(), TypeAnalyzer()]


def run_analyzers(analyzers: Sequence[Any], items: Sequence[Item], batch_size: int = 512) -> list[Results]:
    """Run ``analyzers`` (in dependency order) over ``items`` in batches, each seeing the results
    of those before it; the measurement scripts' one way of running a chosen set of analyzers."""
    results: list[Results] = []
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        gathered: list[Results] = [{} for _ in batch]
        for analyzer in analyzers:
            for row, new in zip(gathered, analyzer.analyze(batch, gathered), strict=True):
                row.update(new)
        results.extend(gathered)
    return results


def run_all(items: Sequence[Item], batch_size: int = 512) -> list[Results]:
    """Run the four trained analyzers over ``items`` in batches, in dependency order."""
    return run_analyzers(_analyzers(), items, batch_size)


def _items(texts: Sequence[str], platform: str = "") -> list[Item]:
    return [Item(id=str(i), text=t, platform=platform) for i, t in enumerate(texts)]


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def polarity_and_stars() -> dict[str, Any]:
    """Pooled 1–2 vs 4–5 accuracy (model and lexicon) and MARC stars metrics on validation rows."""
    rows = [e for e in data.star_reviews() if data.is_validation(e.text)]
    polar = [e for e in rows if e.label != "3"]
    results = run_all(_items([e.text for e in polar]))
    correct = [
        (r["sentiment"]["score"] > 0) == (int(e.label) > 3) for e, r in zip(polar, results, strict=True)
    ]
    lexical = [(lexicon.score(e.text) > 0) == (int(e.label) > 3) for e in polar]
    per_set = {
        name: round(float(np.mean([c for c, e in zip(correct, polar, strict=True) if e.dataset == name])), 4)
        for name in sorted({e.dataset for e in polar})
    }
    all_stars = run_all(_items([e.text for e in rows]))
    marc = [e for e in rows if e.dataset == "amazon_marc_fr"]
    estimated = np.array(
        [r["stars"] for r, e in zip(all_stars, rows, strict=True) if e.dataset == "amazon_marc_fr"]
    )
    gold = np.array([int(e.label) for e in marc])
    rounded = np.clip(np.rint(estimated), 1, 5)
    # The other sets (not balanced: mostly 5 and 1 stars) show how the MARC-trained model travels.
    other_sets = {}
    for name in sorted({e.dataset for e in rows} - {"amazon_marc_fr"}):
        pairs = [
            (r["stars"], int(e.label)) for r, e in zip(all_stars, rows, strict=True) if e.dataset == name
        ]
        guess = np.clip(np.rint([p for p, _ in pairs]), 1, 5)
        truth = np.array([t for _, t in pairs])
        other_sets[name] = {
            "rows": len(pairs),
            "exact": round(float(np.mean(guess == truth)), 4),
            "off_by_one": round(float(np.mean(np.abs(guess - truth) <= 1)), 4),
            "mae_rounded": round(float(np.mean(np.abs(guess - truth))), 4),
        }
    return {
        "polarity": {
            "rows": len(polar),
            "accuracy": round(float(np.mean(correct)), 4),
            "per_dataset": per_set,
            "lexicon_baseline_accuracy": round(float(np.mean(lexical)), 4),
        },
        "stars_marc_fr": {
            "rows": len(marc),
            "exact": round(float(np.mean(rounded == gold)), 4),
            "off_by_one": round(float(np.mean(np.abs(rounded - gold) <= 1)), 4),
            "mae_rounded": round(float(np.mean(np.abs(rounded - gold))), 4),
            "mae_continuous": round(float(np.mean(np.abs(estimated - gold))), 4),
        },
        "stars_other_sets": other_sets,
    }


def tweets() -> dict[str, Any]:
    """3-class macro-F1 on the UMSAB French validation split (not used for training)."""
    _, validation = data.tweets()
    names = {"0": "negative", "1": "neutral", "2": "positive"}
    results = run_all(_items([e.text for e in validation], platform="twitter"))
    gold = [names[e.label] for e in validation]
    pred = [r["sentiment"]["label"] for r in results]
    return {"rows": len(gold), "macro_f1": round(_macro_f1(gold, pred), 4)}


def toxicity() -> dict[str, Any]:
    """Accuracy on the validation rows of each French toxicity set, and pooled."""
    rows = [e for e in data.toxicity() if data.is_validation(e.text)]
    results = run_all(_items([e.text for e in rows]))
    correct = [r["toxicity"]["toxic"] == (e.label == "1") for e, r in zip(rows, results, strict=True)]
    return {
        "rows": len(rows),
        "accuracy": round(float(np.mean(correct)), 4),
        "per_dataset": {
            name: round(
                float(np.mean([c for c, e in zip(correct, rows, strict=True) if e.dataset == name])), 4
            )
            for name in sorted({e.dataset for e in rows})
        },
    }


def themes() -> dict[str, Any]:
    """Micro-F1 of theme presence on the TripAdvisor restaurant reviews, 4-theme taxonomy."""
    rows = data.restaurant_aspects()
    items = [Item(id=str(i), text=t, context={"taxonomy": THEMES_TAXONOMY}) for i, (t, _) in enumerate(rows)]
    results = run_all(items)
    counts = Counter[str]()
    for (_, gold), result in zip(rows, results, strict=True):
        predicted = set(result["themes"])
        for aspect in data.ASPECTS:
            counts[
                "tp"
                if aspect in gold and aspect in predicted
                else "fp"
                if aspect in predicted
                else "fn"
                if aspect in gold
                else "tn"
            ] += 1
    f1 = 2 * counts["tp"] / (2 * counts["tp"] + counts["fp"] + counts["fn"])
    return {"rows": len(rows), "micro_f1": round(f1, 4), "taxonomy": THEMES_TAXONOMY}


def type_texts() -> dict[tuple[str, str], str]:
    """Texts of the labelled type set, looked up by (dataset, row): the set ships labels only,
    since the review texts may not be redistributed."""
    tweets_train, tweets_val = data.tweets()
    return {
        (e.dataset, e.row): e.text
        for e in [*data.star_reviews(), *data.toxicity(), *tweets_train, *tweets_val]
    }


def _type_scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    per_class = {}
    for label in sorted(set(gold) | set(pred)):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        predicted = sum(p == label for p in pred)
        actual = sum(g == label for g in gold)
        per_class[label] = {
            "support": actual,
            "precision": round(tp / predicted, 3) if predicted else None,
            "recall": round(tp / actual, 3) if actual else None,
        }
    accuracy = float(np.mean([g == p for g, p in zip(gold, pred, strict=True)]))
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(_macro_f1(gold, pred), 4),
        "per_class": per_class,
    }


def types(name: str = "type_heldout.jsonl", platform: bool = True) -> dict[str, Any]:
    """Per-class precision and recall of the analyzer (and apart, of the rules alone) on a
    hand-labelled set of ``evaldata``, when it is present. The tweets are given ``platform:
    twitter`` (``type_model.items_of``) unless ``platform`` is false: then no item has a platform.

    ``type_heldout.jsonl`` was labelled after the rules were frozen and is never trained on (the
    honest measure); ``type_eval.jsonl`` is the set the rules were tuned on and, with
    ``type_train.jsonl``, the type model's training set (optimistic, kept for comparison).
    """
    from vigie.analysis.builtin.type.analyzer import classify
    from vigie.analysis.training import runtime, type_model

    path = EVALDATA / name
    if not path.exists():
        return {"rows": 0}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    texts = type_texts()
    rows = [{**r, "text": texts[(r["dataset"], r["row"])]} for r in rows if (r["dataset"], r["row"]) in texts]
    items = type_model.items_of(rows)
    if not platform:
        items = [dataclasses.replace(item, platform="") for item in items]
    results = run_all(items)
    gold = [r["type"] for r in rows]
    rules = [
        classify(runtime.item_text(item), r.get("sentiment"), r.get("toxicity"))
        for item, r in zip(items, results, strict=True)
    ]
    model = type_model.shipped()
    return {
        "rows": len(rows),
        "answered_by": "model" if model is not None else "rules",
        **_type_scores(gold, [r["type"] for r in results]),
        "rules": _type_scores(gold, rules),
    }


def speed(size: int = 20_000) -> dict[str, Any]:
    """Throughput of the four analyzers (first batch included) and of the lexicon baseline."""
    texts = [e.text for e in data.star_reviews()]
    random.Random(7).shuffle(texts)  # noqa: S311 - a reproducible sample, not a secret
    items = _items(texts[:size])
    started = time.perf_counter()
    analyzers = _analyzers()
    for analyzer in analyzers:
        analyzer.load()
    loading = time.perf_counter() - started
    started = time.perf_counter()
    run_all(items)
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    for item in items:
        lexicon.score(item.text)
    lexical = time.perf_counter() - started
    return {
        "mentions": len(items),
        "load_seconds": round(loading, 3),
        "mentions_per_second": round(len(items) / elapsed),
        "lexicon_mentions_per_second": round(len(items) / lexical),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def evaluate(size: int = 20_000) -> dict[str, Any]:
    """Every metric, speed first (so its peak memory is not the evaluation's)."""
    measured = {"speed": speed(size)}
    measured.update(polarity_and_stars())
    measured["tweets_fr"] = tweets()
    measured["toxicity_fr"] = toxicity()
    measured["themes_restaurants"] = themes()
    measured["type_heldout"] = types("type_heldout.jsonl")
    measured["type_heldout_no_platform"] = types("type_heldout.jsonl", platform=False)
    measured["type_tuning_set"] = types("type_eval.jsonl")
    return measured


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m vigie.analysis.evaluate", description=__doc__)
    parser.add_argument("--size", type=int, default=20_000, help="mentions for the speed measure")
    options = parser.parse_args(argv)
    print(json.dumps(evaluate(options.size), ensure_ascii=False, indent=1))
