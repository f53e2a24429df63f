"""Synonyms learned from data for theme matching: PPMI word co-occurrence + truncated SVD over the
review corpora, then each frequent word stem's nearest neighbours, shipped as JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.linalg import svds  # type: ignore[import-untyped]

from vigie.analysis.builtin.themes.analyzer import _WORD, MIN_STEM, fold, stem

VOCABULARY = 15_000
MIN_COUNT = 10
WINDOW = 4
DIMENSIONS = 80
NEIGHBOURS = 4
MIN_SIMILARITY = 0.55


def learn(texts: Sequence[str], seed: int) -> dict[str, list[str]]:
    """``{stem: [nearest stems]}`` for the frequent stems of ``texts``."""
    docs = [[stem(w) for w in _WORD.findall(fold(t))] for t in texts]
    counts = Counter(w for doc in docs for w in doc if len(w) >= MIN_STEM and not w.isdigit())
    vocab = [w for w, c in counts.most_common(VOCABULARY) if c >= MIN_COUNT]
    ids = {w: i for i, w in enumerate(vocab)}
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for doc in docs:
        seq = np.array([ids.get(w, -1) for w in doc], dtype=np.int32)
        for offset in range(1, WINDOW + 1):
            a, b = seq[:-offset], seq[offset:]
            keep = (a >= 0) & (b >= 0) & (a != b)
            left.append(a[keep])
            right.append(b[keep])
    rows = np.concatenate(left + right)
    cols = np.concatenate(right + left)
    size = len(vocab)
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(size, size))
    total = matrix.sum()
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    col_sums = np.asarray(matrix.sum(axis=0)).ravel() ** 0.75
    col_sums *= row_sums.sum() / col_sums.sum()
    coo = matrix.tocoo()
    pmi = np.log(coo.data * total / (row_sums[coo.row] * col_sums[coo.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(size, size))
    u, s, _ = svds(ppmi, k=DIMENSIONS, random_state=seed)
    vectors = u * np.sqrt(s)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    found: dict[str, list[str]] = {}
    for start in range(0, size, 2000):
        sims = vectors[start : start + 2000] @ vectors.T
        for offset, row in enumerate(sims):
            i = start + offset
            row[i] = -1
            best = np.argsort(-row)[:NEIGHBOURS]
            close = [vocab[j] for j in best if row[j] >= MIN_SIMILARITY]
            if close:
                found[vocab[i]] = close
    return found


def save(found: dict[str, list[str]], path: Path) -> None:
    """Write the neighbour table as compact JSON."""
    path.write_text(json.dumps(found, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
