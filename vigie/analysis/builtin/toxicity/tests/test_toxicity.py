"""Toxicity verdicts and legal-risk flags."""

from __future__ import annotations

import pytest

from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer, flags
from vigie.analysis.contract import Item
from vigie.analysis.training import data


def _run(*texts: str) -> list[dict]:
    analyzer = ToxicityAnalyzer()
    analyzer.load()
    return [
        r["toxicity"] for r in analyzer.analyze([Item(id=str(i), text=t) for i, t in enumerate(texts)], [])
    ]


def test_an_insulting_message_is_toxic_and_a_polite_one_is_not() -> None:
    insult, polite = _run(
        "Ferme ta gueule espèce de connard, sale bouffon", "Merci pour votre aide, bonne journée"
    )
    assert insult["toxic"]
    assert "insult" in insult["categories"]
    assert not polite["toxic"]
    assert polite["categories"] == []
    assert insult["score"] > polite["score"]


def test_accusing_a_named_person_of_fraud_is_a_legal_risk() -> None:
    [result] = _run("Le conseiller M. Dupont est un escroc, il a volé mon argent")
    assert result["legal_risk"]
    assert {"accusation", "named_person"} <= set(result["categories"])


def test_a_threat_is_flagged_even_when_the_model_score_is_low() -> None:
    [result] = _run("Je vais vous retrouver, vous allez le payer")
    assert "threat" in result["categories"]
    assert result["toxic"]
    assert result["legal_risk"]


@pytest.mark.parametrize(
    "text",
    [
        # The demo's praise for an agent went to the legal team: "thie\\w+" read "Thierry".
        "Merci à Thierry pour sa patience et sa gentillesse",
        "Thierry a trouvé la solution en deux minutes, je reste chez vous",
        "Agence de Thiers : accueil parfait",
        "They did thier best, great service",
        "Mes commandes sont détournées vers des points relais différents",
        "Le livreur a détourné le colis vers Toulouse",
    ],
)
def test_names_and_diverted_parcels_are_not_accusations(text: str) -> None:
    [result] = _run(text)
    assert "accusation" not in result["categories"]
    assert not result["legal_risk"]


@pytest.mark.parametrize(
    "text",
    [
        "Bunch of thieves, they kept my deposit",
        "This company is a thief",
        "Détournement de fonds par le gérant de l'agence",
        "Ils ont détourné l'argent des adhérents",
    ],
)
def test_thieves_and_embezzlement_still_are(text: str) -> None:
    assert "accusation" in flags(text)


def test_flags_absorb_inflections() -> None:
    assert "accusation" in flags("Des arnaqueurs et des escrocs, une vraie escroquerie")
    assert flags("Livraison rapide") == []


def test_an_angry_customer_is_not_called_toxic() -> None:
    angry, fed_up, insult = _run(
        "Livraison en retard de trois semaines, service client injoignable, je suis furieux et je ne recommande pas.",
        "Produit arrivé cassé, remboursement refusé, plus jamais chez vous. Honteux !",
        "t'es vraiment un gros débile",
    )
    assert not angry["toxic"]
    assert not fed_up["toxic"]
    assert insult["toxic"]
    assert insult["score"] > 0.5 > max(angry["score"], fed_up["score"])


def test_short_everyday_sentences_are_not_toxic() -> None:
    # Comments under a restaurant's or a shop's post: short, benign, about food or an order. Before
    # short review sentences were clean training rows, a short text leaned toxic ("le" scored 0.80).
    # The first four were called toxic then (0.50-0.59).
    sentences = (
        "Le dessert était bon.",
        "Comment faire??",
        "Je me sens piégée.",
        "Sans compter qu'ils perdent les documents",
        "Nous avons dîné en terrasse.",
        "Le colis est arrivé mardi.",
    )
    results = _run(*sentences)
    assert [text for text, found in zip(sentences, results, strict=True) if found["toxic"]] == []
    assert max(found["score"] for found in results) < 0.45


def _seen(*texts: str) -> list[dict]:
    """The toxicity a user sees: the whole pipeline, as ``vigie analyze`` runs it (the sentence
    encoder settles the fast model's doubtful cases)."""
    from vigie.analysis.jsonl import output_record
    from vigie.analysis.pipeline import analyze_items

    results = analyze_items([Item(id=str(i), text=t) for i, t in enumerate(texts)])
    return [output_record(str(i), r)["toxicity"] for i, r in enumerate(results)]


def test_a_customers_tweet_is_not_toxic_for_being_a_tweet() -> None:
    """The hate-speech training set is tweets: a handle, a hashtag or a link must not be what makes
    a text toxic (the model called 73 % of ordinary French tweets and 95 % of English ones toxic
    before ordinary tweets were taught as clean)."""
    *posts, insult = _seen(
        "@free_1337 ma box ne marche plus depuis 3 jours, quelqu'un peut m'aider ?",
        "@orange toujours pas de fibre chez moi, c'est une blague ou quoi",
        "@AirFrance vol annulé sans explication, aucun remboursement, inadmissible #AF1234",
        "Nouvelle collection dispo en magasin ! #mode #nouveautés http://t.co/x",
        "@united lost my bag again, third time this year. Not impressed #travel",
        "Great chat with @Decathlon support today, sorted in 5 minutes http://t.co/y",
        "@user ferme ta gueule sale con #balance",
    )
    assert [p["toxic"] for p in posts] == [False] * len(posts)
    assert insult["toxic"]


@pytest.mark.skipif(
    not (data.DATA / "umsab_tweets").is_dir(), reason="the shared data is not beside this checkout"
)
def test_ordinary_tweets_are_rarely_called_toxic() -> None:
    """UMSAB's validation tweets (French and English: news, opinions, complaints), never trained
    on: at most 3 % called toxic."""
    tweets = [e.text for language in ("french", "english") for e in data.tweets(language)[1]]
    results = _seen(*tweets)
    assert sum(r["toxic"] for r in results) / len(results) <= 0.03


def test_english_has_its_own_model_insults_are_toxic_angry_customers_are_not() -> None:
    """English texts go through ``toxicity_en`` (the French model had never read an English toxic
    text: it missed some insults and called about a fifth of English reviews toxic)."""
    insults = _seen(
        "You are a fucking idiot, go to hell",
        "Shut up you stupid bitch",
        "I will find you and make you pay for this",
    )
    angry = _seen(
        "Worst customer service ever, total disgrace",
        "Still waiting for my refund after three weeks, this is ridiculous",
        "Absolutely useless company, never again. Avoid at all costs!",
    )
    assert [r["toxic"] for r in insults] == [True, True, True]
    assert [r["toxic"] for r in angry] == [False, False, False]


@pytest.mark.skipif(
    not (data.DATA / "amazon_marc_en").is_dir(), reason="the shared data is not beside this checkout"
)
def test_ordinary_english_reviews_are_rarely_called_toxic() -> None:
    """600 English validation reviews of each English set, never trained on: at most 2 % toxic."""
    import random

    reviews = [e.text for e in data.english_reviews() if data.split_of(e.text) == "validation"]
    random.Random(16).shuffle(reviews)
    results = _seen(*reviews[:1200])
    assert sum(r["toxic"] for r in results) / len(results) <= 0.02


@pytest.mark.parametrize(
    "text",
    [
        "I got food poisoning after your sandwich. I will report you to environmental health and speak to my lawyer.",
        "You are thieves and scammers, I will sue you",
        "We're going to sue if the deposit is not returned",
        "Trois mois sans réponse : je vais porter plainte et saisir le médiateur.",
        "Mise en demeure envoyée en recommandé, prochaine étape le tribunal.",
        "J'ai pris un avocat, nous irons en justice.",
    ],
)
def test_a_customer_announcing_legal_proceedings_is_a_legal_risk(text: str) -> None:
    # "...speak to my lawyer" came out with no legal risk: the legal team never saw it.
    [result] = _run(text)
    assert result["legal_risk"], result


@pytest.mark.parametrize(
    "text",
    [
        "Sue at the front desk was lovely",
        "The tennis court was spotless",
        "Merci pour le remboursement rapide, rien à redire",
        "A bit pricey but worth it",
    ],
)
def test_a_name_or_a_court_for_tennis_is_no_legal_threat(text: str) -> None:
    assert "legal_threat" not in flags(text)
