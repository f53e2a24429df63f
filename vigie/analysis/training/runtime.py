"""Inference helpers shared by the built-in analyzers: one featurizer, models loaded once, and the
feature matrix of the current batch computed once for all the analyzers that need it, as are the
products of that matrix with every loaded model."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from vigie.analysis.contract import Item
from vigie.analysis.training.features import Featurizer
from vigie.analysis.training.linear import LinearModel, load_idf

_lock = threading.Lock()
_last: tuple[tuple[str, ...], sp.csr_matrix] | None = None


@cache
def featurizer() -> Featurizer:
    """The shared featurizer with the shipped IDF vector."""
    return Featurizer(load_idf())


_models: dict[str, LinearModel] = {}
# The coefficients of every loaded model side by side, and each model's columns among them.
_stack: tuple[np.ndarray, dict[str, slice]] | None = None
_last_products: tuple[sp.csr_matrix, np.ndarray, dict[str, slice]] | None = None


def model(name: str) -> LinearModel:
    """A shipped linear model, loaded once per process."""
    global _stack
    found = _models.get(name)
    if found is None:
        with _lock:
            found = _models.get(name)
            if found is None:
                found = _models[name] = LinearModel.load(name)
                _stack = None
    return found


def prepare() -> None:
    """Put the loaded models' coefficients side by side now, at load time: not in the first batch,
    and before ``vigie analyze`` forks its workers, which then share them."""
    _stacked()


def _stacked() -> tuple[np.ndarray, dict[str, slice]]:
    global _stack
    with _lock:
        if _stack is None:
            columns: dict[str, slice] = {}
            start = 0
            for name, loaded in _models.items():
                width = loaded.coef_t.shape[1]
                columns[name] = slice(start, start + width)
                start += width
            weights = np.ascontiguousarray(np.hstack([loaded.coef_t for loaded in _models.values()]))
            _stack = (weights, columns)
        return _stack


def proba(name: str, batch: Sequence[Item]) -> np.ndarray:
    """Class probabilities of model ``name`` for ``batch`` (as ``model(name).proba(features(batch))``).

    The batch's feature matrix is multiplied once by the coefficients of every loaded model side
    by side: one pass over its non-zero features instead of one per model, and each output cell
    is the same sum, in the same order, as the model's own product gives.
    """
    global _last_products
    wanted = model(name)
    matrix = features(batch)
    with _lock:
        last = _last_products
    if last is None or last[0] is not matrix or name not in last[2]:
        weights, columns = _stacked()
        last = (matrix, np.asarray(matrix @ weights, dtype=np.float32), columns)
        with _lock:
            _last_products = last
    return wanted.probabilities(last[1][:, last[2][name]] + wanted.intercept)


def item_text(item: Item) -> str:
    """The text an analyzer reads: the title (when there is one) then the body."""
    return f"{item.title}. {item.text}" if item.title else item.text


def features(batch: Sequence[Item]) -> sp.csr_matrix:
    """TF-IDF rows of ``batch``; the last batch is memoised so the sentiment, toxicity and type
    analyzers of one pipeline pass featurise each text once."""
    global _last
    texts = tuple(item_text(item) for item in batch)
    with _lock:
        if _last is not None and _last[0] == texts:
            return _last[1]
    matrix = featurizer().transform(texts)
    with _lock:
        _last = (texts, matrix)
    return matrix
