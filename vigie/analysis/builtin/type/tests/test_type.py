"""Type rules over text, sentiment and toxicity."""

from __future__ import annotations

from vigie.analysis.builtin.type.analyzer import TYPES, TypeAnalyzer, classify
from vigie.analysis.contract import Item

NEUTRAL = {"label": "neutral", "score": 0.0}
NEGATIVE = {"label": "negative", "score": -0.9}
POSITIVE = {"label": "positive", "score": 0.9}
CLEAN = {"toxic": False, "score": 0.1, "categories": [], "legal_risk": False}


def test_a_request_for_information_is_a_question() -> None:
    assert classify("Comment faire pour supprimer ma carte bancaire du site ?", NEUTRAL, CLEAN) == "question"


def test_a_rhetorical_question_in_an_angry_review_is_a_complaint() -> None:
    assert classify("Trois semaines sans colis, c'est normal ça ???", NEGATIVE, CLEAN) == "complaint"


def test_suggestion_praise_and_other() -> None:
    assert (
        classify("Très bien, mais ce serait bien de proposer le paiement en 4 fois", POSITIVE, CLEAN)
        == "suggestion"
    )
    assert classify("Parfait, livraison rapide", POSITIVE, CLEAN) == "praise"
    assert classify("Réunion le 3 octobre", NEUTRAL, CLEAN) == "other"


def test_abuse_is_a_troll_and_promotions_are_spam() -> None:
    toxic = {"toxic": True, "score": 0.95, "categories": ["insult"], "legal_risk": False}
    assert classify("t'es qu'un gros débile", NEGATIVE, toxic) == "troll"
    assert classify("Gagnez un iPhone, cliquez ici https://x.example/promo", POSITIVE, CLEAN) == "spam"


def test_the_analyzer_reads_previous_results_and_returns_known_types() -> None:
    items = [Item(id="1", text="Où en est ma commande ?"), Item(id="2", text="Nul")]
    previous = [{"sentiment": NEUTRAL, "toxicity": CLEAN}, {"sentiment": NEGATIVE, "toxicity": CLEAN}]
    results = TypeAnalyzer().analyze(items, previous)
    assert [r["type"] for r in results] == ["question", "complaint"]
    assert all(r["type"] in TYPES for r in results)
