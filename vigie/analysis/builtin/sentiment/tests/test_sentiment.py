"""The shipped sentiment models read real-sounding French reviews and posts correctly."""

from __future__ import annotations

from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer
from vigie.analysis.contract import Item


def _run(*items: Item) -> list[dict]:
    analyzer = SentimentAnalyzer()
    analyzer.load()
    return analyzer.analyze(items, [{} for _ in items])


def test_an_angry_review_is_negative_with_low_stars() -> None:
    [result] = _run(
        Item(id="1", text="Commande jamais reçue, service client injoignable, je suis furieux. A fuir !")
    )
    assert result["sentiment"]["label"] == "negative"
    assert result["sentiment"]["score"] < -0.5
    assert result["stars"] < 2.5


def test_a_happy_review_is_positive_with_high_stars() -> None:
    [result] = _run(
        Item(id="1", text="Livraison rapide, produit conforme, vendeur très aimable. Je recommande !")
    )
    assert result["sentiment"]["label"] == "positive"
    assert result["sentiment"]["score"] > 0.5
    assert result["stars"] > 3.5


def test_negation_turns_praise_into_a_complaint() -> None:
    [plain, negated] = _run(
        Item(id="1", text="Le produit est bien et le service est bon."),
        Item(id="2", text="Le produit n'est pas bien et le service n'est pas bon."),
    )
    assert negated["sentiment"]["score"] < plain["sentiment"]["score"]


def test_social_posts_use_the_three_class_model_and_can_be_neutral() -> None:
    [result] = _run(
        Item(id="1", text="Réunion d'information sur le règlement le 3 octobre http", platform="twitter")
    )
    assert result["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert -1.0 <= result["sentiment"]["score"] <= 1.0


def test_results_keep_the_contract_keys_and_ranges_even_for_empty_text() -> None:
    results = _run(Item(id="1", text=""), Item(id="2", text="👍"), Item(id="3", text="?" * 50))
    for result in results:
        assert set(result) == {"sentiment", "stars"}
        assert 1.0 <= result["stars"] <= 5.0
        assert -1.0 <= result["sentiment"]["score"] <= 1.0
    assert SentimentAnalyzer().analyze([], []) == []
