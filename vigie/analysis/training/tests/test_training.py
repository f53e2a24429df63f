"""Featurisation, model files and the lexicon baseline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vigie.analysis.training import lexicon
from vigie.analysis.training.features import N_FEATURES, Featurizer
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
    for name in ("polarity", "stars", "tweets", "toxicity"):
        assert LinearModel.load(name).coef.shape[1] == N_FEATURES


def test_the_lexicon_baseline_handles_negation() -> None:
    assert lexicon.score("très bon produit") > 0
    assert lexicon.score("pas bon du tout") < 0
    assert lexicon.score("le colis") == 0
