"""Inference helpers shared by the built-in analyzers: one featurizer, models loaded once, and the
feature matrix of the current batch computed once for all the analyzers that need it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache

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


@cache
def model(name: str) -> LinearModel:
    """A shipped linear model, loaded once per process."""
    return LinearModel.load(name)


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
