"""Which sentiment and toxicity the type model should read: ``python -m vigie.analysis.training.type_inputs``.

Since the sentence encoder runs by default, the sentiment and toxicity a user sees are the
encoder's where it answered (``jsonl.user_sentiment`` / ``user_toxicity``), and short unrated
texts written like posts are recognised as posts without a platform (``encoder_post``). The type
model reads the fast results and "social post" from the platform (or a handle, hashtag or link).
This measures, by the type model's own recipe (``type_model.train``: the same grid, folds and
seed), the candidates below, every feature computed through the analyzers ``vigie analyze`` runs
(language, sentiment, toxicity, sentence encoder) on the labelled training rows:

- ``fast``: the shipped inputs (the fast sentiment and toxicity; social post from the platform);
- ``user``: the sentiment and toxicity a user sees instead of the fast ones (rules, dense block
  and the rhetorical-question reading alike);
- ``post``: social post also where the encoder recognised a post;
- ``user+post``: both;
- ``fast+encoder``: the fast inputs plus four columns: the user-facing sentiment and toxicity
  scores, the user-facing verdict, and whether the encoder answered;
- ``user+post+encoder``: ``user+post`` plus the same four columns.

Every fold is scored twice: with the training rows' platform as ``type_model.items_of`` gives it
(``cv_platform``) and with no platform given (``cv_no_platform``, the held-out fold's features
computed without it); ``final`` is the analyzer's answer after ``reread`` (rhetorical questions,
news posts). The choice is made on the cross-validated figures only; the held-out slice is not read
here (``python -m vigie.analysis.evaluate`` scores the shipped model on it).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from vigie.analysis.contract import Item, Results
from vigie.analysis.training import type_model
from vigie.analysis.training.evaluate import run_analyzers

VARIANTS = ("fast", "user", "post", "user+post", "fast+encoder", "user+post+encoder")
SHORT_POST = 280


def analyze(items: Sequence[Item]) -> list[Results]:
    """The language, sentiment, toxicity and sentence-encoder results, as ``vigie analyze``."""
    from vigie.analysis.builtin.encoder.analyzer import EncoderSentimentAnalyzer
    from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer
    from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
    from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer

    analyzers: list[Any] = [
        LanguageAnalyzer(),
        SentimentAnalyzer(),
        ToxicityAnalyzer(),
        EncoderSentimentAnalyzer(),
    ]
    return run_analyzers(analyzers, items)


def encoder_post(item: Item, found: Results) -> bool:
    """A social post: marked so (``_is_social``), or a short unrated text the encoder answered
    (for French texts it answers only posts; an uncertain English review could count here)."""
    from vigie.analysis.builtin.sentiment.analyzer import _is_social

    if _is_social(item):
        return True
    return (
        found.get("sentiment_encoder") is not None
        and item.rating is None
        and not item.title
        and len(item.text) <= SHORT_POST
    )


def inputs(
    items: Sequence[Item], found: Sequence[Results], variant: str
) -> tuple[sp.csr_matrix, np.ndarray, list[str], list[Results]]:
    """TF-IDF rows, dense block, the rules' answers and the results the type analyzer would read."""
    from vigie.analysis.builtin.type.analyzer import classify
    from vigie.analysis.jsonl import user_sentiment, user_toxicity
    from vigie.analysis.training import runtime

    parts = set(variant.split("+"))
    seen: list[Results] = [
        {"sentiment": user_sentiment(f), "toxicity": user_toxicity(f)}
        if "user" in parts
        else {"sentiment": f.get("sentiment"), "toxicity": f.get("toxicity")}
        for f in found
    ]
    texts = [runtime.item_text(item) for item in items]
    rules = [classify(t, s.get("sentiment"), s.get("toxicity")) for t, s in zip(texts, seen, strict=True)]
    dense = type_model.dense_features(items, seen, rules)
    if "post" in parts:
        dense[:, type_model.DENSE.index("social_post")] = [
            float(encoder_post(item, f)) for item, f in zip(items, found, strict=True)
        ]
    if "encoder" in parts:
        extra = np.zeros((len(items), 4), dtype=np.float32)
        for i, f in enumerate(found):
            sentiment, toxicity = user_sentiment(f) or {}, user_toxicity(f) or {}
            extra[i] = (
                float(sentiment.get("score", 0.0)),
                float(toxicity.get("score", 0.0)),
                float(bool(toxicity.get("toxic"))),
                float(f.get("sentiment_encoder") is not None),
            )
        dense = np.hstack([dense, extra])
    return runtime.featurizer().transform(texts), dense, rules, seen


def cross_validate(variants: Sequence[str] = VARIANTS, log: bool = True) -> dict[str, Any]:
    """Per variant: the grid point ``type_model.train`` would choose and its CV figures."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    from vigie.analysis.builtin.type.analyzer import reread
    from vigie.analysis.training import runtime

    rows = type_model.labelled()
    target = np.array([r["type"] for r in rows])
    learnable = target != "spam"
    kept = np.flatnonzero(learnable)
    gold = target[learnable]
    with_platform = type_model.items_of(rows)
    conditions = {
        "platform": with_platform,
        "no_platform": [replace(item, platform="") for item in with_platform],
    }
    found = {name: analyze(items) for name, items in conditions.items()}
    folds = list(
        StratifiedKFold(n_splits=type_model.FOLDS, shuffle=True, random_state=type_model.SEED).split(
            np.zeros(len(kept)), gold
        )
    )
    report: dict[str, Any] = {}
    for variant in variants:
        built = {name: inputs(items, found[name], variant) for name, items in conditions.items()}
        grid: list[dict[str, Any]] = []
        with threadpool_limits(1):
            for weight in type_model.DENSE_WEIGHT_GRID:
                matrices = {
                    name: type_model.design(tfidf, dense, weight)[learnable]
                    for name, (tfidf, dense, _, _) in built.items()
                }
                for c in type_model.C_GRID:
                    for balanced in type_model.BALANCED_GRID:
                        predicted = {name: np.empty(len(kept), dtype=object) for name in conditions}
                        for fit_rows, test_rows in folds:
                            # Fitted on the training rows as the shipped model is (platform given).
                            fitted = type_model._fit(
                                matrices["platform"][fit_rows], gold[fit_rows], c, balanced
                            )
                            for name, matrix in matrices.items():
                                scores = fitted.decision(matrix[test_rows])
                                predicted[name][test_rows] = [
                                    fitted.classes[k] for k in scores.argmax(axis=1).tolist()
                                ]
                        point: dict[str, Any] = {"dense_weight": weight, "C": c, "balanced": balanced}
                        for name, items in conditions.items():
                            rules = np.array(built[name][2])[learnable]
                            answer = np.where(rules == "spam", "spam", predicted[name])
                            final = np.array(
                                [
                                    reread(items[i], runtime.item_text(items[i]), a, built[name][3][i])
                                    for i, a in zip(kept, answer, strict=True)
                                ]
                            )
                            point[f"cv_{name}"] = {
                                "macro_f1": round(type_model._macro_f1(gold, answer), 4),
                                "accuracy": round(float(np.mean(gold == answer)), 4),
                                "final_macro_f1": round(type_model._macro_f1(gold, final), 4),
                                "final_accuracy": round(float(np.mean(gold == final)), 4),
                            }
                        grid.append(point)
        # The shipped recipe's choice: the best CV macro-F1 (then accuracy), platform given.
        best = max(grid, key=lambda g: (g["cv_platform"]["macro_f1"], g["cv_platform"]["accuracy"]))
        report[variant] = best
        if log:
            print(f"  {variant}: {json.dumps(best)}", flush=True)
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m vigie.analysis.training.type_inputs", description=__doc__
    )
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    options = parser.parse_args(argv)
    print(json.dumps(cross_validate(options.variants, log=False), indent=1))


if __name__ == "__main__":
    main()
