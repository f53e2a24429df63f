"""Sentiment analyzer: polarity label and score in [-1, 1], and an estimated star rating 1.0–5.0."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.training import runtime

# Platforms whose mentions are short social posts: the tweet model (3 classes, trained on
# tweets) reads them better than the review model.
SOCIAL_PLATFORMS = frozenset(
    {
        "twitter",
        "x",
        "facebook",
        "instagram",
        "tiktok",
        "linkedin",
        "reddit",
        "youtube",
        "mastodon",
        "bluesky",
    }
)
SHORT_POST = 280
# |score| below this is "neutral" for reviews (the review model is binary).
NEUTRAL_BAND = 0.35


def _is_social(item: Item) -> bool:
    if item.platform.lower() in SOCIAL_PLATFORMS:
        return True
    return item.rating is None and not item.title and len(item.text) <= SHORT_POST and "@" in item.text


class SentimentAnalyzer(Analyzer):
    """Trained linear models on hashed word + char n-grams (see docs/models.md)."""

    name: ClassVar[str] = "sentiment"
    version: ClassVar[str] = "1.0"
    provides: ClassVar[frozenset[str]] = frozenset({"sentiment", "stars"})

    def load(self) -> None:
        """Load the IDF vector and the polarity, stars and tweet models."""
        runtime.featurizer()
        for name in ("polarity", "stars", "tweets"):
            runtime.model(name)

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        """Label, score and stars for each item."""
        if not batch:
            return []
        matrix = runtime.features(batch)
        positive = runtime.model("polarity").proba(matrix)[:, 1]
        star_scores = runtime.model("stars").decision(matrix)
        star_probs = np.exp(star_scores - star_scores.max(axis=1, keepdims=True))
        star_probs /= star_probs.sum(axis=1, keepdims=True)
        stars = star_probs @ np.arange(1, 6, dtype=np.float32)
        tweet = runtime.model("tweets").proba(matrix)
        results: list[Results] = []
        for i, item in enumerate(batch):
            if _is_social(item):
                score = float(tweet[i, 2] - tweet[i, 0])
                label = ("negative", "neutral", "positive")[int(tweet[i].argmax())]
            else:
                score = float(2 * positive[i] - 1)
                label = "neutral" if abs(score) < NEUTRAL_BAND else ("positive" if score > 0 else "negative")
            results.append(
                {
                    "sentiment": {"label": label, "score": round(score, 3)},
                    "stars": round(float(np.clip(stars[i], 1.0, 5.0)), 2),
                }
            )
        return results
