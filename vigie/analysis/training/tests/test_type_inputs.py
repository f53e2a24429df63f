"""The measure of the type model's inputs (``type_inputs``): its baseline is what the type analyzer
computes today, and each candidate reads what it says it reads."""

from __future__ import annotations

import numpy as np

from vigie.analysis.builtin.type.analyzer import classify
from vigie.analysis.contract import Item, Results
from vigie.analysis.training import type_inputs, type_model

FAST: Results = {
    "sentiment": {"label": "positive", "score": 0.11},
    "toxicity": {"toxic": True, "score": 0.66, "categories": []},
}
ENCODER: Results = {
    **FAST,
    "sentiment_encoder": {"label": "negative", "score": -0.4, "fast_score": 0.11},
    "toxicity_encoder": {"toxic": False, "score": 0.41, "fast_score": 0.66},
}
SCORE = type_model.DENSE.index("sentiment_score")
TOXICITY = type_model.DENSE.index("toxicity_score")
SOCIAL = type_model.DENSE.index("social_post")


def test_the_baseline_is_what_the_type_analyzer_reads_today() -> None:
    items = [Item(id="1", text="encore 40 minutes de retard ce matin, merci pour rien")]
    _, dense, rules, seen = type_inputs.inputs(items, [ENCODER], "fast")
    expected = type_model.dense_features(
        items, [FAST], [classify(items[0].text, FAST["sentiment"], FAST["toxicity"])]
    )
    assert np.array_equal(dense, expected)
    assert seen[0]["sentiment"] == FAST["sentiment"]
    assert rules == [classify(items[0].text, FAST["sentiment"], FAST["toxicity"])]


def test_the_candidates_read_the_encoders_answers_and_its_post_detection() -> None:
    unrated = Item(id="1", text="encore 40 minutes de retard ce matin, merci pour rien")
    rated = Item(id="2", text="encore 40 minutes de retard ce matin, merci pour rien", rating=1)
    items, found = [unrated, rated], [ENCODER, ENCODER]
    _, user, _, seen = type_inputs.inputs(items, found, "user")
    assert user[0, SCORE] == np.float32(-0.4)
    assert user[0, TOXICITY] == np.float32(0.41)
    assert seen[0]["toxicity"]["toxic"] is False
    _, post, _, _ = type_inputs.inputs(items, found, "post")
    # A short unrated text the encoder answered is a post; a rated review never is.
    assert post[:, SOCIAL].tolist() == [1.0, 0.0]
    _, fast, _, _ = type_inputs.inputs(items, [FAST, FAST], "fast")
    assert fast[:, SOCIAL].tolist() == [0.0, 0.0]
    _, extra, _, _ = type_inputs.inputs(items, found, "fast+encoder")
    assert extra.shape[1] == len(type_model.DENSE) + 4
    assert extra[0, len(type_model.DENSE) :].tolist() == [np.float32(-0.4), np.float32(0.41), 0.0, 1.0]
