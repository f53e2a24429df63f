"""Issue 16: rhetorical "pourquoi… ?" complaints are not questions; news posts are not complaints."""

from __future__ import annotations

from vigie.analysis.builtin.type.analyzer import reads_as_news, reread, rhetorical
from vigie.analysis.contract import Item
from vigie.analysis.pipeline import default_pipeline

NEGATIVE = {"sentiment": {"label": "negative", "score": -0.8}, "toxicity": {"score": 0.1}}
GLOWING = {"sentiment": {"label": "positive", "score": 0.97}, "toxicity": {"score": 0.0}}


def _type(text: str, **fields: object) -> str:
    (result,) = default_pipeline().analyze([Item(id="1", text=text, **fields)])  # type: ignore[arg-type]
    return str(result["type"])


def test_a_rhetorical_why_is_a_complaint() -> None:
    text = "POURQUOI LA LIVRAISON EST-ELLE SI LONGUE ?"
    assert rhetorical(text) == "rhetorical"
    assert reread(Item(id="1", text=text), text, "question", NEGATIVE) == "complaint"
    assert _type("Pourquoi la livraison est-elle si longue ? Trois semaines pour un colis.") == "complaint"
    assert _type("Prélevé deux fois ce mois-ci, c'est normal ???") == "complaint"


def test_why_with_an_infinitive_argues_and_why_not_suggests() -> None:
    text = "Souscription en ligne au top ! Pourquoi payer deux fois plus cher ailleurs ?"
    assert reread(Item(id="1", text=text), text, "question", GLOWING) == "praise"
    text = "Pourquoi ne pas proposer le paiement en trois fois ?"
    assert reread(Item(id="1", text=text), text, "question", NEGATIVE) == "suggestion"


def test_a_real_question_stays_a_question() -> None:
    for text in (
        "Pourquoi ma carte n'est pas acceptée ? Pouvez-vous me répondre ?",
        "Comment faire pour changer ma carte bancaire enregistrée ?",
        "Pourquoi mon colis est-il bloqué au dépôt ?",
    ):
        assert reread(Item(id="1", text=text), text, "question", NEGATIVE) == "question", text


def test_a_news_post_is_other() -> None:
    news = "Les raccordements d'installations d'énergies #renouvelables progressent en France http://t.co/x"
    assert reads_as_news(Item(id="1", text=news), news)
    for answer in ("complaint", "praise", "troll"):
        assert reread(Item(id="1", text=news), news, answer, NEGATIVE) == "other"
    assert _type(news) == "other"


def test_a_post_with_a_person_or_a_rating_is_not_news() -> None:
    mine = "Mon colis n'est jamais arrivé, honteux http://t.co/x"
    assert not reads_as_news(Item(id="1", text=mine), mine)
    reply = "@transporteur toujours rien reçu #colis #retard"
    assert not reads_as_news(Item(id="1", text=reply), reply)
    rated = "Livraison ratée http://t.co/x"
    assert not reads_as_news(Item(id="1", text=rated, rating=1), rated)
    toxic = {"sentiment": {"score": -0.9}, "toxicity": {"score": 0.95}}
    abuse = "Quelle bande d'abrutis ces gens http://t.co/x"
    assert reread(Item(id="1", text=abuse), abuse, "troll", toxic) == "troll"
