"""Toxicity verdicts and legal-risk flags."""

from __future__ import annotations

from vigie.analysis.builtin.toxicity.analyzer import ToxicityAnalyzer, flags
from vigie.analysis.contract import Item


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
