"""Suspicious reviews: flagged with reasons for a person to judge, never deleted nor hidden.

Within a batch it looks for:

* near-duplicate texts from different authors (copy-pasted reviews);
* a burst of low ratings from brand-new accounts within 24 hours.

A third reason, "a review that does not seem to speak of the organisation" (at least 15 words,
none of the organisation's names, no theme), was dropped (version 1.1): on genuine reviews of
``../shared/data`` it flagged 7-19 % of French service reviews and 38-79 % of product reviews
(no brand named, no theme of a service taxonomy), so "Suspicious review" sat on most cases of an
English or retail organisation and meant nothing.

Each result carries the text's sketch so that ``vigie.analysis.actions`` can also compare new
mentions with the organisation's history (the per-organisation store), which one batch cannot see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import ClassVar

from vigie.analysis.builtin.suspicious.fingerprint import NEAR_DUPLICATE, jaccard, shingles, sketch
from vigie.analysis.contract import Analyzer, Item, Results

BURST_MIN_ACCOUNTS = 5
BURST_WINDOW = timedelta(hours=24)
LOW_RATING = 2.0
# A sketch value shared by this many texts of one batch is boilerplate ("merci pour votre réponse
# rapide"), not evidence; comparing all its pairs would also make the batch quadratic.
MAX_BUCKET = 100

REASON_DUPLICATE = "Texte quasi identique à celui d'un autre auteur"
REASON_BURST = "Vague de notes basses venant de comptes récents ({count} en 24 heures)"


def is_new_account(item: Item) -> bool:
    """An author of whom this is the first mention and who has (almost) no audience."""
    return (
        item.author_mentions_count is not None
        and item.author_mentions_count <= 1
        and (item.author_followers is None or item.author_followers < 10)
    )


def _near_duplicates(
    batch: Sequence[Item], sets: list[frozenset[int]], sketches: list[list[int]]
) -> set[int]:
    index: dict[int, list[int]] = defaultdict(list)
    for position, values in enumerate(sketches):
        for value in values:
            index[value].append(position)
    flagged: set[int] = set()
    for positions in index.values():
        if not 2 <= len(positions) <= MAX_BUCKET:
            continue
        for i, first in enumerate(positions):
            for second in positions[i + 1 :]:
                if batch[first].author_id and batch[first].author_id == batch[second].author_id:
                    continue  # the same person posting twice is not a fake-review ring
                if jaccard(sets[first], sets[second]) >= NEAR_DUPLICATE:
                    flagged.update((first, second))
    return flagged


def _bursts(batch: Sequence[Item]) -> dict[int, int]:
    """Positions in a burst of low ratings from new accounts, with the burst's size."""
    low = sorted(
        (
            (item.created_at, position)
            for position, item in enumerate(batch)
            if item.created_at is not None
            and item.rating is not None
            and item.rating <= LOW_RATING
            and is_new_account(item)
        ),
        key=lambda pair: pair[0],
    )
    flagged: dict[int, int] = {}
    start = 0
    for end in range(len(low)):
        while low[end][0] - low[start][0] > BURST_WINDOW:
            start += 1
        window = low[start : end + 1]
        authors = {batch[position].author_id or str(position) for _, position in window}
        if len(authors) >= BURST_MIN_ACCOUNTS:
            for _, position in window:
                flagged[position] = max(flagged.get(position, 0), len(window))
    return flagged


class SuspiciousAnalyzer(Analyzer):
    """``{"suspicious": bool, "reasons": [...], "sketch": [int, ...]}``."""

    name = "suspicious"
    version = "1.1"
    provides: ClassVar[frozenset[str]] = frozenset({"suspicious"})

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        sets = [shingles(item.text) for item in batch]
        sketches = [sketch(shingle_set) for shingle_set in sets]
        duplicates = _near_duplicates(batch, sets, sketches)
        bursts = _bursts(batch)
        answers: list[Results] = []
        for position in range(len(batch)):
            reasons = []
            if position in duplicates:
                reasons.append(REASON_DUPLICATE)
            if position in bursts:
                reasons.append(REASON_BURST.format(count=bursts[position]))
            answers.append(
                {
                    "suspicious": {
                        "suspicious": bool(reasons),
                        "reasons": reasons,
                        "sketch": sketches[position],
                    }
                }
            )
        return answers
