"""Organisation-specific sentiment model for ``vigie retrain``: hashed word and character n-grams
and a logistic regression (fitted by SGD), trained on the organisation's own free labels (platform star ratings)
and agents' corrections.

Weights are kept as JSON (feature index -> per-class weights, only the non-zero ones), so nothing
is pickled. Pure: no database here; ``vigie.analysis.actions`` stores and applies the model.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

N_FEATURES = 2**18
LABELS = ("negative", "neutral", "positive")
HELD_BACK_SHARE = 5  # one mention in five, chosen by a hash of its id, is kept for evaluation
PRUNE_BELOW = 1e-4


def _sklearn(name: str) -> Any:
    # scikit-learn ships no type information; importing by name keeps mypy strict elsewhere.
    return importlib.import_module(f"sklearn.{name}")


def stars_to_label(stars: float) -> str:
    """Platform ratings as polarity labels: 1–2 negative, 3 neutral, 4–5 positive."""
    if stars <= 2.5:
        return "negative"
    if stars < 3.5:
        return "neutral"
    return "positive"


def is_held_back(key: str | int) -> bool:
    """Whether this example belongs to the evaluation slice (stable across runs)."""
    return zlib.crc32(str(key).encode()) % HELD_BACK_SHARE == 0


def _features(texts: Sequence[str]) -> Any:
    text_module = _sklearn("feature_extraction.text")
    words = text_module.HashingVectorizer(
        n_features=N_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm="l2"
    ).transform(texts)
    chars = text_module.HashingVectorizer(
        n_features=N_FEATURES, analyzer="char_wb", ngram_range=(2, 4), alternate_sign=False, norm="l2"
    ).transform(texts)
    return (words + chars).tocsr()


@dataclass(frozen=True)
class SentimentModel:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    coef: dict[int, tuple[float, ...]]

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, seed: int = 0) -> SentimentModel:
        """Fit on ``texts`` and their polarity ``labels`` (at least two different labels)."""
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two different labels")
        # Logistic loss by stochastic gradient: ten times faster than lbfgs or saga on 2^18 hashed
        # features, for the same accuracy on a few thousand examples.
        model = _sklearn("linear_model").SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=30, tol=None, random_state=seed
        )
        model.fit(_features(texts), list(labels))
        classes = tuple(str(c) for c in model.classes_)
        weights = model.coef_
        intercept = [float(v) for v in model.intercept_]
        if len(classes) == 2:  # binary: one row of weights, for the second class
            weights = [[0.0] * weights.shape[1], weights[0]]
            intercept = [0.0, intercept[0]]
        columns = np.asarray(weights, dtype=float).T  # features x classes
        kept = np.nonzero(np.abs(columns).max(axis=1) >= PRUNE_BELOW)[0]
        coef = {int(index): tuple(round(float(v), 5) for v in columns[index]) for index in kept}
        return cls(classes, tuple(intercept), coef)

    @cached_property
    def _dense(self) -> np.ndarray:
        weights = np.zeros((N_FEATURES, len(self.classes)))
        for index, row in self.coef.items():
            weights[index] = row
        return weights

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Class probabilities per text (softmax of the linear scores)."""
        logits = _features(texts) @ self._dense + np.array(self.intercept)
        logits -= logits.max(axis=1, keepdims=True)
        exps = np.exp(logits)
        probabilities = exps / exps.sum(axis=1, keepdims=True)
        return [dict(zip(self.classes, (float(p) for p in row), strict=True)) for row in probabilities]

    def predict(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """``{"label", "score"}`` per text; ``score`` in [-1, 1] is P(positive) − P(negative)."""
        answers = []
        for probabilities in self.scores(texts):
            label = max(probabilities, key=lambda name: probabilities[name])
            score = probabilities.get("positive", 0.0) - probabilities.get("negative", 0.0)
            answers.append({"label": label, "score": round(score, 4)})
        return answers

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "intercept": list(self.intercept),
            "coef": {str(k): list(v) for k, v in self.coef.items()},
            "n_features": N_FEATURES,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentimentModel:
        if data.get("n_features") != N_FEATURES:
            raise ValueError("this model was trained with another feature space: run vigie retrain again")
        return cls(
            tuple(data["classes"]),
            tuple(float(v) for v in data["intercept"]),
            {int(k): tuple(float(x) for x in v) for k, v in data["coef"].items()},
        )


def accuracy(predicted: Sequence[str | None], truth: Sequence[str]) -> float:
    if not truth:
        return 0.0
    return sum(1 for p, t in zip(predicted, truth, strict=True) if p == t) / len(truth)
