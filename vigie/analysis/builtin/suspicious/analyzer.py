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

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

from vigie.analysis.builtin.suspicious.fingerprint import NEAR_DUPLICATE, jaccard, shingles, sketch
from vigie.analysis.contract import Analyzer, Item, Results

BURST_MIN_ACCOUNTS = 5
BURST_WINDOW = timedelta(hours=24)
LOW_RATING = 2.0
# A sketch value shared by this many texts of one batch is boilerplate ("merci pour votre réponse
# rapide"), not evidence; comparing all its pairs would also make the batch quadratic.
MAX_BUCKET = 100

# The reasons are stored as codes (``reason_codes``: ``{"code": "duplicate"}``,
# ``{"code": "burst", "count": 7}``), which the case page reads in its reader's language
# (``vigie.analysis.queries``); ``reasons`` keeps the French sentences that results held before
# version 1.2, for the readers of the JSON (``vigie analyze``, stored results).
DUPLICATE = "duplicate"
BURST = "burst"
REASON_DUPLICATE = "Texte quasi identique à celui d'un autre auteur"
REASON_BURST = "Vague de notes basses venant de comptes récents ({count} en 24 heures)"
_LEGACY_BURST = re.compile(r"^Vague de notes basses venant de comptes récents \((\d+) en 24 heures\)$")


def reason(code: str, **params: int) -> dict[str, Any]:
    """One reason as stored in ``reason_codes``."""
    return {"code": code, **params}


def reason_sentence(entry: dict[str, Any]) -> str:
    """The French sentence of a reason (what ``reasons`` holds)."""
    if entry.get("code") == BURST:
        return REASON_BURST.format(count=entry.get("count", 0))
    return REASON_DUPLICATE if entry.get("code") == DUPLICATE else str(entry.get("code", ""))


def reason_codes(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The reasons of a stored ``suspicious`` answer as codes; a result stored before version 1.2
    has only the French sentences, read back into codes (an unknown sentence keeps its text as
    ``{"code": "other", "text": ...}``)."""
    stored = answer.get("reason_codes")
    if isinstance(stored, list):
        return [dict(entry) for entry in stored if isinstance(entry, dict) and entry.get("code")]
    codes: list[dict[str, Any]] = []
    for sentence in answer.get("reasons") or []:
        burst = _LEGACY_BURST.match(str(sentence))
        if sentence == REASON_DUPLICATE:
            codes.append(reason(DUPLICATE))
        elif burst:
            codes.append(reason(BURST, count=int(burst.group(1))))
        else:
            codes.append({"code": "other", "text": str(sentence)})
    return codes


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
    """``{"suspicious": bool, "reasons": [French sentence, ...], "reason_codes": [{"code": ...}, ...],
    "sketch": [int, ...]}``."""

    name = "suspicious"
    version = "1.2"
    provides: ClassVar[frozenset[str]] = frozenset({"suspicious"})

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        sets = [shingles(item.text) for item in batch]
        sketches = [sketch(shingle_set) for shingle_set in sets]
        duplicates = _near_duplicates(batch, sets, sketches)
        bursts = _bursts(batch)
        answers: list[Results] = []
        for position in range(len(batch)):
            codes = []
            if position in duplicates:
                codes.append(reason(DUPLICATE))
            if position in bursts:
                codes.append(reason(BURST, count=bursts[position]))
            answers.append(
                {
                    "suspicious": {
                        "suspicious": bool(codes),
                        "reasons": [reason_sentence(entry) for entry in codes],
                        "reason_codes": codes,
                        "sketch": sketches[position],
                    }
                }
            )
        return answers
