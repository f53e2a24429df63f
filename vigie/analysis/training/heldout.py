"""Figures that predict held-out data: ``python -m vigie.analysis.training.heldout``.

Prints one JSON object with, for every row of issue 16's table, three figures:

- ``validation``: the shipped models on each set's validation split (``data.split_of``);
- ``lodo`` (leave-one-dataset-out): a model of the same recipe trained on every set but one and
  scored on that one (its non-test rows). It predicts the figures on text the models have never
  seen (other companies, other sources) far better than a validation split of the same sets, so
  the choices (hyper-parameters, the neutral band) are made on it;
- ``test``: the shipped models on each set's test split, which no choice touched;
- ``tweet_neutral`` (only with ``--parts``): the validation figures the sentiment analyzer's
  ``TWEET_NEUTRAL`` was chosen on, per threshold.

The shipped figures run the language, sentiment and toxicity analyzers as ``vigie analyze`` does,
with no platform and no rating given. The LODO models are trained leaner than the shipped ones
(at most ``LODO_CAP`` rows per training set) to keep the run short on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import random
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from vigie.analysis.contract import Item, Results
from vigie.analysis.training import data, train
from vigie.analysis.training.evaluate import run_analyzers
from vigie.analysis.training.features import Featurizer
from vigie.analysis.training.linear import load_idf

SEED = 16
# Rows scored per set and split (a seeded sample), and rows per set when training a LODO model.
SCORED_CAP = 1500
LODO_CAP = 2500
# The five French review sets of the pooled polarity figure (books-DVD-music apart).
POOLED_FR = (
    "amazon_marc_fr",
    "fr_insurance_reviews",
    "trustpilot_fr",
    "cdiscount_trustpilot_fr",
    "fr_tripadvisor_restaurants",
)
TOXICITY_SETS = ("mlma_hate_speech/fr", "fr_toxicity/ToxiFrench")
# English toxicity (not in the table, measured as its item 4 asks): its own model.
TOXICITY_EN_SETS = ("mlma_hate_speech/en", "jigsaw_en")
TOXICITY_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
# Ordinary customer reviews per French set on which the share called toxic is measured.
REVIEWS_FOR_TOXICITY = 600
BANDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35)


def _sample(rows: Sequence[data.Example], cap: int) -> list[data.Example]:
    rows = list(rows)
    random.Random(SEED).shuffle(rows)  # noqa: S311 - a reproducible sample, not a secret
    return rows[:cap]


def _per_set(rows: Sequence[data.Example], cap: int) -> dict[str, list[data.Example]]:
    return {
        name: _sample([e for e in rows if e.dataset == name], cap)
        for name in sorted({e.dataset for e in rows})
    }


def french_reviews() -> list[data.Example]:
    return [*data.star_reviews(), *data.more_french_reviews()]


def _analyze(items: Sequence[Item]) -> list[Results]:
    """The language, sentiment, toxicity and sentence-encoder analyzers, as ``vigie analyze`` runs
    them; ``sentiment`` and ``toxicity`` are those a user sees (the encoder's where it answered).
    ``VIGIE_ENCODER=0`` leaves the encoder out, as it does for ``vigie analyze``."""
    from vigie.analysis.builtin.encoder.analyzer import EncoderSentimentAnalyzer
    from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer
    from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
    from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer
    from vigie.analysis.jsonl import user_sentiment, user_toxicity
    from vigie.analysis.registry import registered_analyzers

    analyzers: list[Any] = [LanguageAnalyzer(), SentimentAnalyzer(), ToxicityAnalyzer()]
    if EncoderSentimentAnalyzer.name in registered_analyzers():
        analyzers.append(EncoderSentimentAnalyzer())
    results = run_analyzers(analyzers, items)
    for row in results:
        row["sentiment"] = user_sentiment(row)
        row["toxicity"] = user_toxicity(row)
    return results


def _items(rows: Sequence[data.Example]) -> list[Item]:
    return [Item(id=str(i), text=e.text) for i, e in enumerate(rows)]


def _round(value: Any) -> float:
    return round(float(value), 4)


def _polarity(rows: Sequence[data.Example], labels: Sequence[str], signs: Sequence[float]) -> dict[str, Any]:
    gold = ["positive" if int(e.label) > 3 else "negative" for e in rows]
    return {
        "rows": len(rows),
        "label_accuracy": _round(np.mean([g == p for g, p in zip(gold, labels, strict=True)])),
        "sign_accuracy": _round(
            np.mean([(g == "positive") == (s > 0) for g, s in zip(gold, signs, strict=True)])
        ),
        "neutral_share": _round(np.mean([p == "neutral" for p in labels])),
    }


def _stars(gold: Sequence[int], estimated: Sequence[float]) -> dict[str, Any]:
    truth = np.array(gold)
    guess = np.clip(np.rint(estimated), 1, 5)
    return {
        "rows": len(truth),
        "exact": _round(np.mean(guess == truth)),
        "off_by_one": _round(np.mean(np.abs(guess - truth) <= 1)),
        "mae": _round(np.mean(np.abs(guess - truth))),
    }


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return _round(np.mean(scores))


def _review_figures(split: str) -> dict[str, Any]:
    """Polarity of the French and English rated reviews of ``split`` (label and sign, per set and
    pooled) and the MARC stars, as a user sees them."""
    out: dict[str, Any] = {}
    for language, rows in (("fr", french_reviews()), ("en", data.english_reviews())):
        rated = _per_set([e for e in rows if data.split_of(e.text) == split], SCORED_CAP)
        per_set: dict[str, Any] = {}
        pooled: list[tuple[data.Example, str, float]] = []
        for name, examples in rated.items():
            results = _analyze(_items(examples))
            polar = [(e, r) for e, r in zip(examples, results, strict=True) if e.label != "3"]
            per_set[name] = _polarity(
                [e for e, _ in polar],
                [r["sentiment"]["label"] for _, r in polar],
                [r["sentiment"]["score"] for _, r in polar],
            )
            if name in POOLED_FR or language == "en":
                pooled.extend((e, r["sentiment"]["label"], r["sentiment"]["score"]) for e, r in polar)
            if name.startswith("amazon_marc"):
                out[f"stars_{name}"] = _stars([int(e.label) for e in examples], [r["stars"] for r in results])
        out[f"polarity_{language}"] = {
            "pooled": _polarity([p[0] for p in pooled], [p[1] for p in pooled], [p[2] for p in pooled]),
            "per_set": per_set,
        }
    return out


def _tweet_figures(split: str) -> dict[str, Any]:
    """UMSAB's French and English tweets of ``split`` read with no platform: macro-F1 and the share
    called toxic."""
    out: dict[str, Any] = {}
    for language in ("french", "english"):
        train_file, val_file = data.tweets(language)
        rows = val_file if split == "validation" else [e for e in train_file if data.is_test(e.text)]
        results = _analyze(_items(rows))
        names = {"0": "negative", "1": "neutral", "2": "positive"}
        out[f"tweets_{language}_no_platform"] = {
            "rows": len(rows),
            "macro_f1": macro_f1([names[e.label] for e in rows], [r["sentiment"]["label"] for r in results]),
            # Ordinary tweets (news, opinions, complaints) that a user would see flagged toxic.
            "called_toxic": _round(np.mean([bool(r["toxicity"]["toxic"]) for r in results])),
        }
    return out


TWEET_NEUTRAL_GRID = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, None)


def tweet_neutral(split: str = "validation") -> dict[str, Any]:
    """How the sentiment analyzer's ``TWEET_NEUTRAL`` was chosen (docs/models.md): per threshold
    (``None``: the rule off), the pooled review polarity and the tweets' macro-F1, as a user sees
    them with the analyzers registered now (``VIGIE_ENCODER=0`` for the encoder off)."""
    from vigie.analysis.builtin.sentiment import analyzer as sentiment

    shipped_threshold = sentiment.TWEET_NEUTRAL
    out: dict[str, Any] = {}
    try:
        for threshold in TWEET_NEUTRAL_GRID:
            sentiment.TWEET_NEUTRAL = 2.0 if threshold is None else threshold
            reviews, tweets = _review_figures(split), _tweet_figures(split)
            out[str(threshold)] = {
                **{f"reviews_{lang}": reviews[f"polarity_{lang}"]["pooled"] for lang in ("fr", "en")},
                **{name: found["macro_f1"] for name, found in tweets.items()},
            }
    finally:
        sentiment.TWEET_NEUTRAL = shipped_threshold
    return out


def shipped(split: str) -> dict[str, Any]:
    """Every figure of the shipped analyzers on ``split`` ("validation" or "test")."""
    out = {**_review_figures(split), **_tweet_figures(split)}
    toxic = [e for e in data.toxicity() if data.split_of(e.text) == split]
    per_toxic = {}
    correct_all: list[bool] = []
    for name, examples in _per_set(toxic, SCORED_CAP).items():
        results = _analyze(_items(examples))
        correct = [r["toxicity"]["toxic"] == (e.label == "1") for e, r in zip(examples, results, strict=True)]
        per_toxic[name] = _round(np.mean(correct))
        if name in TOXICITY_SETS:
            correct_all.extend(correct)
    ordinary = [
        e
        for examples in _per_set(
            [e for e in data.star_reviews() if e.dataset in POOLED_FR and data.split_of(e.text) == split],
            REVIEWS_FOR_TOXICITY,
        ).values()
        for e in examples
    ]
    flagged = [r["toxicity"]["toxic"] for r in _analyze(_items(ordinary))]
    out["toxicity"] = {
        "accuracy_hate_and_toxic_prompt": _round(np.mean(correct_all)),
        "per_set": per_toxic,
        "ordinary_reviews_called_toxic": _round(np.mean(flagged)),
    }
    english_toxic = [e for e in data.toxicity_en() if data.split_of(e.text) == split]
    per_english: dict[str, float] = {}
    correct_english: list[bool] = []
    for name, examples in _per_set(english_toxic, SCORED_CAP).items():
        results = _analyze(_items(examples))
        correct = [r["toxicity"]["toxic"] == (e.label == "1") for e, r in zip(examples, results, strict=True)]
        per_english[name] = _round(np.mean(correct))
        correct_english.extend(correct)
    english_reviews = [
        e
        for examples in _per_set(
            [e for e in data.english_reviews() if data.split_of(e.text) == split], REVIEWS_FOR_TOXICITY
        ).values()
        for e in examples
    ]
    out["toxicity_en"] = {
        "accuracy": _round(np.mean(correct_english)),
        "per_set": per_english,
        "ordinary_reviews_called_toxic": _round(
            np.mean([r["toxicity"]["toxic"] for r in _analyze(_items(english_reviews))])
        ),
    }
    return out


def _lodo(
    rows: Sequence[data.Example],
    fit: Callable[[Featurizer, list[data.Example]], Any],
    score: Callable[[Any, Featurizer, list[data.Example]], dict[str, Any]],
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Train on every set but one (non-test rows, at most ``LODO_CAP`` each), score on that one."""
    featurizer = Featurizer(load_idf())
    usable = [e for e in rows if not data.is_test(e.text)]
    by_set = _per_set(usable, LODO_CAP)
    out = {}
    for name in only or sorted(by_set):
        training = [e for other, examples in by_set.items() if other != name for e in examples]
        model = fit(featurizer, training)
        out[name] = score(model, featurizer, _sample(by_set[name], SCORED_CAP))
    return out


def lodo_polarity(rows: Sequence[data.Example], c: float, *, naive_bayes: bool = False) -> dict[str, Any]:
    """Per left-out set: accuracy by sign and the neutral share at each candidate band (the
    shipped recipe: ``naive_bayes`` for French, ``train.POLARITY_NAIVE_BAYES``)."""

    def score(model: Any, featurizer: Featurizer, examples: list[data.Example]) -> dict[str, Any]:
        polar = [e for e in examples if e.label != "3"]
        coef, intercept = model
        margin = featurizer.transform([e.text for e in polar]) @ coef[0] + intercept[0]
        scores = 2 / (1 + np.exp(-margin)) - 1
        positive = np.array([int(e.label) > 3 for e in polar])
        found: dict[str, Any] = {
            "rows": len(polar),
            "sign_accuracy": _round(np.mean((scores > 0) == positive)),
        }
        for band in BANDS:
            neutral = np.abs(scores) < band
            found[f"band_{band}"] = {
                "neutral_share": _round(np.mean(neutral)),
                "label_accuracy": _round(np.mean(~neutral & ((scores > 0) == positive))),
            }
        return found

    return _lodo(
        rows, lambda f, training: train.fit_polarity(f, training, c=c, naive_bayes=naive_bayes), score
    )


def lodo_stars(rows: Sequence[data.Example], left_out: str) -> dict[str, Any]:
    """The star sets but one, naive-Bayes one-vs-rest, classes balanced per set; median answer."""
    from vigie.analysis.builtin.sentiment.analyzer import estimated_stars
    from vigie.analysis.training.linear import LinearModel

    def fit(featurizer: Featurizer, training: list[data.Example]) -> LinearModel:
        target = np.array([int(e.label) for e in training])
        weights = train.balanced_weights(np.array([e.dataset for e in training]), target)
        coef, intercept = train._nb_one_vs_rest(
            featurizer.transform([e.text for e in training]), target, weights, train.STARS_C
        )
        return LinearModel("lodo", list(train.STARS), coef, intercept)

    def score(model: Any, featurizer: Featurizer, examples: list[data.Example]) -> dict[str, Any]:
        probabilities = model.proba(featurizer.transform([e.text for e in examples]))
        return _stars([int(e.label) for e in examples], estimated_stars(probabilities).tolist())

    # Sets that have every star class (the binary and books sets would teach a skewed scale).
    rated = [e for e in rows if e.dataset not in {"allocine_tvseries_fr", "webis_cls10_fr", "webis_cls10_en"}]
    return _lodo(rated, fit, score, only=[left_out])


def lodo_toxicity(c: float, balanced: bool, reviews: int = train.TOXICITY_REVIEWS) -> dict[str, Any]:
    """Train on the toxicity sets but one (plus ``reviews`` ordinary reviews and the ordinary
    tweets as clean, as the shipped recipe), score on that one by threshold, and the share of
    ordinary validation reviews (``REVIEWS_FOR_TOXICITY`` per French set) and of UMSAB's validation
    tweets (French and English) each threshold calls toxic."""
    french = [e for e in data.star_reviews() if e.dataset in POOLED_FR]
    train_reviews = [e for e in french if data.split_of(e.text) == "train"]
    clean = [*train.ordinary_reviews(train_reviews, reviews), *train.ordinary_sentences(train_reviews)]
    clean_tweets = train.ordinary_tweets()
    validation_tweets = [e for language in ("french", "english") for e in data.tweets(language)[1]]
    ordinary = [
        e
        for examples in _per_set(
            [e for e in french if data.split_of(e.text) == "validation"], REVIEWS_FOR_TOXICITY
        ).values()
        for e in examples
    ]

    def fit(featurizer: Featurizer, training: list[data.Example]) -> Any:
        training = [*training, *clean[:LODO_CAP], *clean_tweets[:LODO_CAP]]
        target = np.array([int(e.label) for e in training])
        weights = (
            train.balanced_weights(np.array([e.dataset for e in training]), target) if balanced else None
        )
        return train._fit(featurizer.transform([e.text for e in training]), target, c=c, weights=weights)

    def score(model: Any, featurizer: Featurizer, examples: list[data.Example]) -> dict[str, Any]:
        toxic = model.predict_proba(featurizer.transform([e.text for e in examples]))[:, 1]
        gold = np.array([int(e.label) for e in examples])
        on_reviews = model.predict_proba(featurizer.transform([e.text for e in ordinary]))[:, 1]
        on_tweets = model.predict_proba(featurizer.transform([e.text for e in validation_tweets]))[:, 1]
        return {
            "rows": len(examples),
            "by_threshold": {str(t): _round(np.mean((toxic >= t) == gold)) for t in TOXICITY_THRESHOLDS},
            "correct_by_threshold": {str(t): int(np.sum((toxic >= t) == gold)) for t in TOXICITY_THRESHOLDS},
            "ordinary_reviews_called_toxic": {
                str(t): _round(np.mean(on_reviews >= t)) for t in TOXICITY_THRESHOLDS
            },
            "ordinary_tweets_called_toxic": {
                str(t): _round(np.mean(on_tweets >= t)) for t in TOXICITY_THRESHOLDS
            },
        }

    return _lodo(data.toxicity(), fit, score, only=list(TOXICITY_SETS))


def toxicity_cv(c: float, balanced: bool, folds: int = 5, language: str = "fr") -> dict[str, Any]:
    """The shipped toxicity recipe of ``language`` ("fr" or "en") cross-validated on its own
    training rows (``folds`` folds by a hash of the text): the toxic sets' pooled accuracy by
    threshold, and the share of the ordinary reviews and tweets held out in each fold called
    toxic. The thresholds are chosen here: leave-one-dataset-out, leaving the hate-speech tweets
    out leaves the model with ordinary tweets only as tweets, which says nothing of the same kind
    of source seen again."""
    if language == "en":
        rows = train.toxicity_en_rows()
        scored_sets: tuple[str, ...] = TOXICITY_EN_SETS
    else:
        french = [e for e in data.star_reviews() if e.dataset in POOLED_FR]
        rows = [
            *(e for e in data.toxicity() if data.split_of(e.text) == "train"),
            *train.ordinary_reviews([e for e in french if data.split_of(e.text) == "train"]),
            *train.ordinary_sentences([e for e in french if data.split_of(e.text) == "train"]),
            *train.ordinary_tweets(),
        ]
        scored_sets = TOXICITY_SETS
    featurizer = Featurizer(load_idf())
    matrix = featurizer.transform([e.text for e in rows])
    target = np.array([int(e.label) for e in rows])
    sets = np.array([e.dataset for e in rows])
    fold = np.array([zlib.crc32(e.text.encode()) % folds for e in rows])
    probability = np.zeros(len(rows))
    for k in range(folds):
        inside = fold != k
        weights = train.balanced_weights(sets[inside], target[inside]) if balanced else None
        model = train._fit(matrix[inside], target[inside], c=c, weights=weights)
        probability[~inside] = model.predict_proba(matrix[~inside])[:, 1]
    scored = np.isin(sets, scored_sets)
    ordinary = sorted(name for name in set(sets.tolist()) if name.startswith("ordinary_"))
    return {
        str(t): {
            "accuracy": _round(np.mean((probability[scored] >= t) == target[scored])),
            "per_set": {
                name: _round(np.mean((probability[sets == name] >= t) == target[sets == name]))
                for name in scored_sets
            },
            **{f"{name}_called_toxic": _round(np.mean(probability[sets == name] >= t)) for name in ordinary},
        }
        for t in TOXICITY_THRESHOLDS
    }


PARTS = (
    "validation",
    "test",
    "tweet_neutral",
    "lodo_polarity",
    "lodo_stars",
    "lodo_toxicity",
    "toxicity_cv",
    "toxicity_cv_en",
)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m vigie.analysis.training.heldout", description=__doc__)
    # tweet_neutral (a choice already made, about 10 minutes) only when asked for.
    parser.add_argument(
        "--parts", nargs="+", choices=PARTS, default=[part for part in PARTS if part != "tweet_neutral"]
    )
    parser.add_argument("--c", type=float, default=train.POLARITY_C, help="C of the LODO polarity models")
    parser.add_argument("--toxicity-c", type=float, default=train.TOXICITY_C)
    parser.add_argument(
        "--toxicity-balanced",
        action=argparse.BooleanOptionalAction,
        default=train.TOXICITY_BALANCED,
        help="classes balanced within each set (as --no-toxicity-balanced: unweighted)",
    )
    options = parser.parse_args(argv)
    out: dict[str, Any] = {}
    for part in options.parts:
        if part in ("validation", "test"):
            out[part] = shipped(part)
        elif part == "tweet_neutral":
            out[part] = tweet_neutral()
        elif part == "lodo_polarity":
            out[part] = {
                "fr": lodo_polarity(
                    french_reviews(), options.c, naive_bayes=train.POLARITY_NAIVE_BAYES["polarity"]
                ),
                "en": lodo_polarity(
                    data.english_reviews(), options.c, naive_bayes=train.POLARITY_NAIVE_BAYES["polarity_en"]
                ),
                "C": options.c,
            }
        elif part == "lodo_stars":
            out[part] = {
                "amazon_marc_fr": lodo_stars(data.star_reviews(), "amazon_marc_fr"),
                "amazon_marc_en": lodo_stars(data.english_reviews(), "amazon_marc_en"),
            }
        elif part in ("toxicity_cv", "toxicity_cv_en"):
            language = "en" if part.endswith("_en") else "fr"
            out[part] = toxicity_cv(options.toxicity_c, options.toxicity_balanced, language=language)
        else:
            per_set = lodo_toxicity(options.toxicity_c, options.toxicity_balanced)
            rows = sum(found["rows"] for found in per_set.values())
            out[part] = {
                "C": options.toxicity_c,
                "balanced": options.toxicity_balanced,
                "ordinary_reviews_as_clean": train.TOXICITY_REVIEWS,
                "pooled_by_threshold": {
                    str(t): _round(sum(f["correct_by_threshold"][str(t)] for f in per_set.values()) / rows)
                    for t in TOXICITY_THRESHOLDS
                },
                **per_set,
            }
        print(json.dumps({part: out[part]}, ensure_ascii=False), flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
