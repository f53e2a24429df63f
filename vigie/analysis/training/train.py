"""Train every shipped model from the public labelled sets: ``python -m vigie.analysis.train``.

Seeded and deterministic (liblinear, fixed splits hashed on the text); n_jobs=1 throughout so it
shares the machine politely. Writes ``vigie/analysis/modelfiles/*.npz`` + ``*.json``.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from vigie.analysis.training import data, synonyms, type_model
from vigie.analysis.training.brands import without_brands
from vigie.analysis.training.features import Featurizer
from vigie.analysis.training.linear import MODEL_DIR, LinearModel, save_idf

SEED = 20261122
POLARITY_C = 8.0
# The French polarity model is an NB-LR (features scaled by their naive-Bayes log-count ratio, as
# `stars_marc`): leave-one-dataset-out, the five pooled French sets 91.5 -> 92.2 % and all eight
# 87.1 -> 88.0 % (docs/models.md, "Polarity: naive-Bayes scaling"). The English one stays a plain
# LR: NB-LR lost on MARC-en (-1.9) and Webis-en (-0.7), the two sets of the English target.
POLARITY_NAIVE_BAYES = {"polarity": True, "polarity_en": False}
# The tweet models: one binary model per class. NB-LR (C 4) against the plain LR (C 2), chosen by
# 5-fold cross-validation on UMSAB's train rows (docs/models.md, "Tweets: naive-Bayes scaling").
TWEETS_NAIVE_BAYES = {"tweets": True, "tweets_en": True}
TWEETS_C = {False: 2.0, True: 4.0}
TOXICITY_C = 4.0
TOXICITY_BALANCED = True
# Ordinary customer reviews (train split of the five French review sets, any star) added to the
# toxicity training rows as clean: the toxic sets alone teach "angry = toxic" and flagged 13 % of
# ordinary reviews (issue 16). They form their own set (one class) for the per-set balancing.
TOXICITY_REVIEWS = 3000
# Ordinary tweets (UMSAB's French and English train files, test rows out) are added as clean too:
# the hate-speech set is tweets, so without them the model learnt "a handle, a hashtag, a link =
# toxic" and called 73 % of ordinary French tweets and 95 % of English ones toxic (issue 16).
# The probability from which a text is toxic, chosen by 5-fold cross-validation on the training
# rows (docs/models.md); it is folded into the saved intercept, so the shipped score crosses 0.5
# exactly there and every reader of the score (the analyzer's 0.5, the type rules) keeps its meaning.
TOXICITY_THRESHOLD = 0.25
# English texts have their own toxicity model (the detected language chooses it, as for the
# sentiment): the French sets' Jigsaw rows are machine translations and MLMA's English tweets
# were never read, so the French model caught English insults by accident and called 17-22 % of
# English reviews toxic. Trained on the English toxic sets, with English reviews and tweets as
# clean; its threshold chosen by 5-fold cross-validation as the French one's.
TOXICITY_EN_THRESHOLD = 0.25
TOXICITY_EN_REVIEWS = 1500
ENGLISH_REVIEW_SETS = ("amazon_marc_en", "amazon_uk_en", "webis_cls10_en", "en_womens_clothing")
REVIEW_SETS = (
    "amazon_marc_fr",
    "fr_insurance_reviews",
    "trustpilot_fr",
    "cdiscount_trustpilot_fr",
    "fr_tripadvisor_restaurants",
)
# Cap per review set so the 84k Cdiscount reviews do not drown the others (dataset balancing).
PER_DATASET_CAP = 30_000
MARC_WEIGHT = 3.0
STARS = ("1", "2", "3", "4", "5")
STARS_SETS = ("amazon_marc_fr",)
STARS_C = 4.0
# Weight of a Webis-CLS-10 Amazon.fr review against a MARC one in the second stars model (its
# products are books, DVDs and music, and it has no 3-star class).
AMAZON_WEIGHT = 0.5
# Additive smoothing of the naive-Bayes feature counts.
NB_ALPHA = 1.0


def _fit(
    matrix: sp.csr_matrix, target: np.ndarray, c: float, weights: np.ndarray | None = None
) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="liblinear", random_state=SEED)
    model.fit(matrix, target, sample_weight=weights)
    return model


def _nb_ratio(present: sp.csr_matrix, inside: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The naive-Bayes log-count ratio r = log(p / |p|₁) - log(q / |q|₁) of each feature (p, q:
    smoothed weighted counts of the documents holding it, in and out of the class; ``present``
    holds 1 where a document has the feature)."""
    p = NB_ALPHA + np.asarray(present[inside].T @ weights[inside]).ravel()
    q = NB_ALPHA + np.asarray(present[~inside].T @ weights[~inside]).ravel()
    return np.log(p / p.sum()) - np.log(q / q.sum())


def _fit_nb(
    matrix: sp.csr_matrix, present: sp.csr_matrix, inside: np.ndarray, weights: np.ndarray, c: float
) -> tuple[np.ndarray, float]:
    """A binary logistic regression of ``inside`` on features scaled by their log-count ratio
    (NB-LR, Wang & Manning 2012). ``(x ∘ r) · w = x · (r ∘ w)``, so the scaling is folded into the
    returned coefficients and inference is the plain linear product."""
    ratio = _nb_ratio(present, inside, weights)
    model = _fit(matrix.multiply(ratio).tocsr(), inside.astype(int), c=c, weights=weights)
    return model.coef_[0] * ratio, float(model.intercept_[0])


def _present(matrix: sp.csr_matrix) -> sp.csr_matrix:
    present = matrix.copy()
    present.data[:] = 1.0
    return present


def _nb_one_vs_rest(
    matrix: sp.csr_matrix, target: np.ndarray, weights: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray]:
    """One NB-LR (``_fit_nb``) per star, that star against the others."""
    present = _present(matrix)
    coef, intercept = [], []
    for star in STARS:
        star_coef, star_intercept = _fit_nb(matrix, present, target == int(star), weights, c)
        coef.append(star_coef)
        intercept.append(star_intercept)
    return np.vstack(coef), np.array(intercept)


def is_train(text: str) -> bool:
    """Neither validation nor test (data.split_of)."""
    return data.split_of(text) == "train"


def balanced_weights(datasets: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Sample weights giving every (dataset, class) cell of a dataset the same total weight, and
    every dataset its number of rows: each set's class prior (Trustpilot is 80 % five stars) no
    longer leaks into the bias, which is what made "neutral"/positive the default on negatives."""
    weights = np.ones(len(labels))
    for name in np.unique(datasets):
        in_set = datasets == name
        classes = np.unique(labels[in_set])
        for label in classes:
            cell = in_set & (labels == label)
            weights[cell] = in_set.sum() / len(classes) / cell.sum()
    return weights


def fit_polarity(
    featurizer: Featurizer,
    examples: Sequence[data.Example],
    c: float = POLARITY_C,
    *,
    naive_bayes: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Binary 1–2 (0) vs 4–5 (1) stars logistic regression, classes balanced per dataset; with
    ``naive_bayes``, on features scaled by their log-count ratio (``_fit_nb``)."""
    polar = [e for e in examples if e.label != "3"]
    target = np.array([int(e.label) > 3 for e in polar], dtype=int)
    weights = balanced_weights(np.array([e.dataset for e in polar]), target)
    # Company names left out: they carried their company's average rating (brands.py).
    matrix = featurizer.transform([without_brands(e.text) for e in polar])
    if naive_bayes:
        coef, intercept = _fit_nb(matrix, _present(matrix), target == 1, weights, c)
        return coef[np.newaxis, :], np.array([intercept])
    model = _fit(matrix, target, c=c, weights=weights)
    return model.coef_, model.intercept_


def fit_tweets(
    featurizer: Featurizer, posts: Sequence[data.Example], *, naive_bayes: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The tweet model of ``posts`` (labels "0", "1", "2": negative, neutral, positive)."""
    matrix = featurizer.transform([e.text for e in posts])
    return fit_tweet_matrix(matrix, np.array([int(e.label) for e in posts]), naive_bayes=naive_bayes)


def fit_tweet_matrix(
    matrix: sp.csr_matrix, labels: np.ndarray, *, naive_bayes: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """One binary model per class (0, 1, 2), that class against the two others; with
    ``naive_bayes``, each on features scaled by its own log-count ratio (``_fit_nb``)."""
    c = TWEETS_C[naive_bayes]
    if naive_bayes:
        present, weights = _present(matrix), np.ones(len(labels))
        fitted_nb = [_fit_nb(matrix, present, labels == k, weights, c) for k in range(3)]
        return np.vstack([coef for coef, _ in fitted_nb]), np.array([b for _, b in fitted_nb])
    fitted = [_fit(matrix, (labels == k).astype(int), c=c) for k in range(3)]
    return np.vstack([m.coef_ for m in fitted]), np.concatenate([m.intercept_ for m in fitted])


def ordinary_reviews(examples: Sequence[data.Example], count: int = TOXICITY_REVIEWS) -> list[data.Example]:
    """``count`` reviews of ``examples``' five French review sets (seeded sample), labelled clean
    ("0") in a set of their own, for the toxicity model."""
    rows = [e for e in examples if e.dataset in REVIEW_SETS]
    random.Random(SEED).shuffle(rows)  # noqa: S311 - reproducible sampling, not a secret
    return [data.Example("ordinary_reviews", e.row, e.text, "0") for e in rows[:count]]


# Short sentences cut from those reviews are clean too, in the same set (its weight unchanged):
# with long reviews only as clean, a short benign text leaned toxic ("Je mange une pomme." 0.80,
# "le" 0.80) and 9 % of short review sentences were called toxic, 4 % trolls (docs/models.md).
TOXICITY_SENTENCES = 3000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def ordinary_sentences(
    examples: Sequence[data.Example],
    count: int = TOXICITY_SENTENCES,
    sets: Sequence[str] = REVIEW_SETS,
    dataset: str = "ordinary_reviews",
) -> list[data.Example]:
    """``count`` sentences of 12 to 120 characters cut from ``examples``' review ``sets`` (the
    five French ones by default; seeded sample), none that the lexical flags call an insult,
    threat, hate or accusation, labelled clean ("0") in the ordinary reviews' set ``dataset``."""
    from vigie.analysis.builtin.toxicity.analyzer import flags

    sentences = [
        (e.row, sentence)
        for e in examples
        if e.dataset in sets
        for sentence in (part.strip() for part in _SENTENCE_END.split(e.text))
        if 12 <= len(sentence) <= 120
    ]
    random.Random(SEED).shuffle(sentences)  # noqa: S311 - reproducible sampling, not a secret
    chosen: list[data.Example] = []
    for row, sentence in sentences:
        if len(chosen) == count:
            break
        if not set(flags(sentence)) - {"named_person"}:
            chosen.append(data.Example(dataset, f"{row}:s", sentence, "0"))
    return chosen


def ordinary_tweets(languages: Sequence[str] = ("french", "english")) -> list[data.Example]:
    """UMSAB's train tweets of ``languages`` (test rows out), labelled clean ("0") in a set of
    their own, for the toxicity models."""
    found = []
    for language in languages:
        train_file, _validation = data.tweets(language)
        found += [
            data.Example("ordinary_tweets", e.row, e.text, "0")
            for e in train_file
            if not data.is_test(e.text)
        ]
    return found


def ordinary_reviews_en(
    examples: Sequence[data.Example], count: int = TOXICITY_EN_REVIEWS
) -> list[data.Example]:
    """``count`` English reviews of ``examples`` (seeded sample), labelled clean ("0") in a set of
    their own, for the English toxicity model."""
    rows = [e for e in examples if e.dataset in ENGLISH_REVIEW_SETS]
    random.Random(SEED).shuffle(rows)  # noqa: S311 - reproducible sampling, not a secret
    return [data.Example("ordinary_reviews_en", e.row, e.text, "0") for e in rows[:count]]


def toxicity_en_rows(split: str = "train") -> list[data.Example]:
    """The English toxicity model's rows of ``split``: the English toxic sets, English reviews and
    English tweets as clean."""
    english = [e for e in data.english_reviews() if data.split_of(e.text) == split]
    return [
        *(e for e in data.toxicity_en() if data.split_of(e.text) == split),
        *ordinary_reviews_en(english),
        *ordinary_sentences(english, TOXICITY_EN_REVIEWS, ENGLISH_REVIEW_SETS, "ordinary_reviews_en"),
        *ordinary_tweets(("english",)),
    ]


def _capped(examples: Sequence[data.Example]) -> list[data.Example]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible sampling, not a secret
    kept: list[data.Example] = []
    for name in sorted({e.dataset for e in examples}):
        rows = [e for e in examples if e.dataset == name]
        rng.shuffle(rows)
        kept.extend(rows[:PER_DATASET_CAP])
    return kept


def _toxicity_model(
    featurizer: Featurizer, name: str, rows: Sequence[data.Example], threshold: float, meta: dict[str, Any]
) -> LinearModel:
    """A toxic/clean model of ``rows`` (classes balanced within each set), with the probability
    from which a text is toxic folded into the intercept: its score crosses 0.5 exactly there."""
    target = np.array([int(e.label) for e in rows])
    model = _fit(
        featurizer.transform([e.text for e in rows]),
        target,
        c=TOXICITY_C,
        weights=balanced_weights(np.array([e.dataset for e in rows]), target) if TOXICITY_BALANCED else None,
    )
    return LinearModel(
        name,
        ["clean", "toxic"],
        model.coef_,
        model.intercept_ - np.log(threshold / (1 - threshold)),
        {
            "trained_on": sorted({e.dataset for e in rows}),
            "rows": len(rows),
            "C": TOXICITY_C,
            "weights": "classes balanced within each dataset" if TOXICITY_BALANCED else "none",
            **meta,
            "threshold_folded_into_intercept": threshold,
        },
    )


MODELS = (
    "polarity",
    "stars",
    "stars_marc",
    "tweets",
    "toxicity",
    "toxicity_en",
    "polarity_en",
    "stars_en",
    "tweets_en",
    "synonyms",
    "type",
)


def train(directory: Path = MODEL_DIR, log: bool = True, only: Sequence[str] = MODELS) -> None:
    """Train and save the IDF vector, the polarity, stars, tweet, toxicity and type models and the
    synonyms (or only the models named in ``only``; the IDF vector is always written)."""
    started = time.perf_counter()

    def say(message: str) -> None:
        if log:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", flush=True)

    # Validation and test rows are never trained on (data.split_of); the test rows choose nothing.
    reviews = _capped([e for e in data.star_reviews() if is_train(e.text)])
    more_french = [e for e in data.more_french_reviews() if is_train(e.text)]
    english = _capped([e for e in data.english_reviews() if is_train(e.text)])
    # Tweets: UMSAB's own val file is the validation split; the test rows are carved from train.
    tweets_train = [e for e in data.tweets()[0] if not data.is_test(e.text)]
    tweets_en = [e for e in data.tweets("english")[0] if not data.is_test(e.text)]
    toxic = [e for e in data.toxicity() if is_train(e.text)]
    featurizer = Featurizer()
    featurizer.fit_idf(
        [e.text for e in [*reviews, *more_french, *english, *tweets_train, *tweets_en, *toxic]]
    )
    assert featurizer.idf is not None
    save_idf(featurizer.idf, directory)
    say(f"idf on {len(reviews)} reviews, {len(tweets_train)} tweets, {len(toxic)} toxicity rows")

    # The stars models learn without company names too (brands.py); the IDF above keeps them.
    matrix = featurizer.transform([without_brands(e.text) for e in reviews])
    stars = np.array([int(e.label) for e in reviews])
    datasets = np.array([e.dataset for e in reviews])
    for name, examples in (("polarity", [*reviews, *more_french]), ("polarity_en", english)):
        if name in only:
            coef, intercept = fit_polarity(featurizer, examples, naive_bayes=POLARITY_NAIVE_BAYES[name])
            LinearModel(
                name,
                ["negative", "positive"],
                coef,
                intercept,
                {
                    "trained_on": sorted({e.dataset for e in examples}),
                    "rows": sum(e.label != "3" for e in examples),
                    "C": POLARITY_C,
                    "naive_bayes_scaling": POLARITY_NAIVE_BAYES[name],
                    "weights": "classes balanced within each dataset",
                    "seed": SEED,
                },
            ).save(directory)
            say(name)

    if "stars" in only:
        # One-vs-rest star classes, each dataset's classes balanced, MARC up-weighted (balanced target).
        weights = np.ones(len(reviews))
        for name in set(datasets):
            in_set = datasets == name
            for star in range(1, 6):
                cell = in_set & (stars == star)
                if cell.any():
                    weights[cell] = in_set.sum() / 5 / cell.sum()
        weights[datasets == "amazon_marc_fr"] *= MARC_WEIGHT
        rows = [_fit(matrix, (stars == int(s)).astype(int), c=4.0, weights=weights) for s in STARS]
        LinearModel(
            "stars",
            list(STARS),
            np.vstack([m.coef_ for m in rows]),
            np.concatenate([m.intercept_ for m in rows]),
            {"trained_on": sorted(set(datasets)), "rows": len(reviews), "C": 4.0, "marc_weight": MARC_WEIGHT},
        ).save(directory)
        say("stars")

    if "stars_marc" in only:
        # A second stars model on the Amazon reviews only (MARC, plus the Webis Amazon.fr reviews at a
        # lower weight): one-vs-rest with naive-Bayes log-count-ratio feature scaling (NB-LR, Wang &
        # Manning 2012), which beat the multinomial MARC model it replaces on every stars measure
        # (docs/models.md). The analyzer averages the two models' class probabilities and answers
        # the median.
        on_stars = np.isin(datasets, STARS_SETS)
        amazon = [e for e in data.amazon_fr_reviews() if is_train(e.text)]
        stars_matrix = sp.vstack(
            [matrix[on_stars], featurizer.transform([without_brands(e.text) for e in amazon])], format="csr"
        )
        stars_target = np.concatenate([stars[on_stars], [int(e.label) for e in amazon]])
        stars_weights = np.concatenate([np.ones(int(on_stars.sum())), np.full(len(amazon), AMAZON_WEIGHT)])
        coef, intercept = _nb_one_vs_rest(stars_matrix, stars_target, stars_weights, STARS_C)
        LinearModel(
            "stars_marc",
            list(STARS),
            coef,
            intercept,
            {
                "trained_on": [*STARS_SETS, f"webis_cls10_fr (weight {AMAZON_WEIGHT})"],
                "rows": len(stars_target),
                "C": STARS_C,
                "kind": "one-vs-rest, naive-Bayes log-count-ratio scaled features (scaling folded into coef)",
                "answer": "averaged with stars; median of the mean distribution, nudged within ±0.45 towards its mean",
            },
        ).save(directory)
        say("stars_marc")

    if "stars_en" in only:
        # English stars: one-vs-rest with naive-Bayes scaling on the English reviews, each set's
        # classes balanced (the Webis set has no 3-star class; the UK set is two-thirds 5 stars).
        en_stars = np.array([int(e.label) for e in english])
        en_weights = balanced_weights(np.array([e.dataset for e in english]), en_stars)
        coef, intercept = _nb_one_vs_rest(
            featurizer.transform([without_brands(e.text) for e in english]), en_stars, en_weights, STARS_C
        )
        LinearModel(
            "stars_en",
            list(STARS),
            coef,
            intercept,
            {
                "trained_on": sorted({e.dataset for e in english}),
                "rows": len(english),
                "C": STARS_C,
                "kind": "one-vs-rest, naive-Bayes log-count-ratio scaled features, classes balanced per set",
                "answer": "median of the class distribution",
            },
        ).save(directory)
        say("stars_en")

    for name, posts, source in (
        ("tweets", tweets_train, "umsab_tweets/french train"),
        ("tweets_en", tweets_en, "umsab_tweets/english train"),
    ):
        if name not in only:
            continue
        coef, intercept = fit_tweets(featurizer, posts, naive_bayes=TWEETS_NAIVE_BAYES[name])
        LinearModel(
            name,
            ["negative", "neutral", "positive"],
            coef,
            intercept,
            {
                "trained_on": [f"{source} (test split left out)"],
                "rows": len(posts),
                "C": TWEETS_C[TWEETS_NAIVE_BAYES[name]],
                "naive_bayes_scaling": TWEETS_NAIVE_BAYES[name],
            },
        ).save(directory)
        say(name)

    if "toxicity" in only:
        toxic = [*toxic, *ordinary_reviews(reviews), *ordinary_sentences(reviews), *ordinary_tweets()]
        meta = {
            "ordinary_reviews_as_clean": TOXICITY_REVIEWS,
            "ordinary_review_sentences_as_clean": TOXICITY_SENTENCES,
            "ordinary_tweets_as_clean": "UMSAB French and English train files, test rows out",
        }
        _toxicity_model(featurizer, "toxicity", toxic, TOXICITY_THRESHOLD, meta).save(directory)
        say("toxicity")

    if "toxicity_en" in only:
        meta = {
            "ordinary_reviews_as_clean": TOXICITY_EN_REVIEWS,
            "ordinary_review_sentences_as_clean": TOXICITY_EN_REVIEWS,
            "ordinary_tweets_as_clean": "UMSAB English train file, test rows out",
        }
        _toxicity_model(featurizer, "toxicity_en", toxicity_en_rows(), TOXICITY_EN_THRESHOLD, meta).save(
            directory
        )
        say("toxicity_en")

    if "synonyms" in only:
        # The restaurant reviews are left out: they score the themes (docs/models.md).
        corpus = [e.text for e in data.star_reviews() if e.dataset != "fr_tripadvisor_restaurants"]
        synonyms.save(
            synonyms.learn([t for t in corpus if is_train(t)], SEED),
            directory / "synonyms.json",
        )
        say("synonyms")

    if "type" in only:
        # Last: its features are the results of the sentiment and toxicity models the runtime
        # loads (the shipped files, which the steps above have just rewritten by default).
        say(f"type, CV macro-F1 {type_model.train(directory, log)['cv_macro_f1']}")
    say("done")


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m vigie.analysis.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="directory for the model files")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=MODELS,
        default=MODELS,
        help="train only these models, e.g. --only stars_marc while iterating (the IDF vector is always written)",
    )
    options = parser.parse_args(argv)
    train(options.out, only=options.only)
