"""Linear models stored without pickles: coefficients in ``NAME.npz``, metadata in ``NAME.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

MODEL_DIR = Path(__file__).resolve().parent.parent / "modelfiles"


@dataclass
class LinearModel:
    """``scores = X @ coef.T + intercept``; one row of ``coef`` per class (one row for binary)."""

    name: str
    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The product reads one row of the transposed coefficients per non-zero feature: keep it
        # contiguous once, instead of letting scipy copy the transposed view on every batch.
        self.coef_t = np.ascontiguousarray(self.coef.T)

    def decision(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores, shape (n, rows of coef)."""
        return np.asarray(matrix @ self.coef_t, dtype=np.float32) + self.intercept

    def proba(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Class probabilities, shape (n, len(classes)) (sigmoid for binary, softmax otherwise)."""
        return self.probabilities(self.decision(matrix))

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Class probabilities from raw linear scores (those of :meth:`decision`)."""
        if len(self.classes) == 2 and scores.shape[1] == 1:
            positive = 1 / (1 + np.exp(-scores[:, 0]))
            return np.stack([1 - positive, positive], axis=1)
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, directory: Path = MODEL_DIR) -> None:
        """Write ``NAME.npz`` (float16 coefficients, compressed) and ``NAME.json``."""
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            directory / f"{self.name}.npz",
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
        )
        header = {"name": self.name, "classes": self.classes, **self.meta}
        (directory / f"{self.name}.json").write_text(json.dumps(header, indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, name: str, directory: Path = MODEL_DIR) -> LinearModel:
        """Read a model written by :meth:`save`."""
        header = json.loads((directory / f"{name}.json").read_text())
        with np.load(directory / f"{name}.npz", allow_pickle=False) as arrays:
            coef = arrays["coef"].astype(np.float32)
            intercept = arrays["intercept"].astype(np.float32)
        classes = header.pop("classes")
        header.pop("name", None)
        return cls(name=name, classes=classes, coef=coef, intercept=intercept, meta=header)


def save_idf(idf: np.ndarray, directory: Path = MODEL_DIR) -> None:
    """Ship the shared IDF vector."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "idf.npz", idf=idf.astype(np.float16))


def load_idf(directory: Path = MODEL_DIR) -> np.ndarray:
    """The shared IDF vector written by :func:`save_idf`."""
    with np.load(directory / "idf.npz", allow_pickle=False) as arrays:
        return arrays["idf"].astype(np.float32)
