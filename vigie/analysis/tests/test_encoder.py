"""The sentence-encoder analyzer: on by default, off with ``VIGIE_ENCODER=0``; it reads social posts
(marked or recognised as such) and uncertain English reviews, never rated or confident reviews,
and its answer is the sentiment a user sees."""

from __future__ import annotations

import pytest

from vigie.analysis.actions import _denormalised
from vigie.analysis.builtin.encoder import analyzer as encoder_module
from vigie.analysis.builtin.encoder.analyzer import EncoderSentimentAnalyzer
from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer
from vigie.analysis.contract import Item, Results
from vigie.analysis.jsonl import output_record, user_toxicity
from vigie.analysis.pipeline import analyze_items
from vigie.analysis.registry import registered_analyzers


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_it_is_registered_unless_switched_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    registered_analyzers.cache_clear()
    monkeypatch.delenv("VIGIE_ENCODER", raising=False)
    try:
        assert "encoder_sentiment" in registered_analyzers()
        registered_analyzers.cache_clear()
        monkeypatch.setenv("VIGIE_ENCODER", value)
        assert "encoder_sentiment" not in registered_analyzers()
    finally:
        registered_analyzers.cache_clear()


def _sentiment(items: list[Item]) -> list[Results]:
    found: list[Results] = [{"language": item.language_hint} for item in items]
    for analyzer in (SentimentAnalyzer(), ToxicityAnalyzer()):
        for row, new in zip(found, analyzer.analyze(items, found), strict=True):
            row.update(new)
    return found


def _answers(items: list[Item]) -> tuple[list[Results], list[Results]]:
    previous = _sentiment(items)
    analyzer = EncoderSentimentAnalyzer()
    analyzer.load()
    return previous, analyzer.analyze(items, previous)


def test_it_answers_the_uncertain_english_reviews_not_the_confident_ones() -> None:
    items = [
        # Mixed, so the fast model is unsure, but negative on the whole.
        Item(
            id="1",
            text="The colour is nice but the fabric feels cheap and it shrank after one wash.",
            language_hint="en",
            title="Meh",
        ),
        Item(
            id="2",
            text="Delivered in two days. My husband uses it every morning.",
            language_hint="en",
            title="Ok",
        ),
        Item(id="3", text="Terrible. Broke on day one, waste of money, avoid.", language_hint="en"),
    ]
    previous, answers = _answers(items)
    threshold = EncoderSentimentAnalyzer()._threshold
    for found, answer in zip(previous[:2], answers[:2], strict=True):
        assert (answer["sentiment_encoder"] is not None) == (abs(found["sentiment"]["score"]) < threshold)
    assert answers[0]["sentiment_encoder"]["label"] == "negative"
    assert answers[1]["sentiment_encoder"]["label"] == "positive"
    # A confident English review is left to the fast model.
    assert abs(previous[2]["sentiment"]["score"]) >= threshold
    assert answers[2]["sentiment_encoder"] is None


def test_it_reads_social_posts_with_three_classes() -> None:
    items = [
        # An angry tweet whose "merci" is sarcasm.
        Item(
            id="1",
            text="@SNCF 40 minutes de retard ce matin et aucune info, merci pour rien #greve",
            language_hint="fr",
        ),
        Item(
            id="2",
            text="Le nouveau magasin ouvre lundi à 9h rue de la République https://t.co/abc",
            language_hint="fr",
        ),
        # No handle, hashtag or link, no platform: recognised as a post by how it is written.
        Item(
            id="3",
            text="Can't believe it's already Friday tomorrow, anyone going to the concert?",
            language_hint="en",
        ),
    ]
    _, answers = _answers(items)
    assert [a["sentiment_encoder"]["label"] for a in answers] == ["negative", "neutral", "neutral"]
    assert all(set(a["sentiment_encoder"]) == {"label", "score", "fast_score"} for a in answers)


def test_short_unrated_reviews_keep_their_side_when_the_tweet_model_alone_says_neutral() -> None:
    # Short, no rating, no title, no handle/hashtag/link: they could be posts, and the fast tweet
    # model reads them as neutral; the post detectors read them as the reviews they are, so a
    # user sees the review model's side (with the encoder off, the tweet model's "neutral"
    # stands: it lifts the English tweets there, docs/models.md).
    items = [
        Item(id="1", text="tres satisfait par le site et le moyen de paiement en 4 fois", language_hint="fr"),
        Item(id="2", text="Le paiement en 4 fois ne m a pas ete proposer"),
    ]
    previous, answers = _answers(items)
    # The fast tweet model reads the first as neutral (the second, since the negated character
    # n-grams of "ne m a pas", as negative already).
    assert previous[0]["sentiment"]["label"] == "neutral"
    seen = [
        output_record("1", {**found, **answer})["sentiment"]
        for found, answer in zip(previous, answers, strict=True)
    ]
    assert [sentiment["label"] for sentiment in seen] == ["positive", "negative"]
    assert [sentiment["score"] for sentiment in seen] == [found["sentiment"]["score"] for found in previous]
    # The same through the whole analysis, as `vigie analyze` and the pipeline run it.
    assert [output_record("1", result)["sentiment"]["label"] for result in analyze_items(items)] == [
        "positive",
        "negative",
    ]


def test_clear_rated_reviews_never_load_the_encoder() -> None:
    items = [
        Item(
            id="1",
            text="Livraison rapide, merci, je recommande.",
            language_hint="fr",
            rating=5,
        ),
        Item(id="2", text="Pas mal du tout, je recommande.", language_hint="fr", rating=4),
    ]
    encoder_module._load_encoder.cache_clear()
    _, answers = _answers(items)
    assert answers == [{"sentiment_encoder": None, "toxicity_encoder": None}] * 2
    assert encoder_module._load_encoder.cache_info().currsize == 0


def test_vigie_analyze_shows_the_encoders_answer() -> None:
    post = Item(
        id="1",
        text="@SNCF 40 minutes de retard ce matin et aucune info, merci pour rien #greve",
        language_hint="fr",
    )
    (result,) = analyze_items([post])
    # What the user reads: an angry tweet is negative (whatever the fast model alone says of it,
    # which a retrained fast model may change).
    assert output_record("1", result)["sentiment"]["label"] == "negative"


def test_it_settles_doubtful_toxicity_and_leaves_clear_cases_alone() -> None:
    items = [
        # Angry, not toxic: the fast model hesitates (its score lies in the band).
        Item(id="1", text="Franchement c'est nul", language_hint="fr", rating=2),
        Item(
            id="2", text="Ce gouvernement de voleurs nous prend pour des idiots", language_hint="fr", rating=1
        ),
        Item(id="3", text="Ferme ta gueule sale con", language_hint="fr", rating=1),
        Item(id="4", text="Livraison rapide, merci", language_hint="fr", rating=5),
    ]
    previous, answers = _answers(items)
    low, high = encoder_module._head(encoder_module.TOXICITY_HEAD).meta["band"]
    assert low <= previous[0]["toxicity"]["score"] < high
    assert answers[0]["toxicity_encoder"]["toxic"] is False
    assert answers[0]["toxicity_encoder"]["fast_score"] == previous[0]["toxicity"]["score"]
    assert answers[1]["toxicity_encoder"]["toxic"] is True
    # Far from the threshold (sure either way), the fast verdict stands.
    assert answers[2]["toxicity_encoder"] is None
    assert answers[3]["toxicity_encoder"] is None
    seen = user_toxicity({**previous[0], **answers[0]})
    assert seen["toxic"] is False
    assert seen["categories"] == previous[0]["toxicity"]["categories"]
    assert output_record("1", {**previous[0], **answers[0]})["toxicity"]["toxic"] is False


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


def test_a_shouted_post_reads_as_the_same_words_written_normally() -> None:
    """Found in the demo: "BUNCH OF CROOKS 🤡" came out positive, "Bunch of crooks 🤡" negative."""
    assert encoder_module.unshouted("BUNCH OF CROOKS 🤡") == "bunch of crooks 🤡"
    assert encoder_module.unshouted("Remboursé en 48 h, MERCI à Léa") == "Remboursé en 48 h, MERCI à Léa"
    assert encoder_module.unshouted("SNCF") == "SNCF"  # too short to be shouting
    shouted, written = analyze_items(
        [Item(id="1", text="ALL INSURERS ARE SCAMS"), Item(id="2", text="All insurers are scams")]
    )
    assert shouted["sentiment_encoder"] is not None
    assert shouted["sentiment_encoder"]["label"] == written["sentiment_encoder"]["label"] == "negative"


def test_a_rated_english_review_keeps_the_side_of_its_stars() -> None:
    # Uncertain English text: without stars the encoder would answer; with them, the stars do.
    text = "The colour is nice but the fabric feels cheap and it shrank after one wash."
    previous, answers = _answers(
        [Item(id="1", text=text, language_hint="en", rating=4), Item(id="2", text=text, language_hint="en")]
    )
    assert answers[1]["sentiment_encoder"] is not None
    assert answers[0]["sentiment_encoder"] is None
    assert _denormalised({**previous[0], **answers[0]})["sentiment"] == "positive"
