"""Near-duplicate detection for short texts: word-trigram shingles and a bottom-k sketch.

Two reviews that share most of their word trigrams were almost certainly written from one
another. The sketch (the ``SKETCH_SIZE`` smallest shingle hashes) is a MinHash with one hash
function: texts whose Jaccard similarity is high share sketch values with high probability, so the
sketch values serve as index keys to find candidates, and the exact Jaccard of the shingle sets
confirms them. Hashes are CRC-32, stable across processes, so sketches can be stored.
"""

from __future__ import annotations

import re
import zlib

SKETCH_SIZE = 4
MIN_WORDS = 8  # shorter texts ("Très bon accueil, merci") are alike by nature, not by copying
# One word changed in a 15-word text already drops the trigram Jaccard to 0.6.
NEAR_DUPLICATE = 0.5

_WORD_RE = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def shingles(text: str) -> frozenset[int]:
    """Hashes of the word trigrams of ``text`` (case ignored); empty if too short."""
    words = _words(text)
    if len(words) < MIN_WORDS:
        return frozenset()
    # Each word encoded once, then every step in C (map, zip, bytes.join): the UTF-8 of
    # "a b c" is the UTF-8 of a, b and c joined by b" ", so the hashes are those of the joined
    # strings, and a Python-level loop over trigrams cost more than the rest of the analyzer.
    encoded = list(map(str.encode, words))
    trigrams = zip(encoded, encoded[1:], encoded[2:], strict=False)  # the later ones run out first
    return frozenset(map(zlib.crc32, map(b" ".join, trigrams)))


def sketch(shingle_set: frozenset[int]) -> list[int]:
    """The ``SKETCH_SIZE`` smallest hashes: a one-permutation MinHash of the set."""
    # Sorting a few dozen hashes in C beats heapq's Python-level selection (same result).
    return sorted(shingle_set)[:SKETCH_SIZE]


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
