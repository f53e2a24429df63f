"""Featurisation, model files and the lexicon baseline."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from vigie.analysis.training import features, lexicon
from vigie.analysis.training.features import (
    _CLAUSE_BREAKS,
    CONTRAST_PAIRS,
    CONTRAST_WORDS,
    N_FEATURES,
    NEGATORS,
    Featurizer,
    _padded_tokens,
    hashed_ngrams,
    normalise,
    tokens,
)
from vigie.analysis.training.linear import MODEL_DIR, LinearModel


def test_features_are_deterministic_normalised_and_negation_aware() -> None:
    featurizer = Featurizer()
    first = featurizer.transform(["Très bon produit", "pas bon", ""])
    again = Featurizer().transform(["Très bon produit", "pas bon", ""])
    assert first.shape == (3, N_FEATURES)
    assert (first != again).nnz == 0
    norms = np.sqrt(np.asarray(first.multiply(first).sum(axis=1)).ravel())
    assert np.allclose(norms[:2], 1.0, atol=1e-5)
    assert norms[2] == 0
    bon = featurizer.transform(["bon"]).indices
    assert not set(featurizer.transform(["pas bon"]).indices[:2]) <= set(bon)


TRICKY = [
    "Pas bon du tout !!! 😀😀 je ne reviendrai plus jamais",
    "",
    "a",
    "Très   bien, rien à dire http://x.y/z?a=1 @bob_42 SUPERRRRR trooooop",
    "ok ok ok",
    "İstanbul ÉTÉ straße 𝐁𝐎𝐍 ❶ ☀️ l'accueil?!",
    "texte\x00avec un octet nul",
    "!!!???",
    "4444 chiffres 2024",
    "Bon produit mais livraison lente, par contre le service est top",
    "mais",
    "par contre",
    "sauf que non",
    "Pas cher, livraison rapide; je ne suis pas du tout déçu mais lent (vraiment) !",
    "It was not good at all. Never again? no way",
    "I wouldn't go back, can't recommend it; not bad bad food",
]


def _reference(text: str) -> Counter[tuple[str, ...]]:
    """The features of docs/models.md computed one by one, as strings."""
    found: Counter[tuple[str, ...]] = Counter()
    toks = tokens(text)
    contrast = [
        i for i, t in enumerate(toks) if t in CONTRAST_WORDS or (i and (toks[i - 1], t) in CONTRAST_PAIRS)
    ]
    # A barrier ends a negation's scope: a clause break or a "!"/"?" before the token, the token
    # itself being "!"/"?" or a contrast word, the first token.
    matches = list(features._TOKEN.finditer(normalise(text)))
    normalised = normalise(text)
    barriers = [
        i == 0
        or any(c in _CLAUSE_BREAKS for c in normalised[matches[i - 1].end() : m.start()])
        or toks[i - 1][0] in "!?"
        or m.group()[0] in "!?"
        or m.group() in CONTRAST_WORDS
        for i, m in enumerate(matches)
    ]
    last_negator, last_barrier = -1, -1
    for i, token in enumerate(toks):
        if features.NEGATION_CLAUSE:
            last_barrier = i if barriers[i] else last_barrier
            negated = (
                last_negator >= 0
                and last_negator >= last_barrier
                and i - last_negator <= features.NEGATION_SCOPE
            )
            last_negator = i if token in NEGATORS else last_negator
        else:
            negated = any(t in NEGATORS for t in toks[max(0, i - features.NEGATION_SCOPE) : i])
        found["w", "¬" if negated else "", token] += 1
        if contrast and i > contrast[0]:
            found["a", "¬" if negated else "", token] += 1
        if i:
            found["b", toks[i - 1], token] += 1
        padded = f" {token} "
        mark = "¬" if negated and features.NEGATED_CHARS else ""
        for n in (2, 3, 4, 5):
            for start in range(len(padded) - n + 1):
                found["c", mark, padded[start : start + n]] += 1
    return found


def test_vectorised_tokens_are_the_regular_expression_tokens() -> None:
    codes, doc_of, _ = _padded_tokens(TRICKY)
    text = "".join(map(chr, codes.tolist()))
    per_doc: list[list[str]] = [[] for _ in TRICKY]
    position = 0
    for token in text.split(" "):
        if token:
            per_doc[int(doc_of[text.index(token, position)])].append(token)
            position = text.index(token, position) + len(token)
    assert per_doc == [tokens(t.replace("\x00", " ")) for t in TRICKY]


def test_vectorised_hashing_counts_every_feature_once_and_only_within_its_text() -> None:
    rows, columns = hashed_ngrams(TRICKY)
    for index, text in enumerate(TRICKY):
        expected = _reference(text.replace("\x00", " "))
        mine = Counter(columns[rows == index].tolist())
        assert sum(mine.values()) == sum(expected.values())
        # No collision among a text's few hundred features in 2**18 columns: same multiset of counts.
        assert sorted(mine.values()) == sorted(expected.values())


def test_a_negated_word_shares_no_feature_with_the_word_itself() -> None:
    # "not bad" is not "bad": its word and its character n-grams are negated features ("pas mal",
    # "wouldn't go", "can't recommend" likewise), so the models can learn them apart.
    for negated, plain in (
        ("not bad", "bad"),
        ("pas mal", "mal"),
        ("wouldn't go", "go"),
        ("can’t recommend", "recommend"),
    ):
        rows, columns = hashed_ngrams([negated, plain])
        shared = set(columns[rows == 0].tolist()) & set(columns[rows == 1].tolist())
        assert not shared, (negated, plain)


def test_a_text_gets_the_same_features_whatever_batch_it_is_in() -> None:
    featurizer = Featurizer()
    alone = featurizer.transform(["Livraison rapide, très bon accueil"])
    batched = featurizer.transform(["pas bon", "Livraison rapide, très bon accueil", ""])
    assert (alone != batched[1]).nnz == 0


def test_a_linear_model_round_trips_through_npz_and_json_without_pickles(tmp_path: Path) -> None:
    model = LinearModel("demo", ["no", "yes"], np.array([[0.5, -1.0]]), np.array([0.25]), {"C": 1.0})
    model.save(tmp_path)
    assert json.loads((tmp_path / "demo.json").read_text())["classes"] == ["no", "yes"]
    loaded = LinearModel.load("demo", tmp_path)
    assert loaded.meta == {"C": 1.0}
    assert np.allclose(loaded.coef, model.coef)


def test_the_shipped_model_files_are_small_and_pickle_free() -> None:
    files = list(MODEL_DIR.iterdir())
    assert {f.suffix for f in files} <= {".npz", ".json", ".py"}
    assert sum(f.stat().st_size for f in files) < 30 * 1024 * 1024
    for name in ("polarity", "stars", "stars_marc", "tweets", "toxicity"):
        assert LinearModel.load(name).coef.shape[1] == N_FEATURES


def test_the_lexicon_baseline_handles_negation() -> None:
    assert lexicon.score("très bon produit") > 0
    assert lexicon.score("pas bon du tout") < 0
    assert lexicon.score("le colis") == 0


def test_naive_bayes_one_vs_rest_reads_each_star_from_its_words_with_a_plain_linear_product() -> None:
    from vigie.analysis.training.train import _nb_one_vs_rest

    words = {
        1: "nul arnaque",
        2: "décevant moyen",
        3: "correct sans plus",
        4: "bien pratique",
        5: "parfait génial",
    }
    texts = [
        f"{words[star]} produit {filler}" for star in words for filler in ("reçu", "acheté", "livré", "")
    ]
    target = np.array([star for star in words for _ in range(4)])
    featurizer = Featurizer()
    featurizer.fit_idf(texts)
    coef, intercept = _nb_one_vs_rest(featurizer.transform(texts), target, np.ones(len(texts)), c=4.0)
    model = LinearModel("toy", ["1", "2", "3", "4", "5"], coef, intercept)
    unseen = featurizer.transform([f"{words[star]} commande" for star in words])
    assert model.proba(unseen).argmax(axis=1).tolist() == [0, 1, 2, 3, 4]


def test_naive_bayes_polarity_folds_its_scaling_into_the_coefficients() -> None:
    """The French polarity model is an NB-LR: trained on scaled features, stored with the scaling
    folded into its coefficients, so the analyzer's reader (a plain linear product) tells positive
    from negative reviews it has not seen."""
    from vigie.analysis.training.data import Example
    from vigie.analysis.training.train import fit_polarity

    negative = ["nul arnaque", "décevant cassé", "horrible lent"]
    positive = ["parfait génial", "excellent rapide", "superbe solide"]
    examples = [
        Example(dataset, f"{dataset}{i}", f"{words} produit {filler}", label)
        for dataset in ("a", "b")
        for i, (words, label) in enumerate(
            [(w, "1") for w in negative] + [(w, "5") for w in positive] + [("correct", "3")]
        )
        for filler in ("reçu", "livré")
    ]
    featurizer = Featurizer()
    featurizer.fit_idf([e.text for e in examples])
    coef, intercept = fit_polarity(featurizer, examples, naive_bayes=True)
    model = LinearModel("toy", ["negative", "positive"], coef, intercept)

    unseen = featurizer.transform(["arnaque commande", "cassé et lent", "génial commande", "excellent"])
    assert model.proba(unseen).argmax(axis=1).tolist() == [0, 0, 1, 1]


def test_naive_bayes_tweet_models_tell_the_three_classes_apart_and_ship_as_trained() -> None:
    """The tweet models are NB-LRs, one per class (train.TWEETS_NAIVE_BAYES): each reads its class
    from its words through the plain linear product, and the shipped files say how they were fitted."""
    from vigie.analysis.training.data import Example
    from vigie.analysis.training.train import TWEETS_C, TWEETS_NAIVE_BAYES, fit_tweets

    words = {
        "0": ["nul", "honte", "retard"],
        "1": ["annonce", "ouvre", "lundi"],
        "2": ["merci", "bravo", "top"],
    }
    examples = [
        Example("tweets", f"{label}{i}{j}", f"{word} {filler}", label)
        for label, chosen in words.items()
        for i, word in enumerate(chosen)
        for j, filler in enumerate(("ce matin", "à Paris", "la gare"))
    ]
    featurizer = Featurizer()
    featurizer.fit_idf([e.text for e in examples])
    coef, intercept = fit_tweets(featurizer, examples, naive_bayes=True)
    model = LinearModel("toy", ["negative", "neutral", "positive"], coef, intercept)
    unseen = featurizer.transform(["honte aujourd'hui", "ouvre demain", "bravo encore"])
    assert model.proba(unseen).argmax(axis=1).tolist() == [0, 1, 2]

    for name, naive_bayes in TWEETS_NAIVE_BAYES.items():
        meta = LinearModel.load(name).meta
        assert (meta["naive_bayes_scaling"], meta["C"]) == (naive_bayes, TWEETS_C[naive_bayes])


def _unigram_columns(words: list[str], negated: bool) -> set[int]:
    salt = features._SALT_NEGATED if negated else features._SALT_WORD
    return set((features._finalise(features._hashes_of(words), salt) & features._MASK).tolist())


def test_a_clause_bounded_negation_scope_stops_at_punctuation_and_contrast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(features, "NEGATION_CLAUSE", True)
    monkeypatch.setattr(features, "NEGATION_SCOPE", 6)
    _, columns = hashed_ngrams(
        ["Pas cher, livraison rapide. Je ne suis pas du tout satisfait mais service top"]
    )
    found = set(columns.tolist())
    assert _unigram_columns(["cher", "satisfait"], negated=True) <= found
    assert _unigram_columns(["livraison", "rapide", "service", "top"], negated=False) <= found
    assert not _unigram_columns(["rapide", "top"], negated=True) & found


def test_toxicity_cues_read_obfuscated_insults_and_their_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features, "TOXIC_CUES", True)
    rows, columns = hashed_ngrams(["t'es qu'un c0nn4rd", "vous êtes des 1d10ts", "livré en 48h, merci"])
    insult, targeted = (features._CUE_COLUMNS & features._MASK).tolist()
    per_text = [set(columns[rows == i].tolist()) for i in range(3)]
    assert _unigram_columns(["connard"], negated=False) <= per_text[0]
    assert {insult, targeted} <= per_text[0]
    assert {insult, targeted} <= per_text[1]
    assert not {insult, targeted} & per_text[2]
