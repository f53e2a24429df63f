"""Featurisation shared by training and inference: hashed word and character n-grams.

Hashing keeps the shipped models small (no vocabulary to store) and the vectoriser stateless;
only an IDF vector and linear coefficients are saved, as ``.npz`` arrays plus a JSON header.
Character n-grams are computed once per distinct token and memoised: real text is Zipfian, so
almost every token is a cache hit and featurisation costs a few dictionary look-ups per word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.utils import murmurhash3_32  # type: ignore[import-untyped]

N_FEATURES = 2**18
_MASK = N_FEATURES - 1
_CACHE_LIMIT = 400_000

_URL = re.compile(r"https?://\S*|www\.\S+")
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}")
_TOKEN = re.compile(r"\w+|[!?]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
# A negation flips the word features of the few tokens that follow it ("pas bon" ≠ "bon").
_NEGATORS = frozenset(
    [
        "ne",
        "n",
        "pas",
        "jamais",
        "plus",
        "aucun",
        "aucune",
        "rien",
        "sans",
        "ni",
        "not",
        "never",
        "no",
        "don",
        "didn",
        "isn",
        "wasn",
        "nothing",
    ]
)
_NEGATION_SCOPE = 3


def normalise(text: str) -> str:
    """Lower-case, mask URLs and user handles, squeeze long character repeats."""
    text = _URL.sub(" url ", text.lower())
    text = _USER.sub(" @user ", text)
    return _REPEAT.sub(r"\1\1\1", text)


def tokens(text: str) -> list[str]:
    """The word, punctuation-run and emoji tokens of ``text`` after normalisation."""
    return _TOKEN.findall(normalise(text))


def _hash(key: str) -> int:
    return int(murmurhash3_32(key, positive=True))


class Featurizer:
    """Word unigrams (negation-marked) and bigrams plus char 2–5-grams of each word, hashed into
    one space; sublinear TF, IDF weighting, L2 norm."""

    def __init__(self, idf: np.ndarray | None = None) -> None:
        self.idf = idf
        self._chars: dict[str, tuple[int, ...]] = {}
        self._words: dict[str, int] = {}

    def _word(self, token: str) -> int:
        value = self._words.get(token)
        if value is None:
            if len(self._words) > _CACHE_LIMIT:
                self._words.clear()
            value = self._words[token] = _hash("w" + token)
        return value

    def _char_grams(self, token: str) -> tuple[int, ...]:
        value = self._chars.get(token)
        if value is None:
            if len(self._chars) > _CACHE_LIMIT:
                self._chars.clear()
            padded = f" {token} "
            grams = [padded[i : i + n] for n in (2, 3, 4, 5) for i in range(len(padded) - n + 1)]
            value = tuple(_hash(g) & _MASK for g in grams)
            self._chars[token] = value
        return value

    def _document(self, toks: list[str]) -> list[int]:
        indices: list[int] = []
        previous = 0
        negated = 0
        for token in toks:
            word = self._word(token)
            if negated:
                indices.append(self._word("¬" + token) & _MASK)
                negated -= 1
            else:
                indices.append(word & _MASK)
            if token in _NEGATORS:
                negated = _NEGATION_SCOPE
            if previous:
                indices.append(((previous * 1_000_003) ^ word) & _MASK)
            previous = word
        return indices

    def raw(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sublinear term frequencies of the hashed n-grams of ``texts``."""
        cols: list[int] = []
        lengths: list[int] = []
        for text in texts:
            toks = tokens(text)
            indices = self._document(toks)
            for token in toks:
                indices.extend(self._char_grams(token))
            cols.extend(indices)
            lengths.append(len(indices))
        col = np.array(cols, dtype=np.int32)
        row_index = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
        data = np.ones(len(col), dtype=np.float32)
        matrix = sp.csr_matrix((data, (row_index, col)), shape=(len(texts), N_FEATURES))
        matrix.sum_duplicates()
        np.log1p(matrix.data, out=matrix.data)
        return matrix

    def fit_idf(self, texts: Sequence[str]) -> np.ndarray:
        """Compute (smoothed) inverse document frequencies on ``texts``."""
        matrix = self.raw(texts)
        df = np.bincount(matrix.indices, minlength=N_FEATURES).astype(np.float64)
        self.idf = (np.log((1 + matrix.shape[0]) / (1 + df)) + 1).astype(np.float32)
        return self.idf

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The L2-normalised TF-IDF matrix of ``texts``."""
        matrix = self.raw(texts)
        if self.idf is not None:
            matrix.data *= self.idf[matrix.indices]
        lengths = np.diff(matrix.indptr)
        row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
        squares = np.bincount(row_of, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0])
        norms = np.sqrt(squares).astype(np.float32)
        norms[norms == 0] = 1
        matrix.data /= np.repeat(norms, lengths)
        return matrix
