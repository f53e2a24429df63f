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


def test_a_review_without_text_says_what_its_stars_say_or_nothing() -> None:
    # A rating-only Google review, a blank post: the models' prior on no words read "positive"
    # and pulled a 1-star review's score halfway towards it.
    blank, spaces, one_star, five_stars, emoji = _run(
        Item(id="1", text=""),
        Item(id="2", text="   ", title=" "),
        Item(id="3", text="", rating=1),
        Item(id="4", text="", rating=5),
        Item(id="5", text="👍"),
    )
    for result in (blank, spaces):
        assert result["sentiment"] == {"label": "neutral", "score": 0.0}
        assert result["stars"] == 3.0
    assert one_star["sentiment"]["label"] == "negative"
    assert one_star["sentiment"]["score"] == -1.0
    assert one_star["stars"] == 1.0
    assert five_stars["sentiment"]["label"] == "positive"
    assert five_stars["sentiment"]["score"] == 1.0
    assert emoji["sentiment"]["label"] == "positive"  # an emoji is something to read


def test_english_reviews_go_through_the_english_models() -> None:
    [angry, happy] = _run(
        Item(id="1", text="Broke after two days, total waste of money. The seller never answered my emails."),
        Item(
            id="2",
            text="Great quality and fast delivery, my daughter loves it. Highly recommend this seller!",
        ),
    )
    assert angry["sentiment"]["label"] == "negative"
    assert angry["stars"] < 2.5
    assert happy["sentiment"]["label"] == "positive"
    assert happy["stars"] > 3.5


def test_the_language_analyzer_answer_chooses_the_model() -> None:
    from vigie.analysis.builtin.sentiment.analyzer import model_language

    item = Item(id="1", text="ok")
    assert model_language(item, {"language": "en"}) == "en"
    assert model_language(item, {"language": "fr"}) == "fr"
    assert model_language(item, {"language": "de"}) == "fr"
    assert model_language(Item(id="2", text="ok", language_hint="en"), {}) == "en"
    assert model_language(Item(id="3", text="The delivery was quick and the product is great"), {}) == "en"


def test_a_post_with_a_hashtag_or_link_is_read_as_a_tweet_without_a_platform() -> None:
    from vigie.analysis.builtin.sentiment.analyzer import _is_social

    assert _is_social(Item(id="1", text="Conférence sur le climat demain #COP21 http"))
    assert _is_social(Item(id="2", text="@user merci pour l'info"))
    assert not _is_social(Item(id="3", text="Très bon produit, livraison rapide."))
    assert not _is_social(Item(id="4", text="#super produit", rating=5.0))
    long_review = "Très bon produit. " * 20 + "#top"
    assert not _is_social(Item(id="5", text=long_review))
    # A reply made public (".@user") is a post; an e-mail address or a number is no mark.
    assert _is_social(Item(id="6", text=".@user sur l'écotaxe : on se prive de moyens"))
    assert not _is_social(Item(id="7", text="J'ai envoyé 2 mails à sav@assureur.fr sans aucune réponse"))
    assert not _is_social(Item(id="8", text="Reçu le disque #2 en double, il manque le #1"))


def test_a_mixed_review_is_answered_by_the_clause_after_the_contrast() -> None:
    [bad_end, good_end] = _run(
        Item(
            id="1",
            text="Le produit est joli mais il est tombé en panne au bout d'une semaine, remboursement refusé.",
        ),
        Item(id="2", text="Livraison un peu lente mais produit parfait, très satisfait, je recommande."),
    )
    assert bad_end["sentiment"]["label"] == "negative"
    assert good_end["sentiment"]["label"] == "positive"


GLOWING = "Livraison rapide, produit conforme, vendeur très aimable. Je recommande !"
FURIOUS = "Commande jamais reçue, service client injoignable, je suis furieux. A fuir !"


def test_a_rated_review_reads_on_the_side_of_its_stars_and_keeps_what_the_text_says() -> None:
    # A customer who writes kind words and gives one star (or the reverse) has told us which side
    # they are on: the queue must not show a 1-star review as "positive".
    one_star, five_stars = _run(Item(id="1", text=GLOWING, rating=1), Item(id="2", text=FURIOUS, rating=5))
    assert one_star["sentiment"]["label"] == "negative"
    assert -1.0 <= one_star["sentiment"]["score"] < 0
    assert one_star["sentiment"]["text_label"] == "positive"
    assert one_star["sentiment"]["text_score"] > 0.5
    assert five_stars["sentiment"]["label"] == "positive"
    assert 0 < five_stars["sentiment"]["score"] <= 1.0
    assert five_stars["sentiment"]["text_label"] == "negative"
    # Its stars are its own, not the estimate from its words.
    assert one_star["stars"] == 1.0
    assert five_stars["stars"] == 5.0


def test_stars_and_text_that_agree_give_a_stronger_score_than_stars_alone() -> None:
    agreeing, disagreeing = _run(Item(id="1", text=FURIOUS, rating=2), Item(id="2", text=GLOWING, rating=2))
    assert agreeing["sentiment"]["label"] == disagreeing["sentiment"]["label"] == "negative"
    assert agreeing["sentiment"]["score"] < disagreeing["sentiment"]["score"]


def test_a_three_star_review_is_neutral_unless_its_text_is_clearly_one_sided() -> None:
    clear, mixed = _run(
        Item(id="1", text=FURIOUS, rating=3),
        Item(id="2", text="Le produit est correct, sans plus. Livré dans les délais.", rating=3),
    )
    assert clear["sentiment"]["label"] == "negative"
    assert mixed["sentiment"]["text_label"] == "positive"
    assert mixed["sentiment"]["label"] == "neutral"
    assert abs(mixed["sentiment"]["score"]) < 0.05


def test_an_unrated_text_is_read_from_its_words_alone() -> None:
    [unrated] = _run(Item(id="1", text=GLOWING))
    assert unrated["sentiment"]["label"] == "positive"
    assert "text_label" not in unrated["sentiment"]


def test_a_company_name_carries_no_sentiment_of_its_own() -> None:
    # The models learnt the names of the companies their training reviews are about: "J'ai
    # commandé sur Amazon la semaine dernière." read -0.80 and "chez MAAF" -0.85, "chez L'olivier"
    # +0.54. The names are left out of their training texts (training/brands.py).
    names = ["AXA", "MACIF", "MAAF", "Allianz", "L'olivier", "Direct Assurance", "Amazon", "Cdiscount"]
    for template in (
        "Je suis assuré chez {} depuis cette année.",
        "J'ai commandé sur {} la semaine dernière.",
    ):
        scores = [
            r["sentiment"]["score"] for r in _run(*(Item(id=n, text=template.format(n)) for n in names))
        ]
        assert max(scores) - min(scores) < 0.4, dict(zip(names, scores, strict=True))
    [english] = _run(Item(id="1", text="I ordered from Amazon last week."))
    assert english["sentiment"]["score"] > -0.3  # it read -0.82
