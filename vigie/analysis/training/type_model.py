"""The trained mention-type model: a multinomial logistic regression over the shared hashed TF-IDF
features plus a few dense features the type analyzer already has (the rules' answer, the sentiment
and toxicity results, a "?", the request and suggestion patterns).

Trained by ``python -m vigie.analysis.train`` on the hand-labelled ``evaldata/type_eval.jsonl`` and
``evaldata/type_train.jsonl`` (docs/labelling-guide.md); hyper-parameters are chosen by seeded
cross-validation on those rows only. ``evaldata/type_heldout.jsonl`` is never read here: it is the
held-out measure (``python -m vigie.analysis.evaluate``). The sentiment and toxicity results used as
features are those of the shipped analyzers, so train after they are saved.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from vigie.analysis.contract import Item, Results
from vigie.analysis.training.linear import MODEL_DIR, LinearModel

NAME = "type"
SEED = 20261130
TYPES = ("question", "complaint", "praise", "suggestion", "troll", "spam", "other")
EVALDATA = Path(__file__).resolve().parent.parent / "evaldata"
TRAINING_SETS = ("type_eval.jsonl", "type_train.jsonl")
SOCIAL_SETS = ("mlma_hate_speech", "umsab_tweets")
DENSE = (
    *(f"rules={t}" for t in TYPES),
    "sentiment_score",
    "sentiment_negative",
    "sentiment_neutral",
    "sentiment_positive",
    "toxicity_score",
    "toxic",
    "abusive_category",
    "question_mark",
    "request_words",
    "suggestion_words",
    "log_length",
    "social_post",
)
# Grid searched by cross-validation: regularisation, weight of the dense block against the
# TF-IDF block (whose rows have unit norm), and class balancing.
C_GRID = (1.0, 4.0, 16.0)
DENSE_WEIGHT_GRID = (0.5, 1.0, 2.0)
BALANCED_GRID = (False, True)
FOLDS = 5
MIN_ROWS = 2


def dense_features(items: Sequence[Item], previous: Sequence[Results], rules: Sequence[str]) -> np.ndarray:
    """The dense block, shape (n, len(DENSE)), from the item (its text, whether it is a social
    post), its sentiment and toxicity results and the rules' answer."""
    # Imported here: the analyzers import this module to load the model.
    from vigie.analysis.builtin.sentiment.analyzer import _is_social
    from vigie.analysis.builtin.type import analyzer as type_rules
    from vigie.analysis.training.runtime import item_text

    texts = [item_text(item) for item in items]

    rows = np.zeros((len(texts), len(DENSE)), dtype=np.float32)
    base = len(TYPES)
    for i, (text, prior, rule) in enumerate(zip(texts, previous, rules, strict=True)):
        sentiment = prior.get("sentiment") or {}
        toxicity = prior.get("toxicity") or {}
        lower = text.lower()
        rows[i, TYPES.index(rule)] = 1.0
        rows[i, base] = float(sentiment.get("score", 0.0))
        label = str(sentiment.get("label", "neutral"))
        rows[i, base + 1 + ("negative", "neutral", "positive").index(label)] = 1.0
        rows[i, base + 4] = float(toxicity.get("score", 0.0))
        rows[i, base + 5] = float(bool(toxicity.get("toxic", False)))
        rows[i, base + 6] = float(bool({"insult", "hate", "threat"} & set(toxicity.get("categories", []))))
        rows[i, base + 7] = float("?" in text)
        rows[i, base + 8] = float(
            any(map(lower.__contains__, type_rules._REQUEST_WORDS)) and bool(type_rules._REQUEST.search(text))
        )
        rows[i, base + 9] = float(
            any(map(lower.__contains__, type_rules._SUGGESTION_WORDS))
            and bool(type_rules._SUGGESTION.search(text))
        )
        rows[i, base + 10] = math.log1p(len(text)) / 6.0
    # A review platform or a social network: the same negative words are a complaint in a review
    # and often a remark about someone else in a tweet.
    rows[:, base + 11] = [float(_is_social(item)) for item in items]
    return rows


def design(tfidf: sp.csr_matrix, dense: np.ndarray, dense_weight: float) -> sp.csr_matrix:
    """The model's input: the TF-IDF rows, then the weighted dense block."""
    return sp.hstack([tfidf, sp.csr_matrix(dense * dense_weight)], format="csr")


class TypeModel:
    """The shipped model and how to apply it to a batch the analyzer has already scored by rules."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self.dense_weight = float(model.meta["dense_weight"])

    def predict(
        self, tfidf: sp.csr_matrix, items: Sequence[Item], previous: Sequence[Results], rules: Sequence[str]
    ) -> list[str]:
        """The type of each item; the rules' spam verdict is kept (4 spam examples are too few to learn),
        and a rated review is a troll only when the rules say so."""
        dense = dense_features(items, previous, rules) * self.dense_weight
        width = tfidf.shape[1]
        # The two blocks are multiplied apart: stacking them would copy the sparse matrix per batch.
        coef_t = self.model.coef_t
        scores = np.asarray(tfidf @ coef_t[:width]) + dense @ coef_t[width:] + self.model.intercept
        # Every troll of the training data is a tweet or a forum message, every complaint a review:
        # on a review with a rating (feedback to the organisation by construction) the model's troll
        # mostly means "short, negative, toxicity model fooled" ("Attente de 45 minutes… Très
        # déçue." scores 0.57 toxic). There the rules' stricter troll evidence decides.
        if "troll" in self.model.classes:
            troll = self.model.classes.index("troll")
            rated = [
                item.rating is not None and rule != "troll" for item, rule in zip(items, rules, strict=True)
            ]
            scores[np.array(rated, dtype=bool), troll] = -np.inf
        answers = [self.model.classes[k] for k in scores.argmax(axis=1).tolist()]
        return ["spam" if rule == "spam" else answer for answer, rule in zip(answers, rules, strict=True)]


@cache
def shipped() -> TypeModel | None:
    """The model shipped in the package, loaded once per process (None when absent)."""
    return load()


def load(directory: Path = MODEL_DIR) -> TypeModel | None:
    """The shipped type model, or None when its files are absent (the analyzer then keeps the rules)."""
    if not (directory / f"{NAME}.npz").exists() or not (directory / f"{NAME}.json").exists():
        return None
    return TypeModel(LinearModel.load(NAME, directory))


def labelled(names: Sequence[str] = TRAINING_SETS) -> list[dict[str, str]]:
    """The labelled rows of ``names`` with their texts (looked up in the public sets)."""
    from vigie.analysis.training.evaluate import type_texts

    texts = type_texts()
    rows = []
    for name in names:
        for line in (EVALDATA / name).read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                key = (row["dataset"], row["row"])
                if key in texts:
                    rows.append({**row, "text": texts[key]})
    return rows


def items_of(rows: Sequence[dict[str, str]]) -> list[Item]:
    """Items as the evaluation builds them (tweets come from a social platform)."""
    return [
        Item(id=str(i), text=r["text"], platform="twitter" if r["dataset"].startswith(SOCIAL_SETS) else "")
        for i, r in enumerate(rows)
    ]


def _inputs(items: Sequence[Item]) -> tuple[sp.csr_matrix, np.ndarray]:
    """TF-IDF rows and rule-based dense block of ``items``, through the shipped analyzers."""
    from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
    from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer
    from vigie.analysis.builtin.type.analyzer import classify
    from vigie.analysis.training import runtime

    previous: list[Results] = [{} for _ in items]
    for analyzer in (SentimentAnalyzer(), ToxicityAnalyzer()):
        for row, new in zip(previous, analyzer.analyze(items, previous), strict=True):
            row.update(new)
    texts = [runtime.item_text(item) for item in items]
    rules = [classify(t, p.get("sentiment"), p.get("toxicity")) for t, p in zip(texts, previous, strict=True)]
    return runtime.featurizer().transform(texts), dense_features(items, previous, rules)


def _macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    scores = []
    for label in np.unique(gold):
        tp = int(np.sum((gold == label) & (pred == label)))
        fp = int(np.sum((gold != label) & (pred == label)))
        fn = int(np.sum((gold == label) & (pred != label)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def _fit(matrix: sp.csr_matrix, target: np.ndarray, c: float, balanced: bool) -> LinearModel:
    """Fit on the columns seen in at least ``MIN_ROWS`` rows; the others get zero weight. A column
    seen in one text cannot be weighed against anything, and dropping them makes L-BFGS several
    times faster (it otherwise updates 7 x 2**18 coefficients)."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    used = np.flatnonzero(matrix.getnnz(axis=0) >= MIN_ROWS)
    model = LogisticRegression(
        C=c, max_iter=2000, class_weight="balanced" if balanced else None, random_state=SEED
    ).fit(matrix[:, used], target)
    coef = np.zeros((len(model.classes_), matrix.shape[1]), dtype=np.float64)
    coef[:, used] = model.coef_
    return LinearModel(NAME, [str(k) for k in model.classes_], coef, model.intercept_)


def train(directory: Path = MODEL_DIR, log: bool = True) -> dict[str, Any]:
    """Choose the hyper-parameters by stratified cross-validation on the labelled training rows,
    fit on all of them and save ``type.npz`` + ``type.json``; returns the saved metadata."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    rows = labelled()
    tfidf, dense = _inputs(items_of(rows))
    target = np.array([r["type"] for r in rows])
    rules = np.array([TYPES[k] for k in dense[:, : len(TYPES)].argmax(axis=1)])
    # Spam (a handful of rows) cannot be stratified nor learnt: the rules keep it at inference.
    learnable = target != "spam"
    folds = list(
        StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(
            np.zeros(int(learnable.sum())), target[learnable]
        )
    )
    grid: list[dict[str, Any]] = []
    with threadpool_limits(1):  # one BLAS thread: the same floating-point sums on every run
        for weight in DENSE_WEIGHT_GRID:
            matrix = design(tfidf, dense, weight)[learnable]
            for c in C_GRID:
                for balanced in BALANCED_GRID:
                    pred = np.empty(int(learnable.sum()), dtype=object)
                    for fit_rows, test_rows in folds:
                        fitted = _fit(matrix[fit_rows], target[learnable][fit_rows], c, balanced)
                        scores = fitted.decision(matrix[test_rows])
                        pred[test_rows] = [fitted.classes[k] for k in scores.argmax(axis=1).tolist()]
                    pred = np.where(rules[learnable] == "spam", "spam", pred)
                    gold = target[learnable]
                    grid.append(
                        {
                            "dense_weight": weight,
                            "C": c,
                            "balanced": balanced,
                            "cv_macro_f1": round(_macro_f1(gold, pred), 4),
                            "cv_accuracy": round(float(np.mean(gold == pred)), 4),
                        }
                    )
                    if log:
                        print(f"  type CV {grid[-1]}", flush=True)
        best = max(grid, key=lambda g: (g["cv_macro_f1"], g["cv_accuracy"]))
        matrix = design(tfidf, dense, best["dense_weight"])[learnable]
        model = _fit(matrix, target[learnable], best["C"], best["balanced"])
    gold = target[learnable]
    rules_cv = {
        "macro_f1": round(_macro_f1(gold, rules[learnable]), 4),
        "accuracy": round(float(np.mean(gold == rules[learnable])), 4),
    }
    meta = {
        "kind": "multinomial",
        "trained_on": list(TRAINING_SETS),
        "rows": int(learnable.sum()),
        "C": best["C"],
        "dense_weight": best["dense_weight"],
        "class_weight": "balanced" if best["balanced"] else None,
        "min_rows_per_column": MIN_ROWS,
        "dense": list(DENSE),
        "cv_folds": FOLDS,
        "cv_macro_f1": best["cv_macro_f1"],
        "cv_accuracy": best["cv_accuracy"],
        "rules_on_same_rows": rules_cv,
        "seed": SEED,
        "answer": "argmax; the rules' spam verdict is kept",
    }
    model.meta = meta
    model.save(directory)
    return meta
