from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vigie.analysis.builtin.priority.analyzer import PriorityAnalyzer, reason_text, score_item
from vigie.analysis.contract import Item
from vigie.analysis.jsonl import output_record
from vigie.analysis.pipeline import analyze_items

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_an_angry_fresh_complaint_from_an_influencer_outranks_mild_praise() -> None:
    angry = Item(
        id="1",
        text="…",
        rating=1,
        author_followers=250_000,
        likes=300,
        shares=80,
        created_at=NOW - timedelta(hours=2),
    )
    angry_results = {"sentiment": {"label": "negative", "score": -0.9}, "type": "complaint"}
    mild = Item(id="2", text="…", rating=5, created_at=NOW - timedelta(days=3))
    mild_results = {"sentiment": {"label": "positive", "score": 0.8}, "type": "praise"}
    high = score_item(angry, angry_results, NOW)
    low = score_item(mild, mild_results, NOW)
    assert high["score"] == 100
    assert low["score"] < 20
    assert "Réclamation" in high["reasons"]
    assert any("Auteur très suivi" in reason for reason in high["reasons"])
    assert any(reason.startswith("Sentiment négatif") for reason in high["reasons"])
    assert any("Engagement rapide" in reason for reason in high["reasons"])


def test_reasons_explain_the_score_in_french_by_decreasing_weight() -> None:
    item = Item(id="1", text="…", rating=2, created_at=NOW - timedelta(hours=3))
    result = score_item(item, {"type": "question"}, NOW)
    assert result["reasons"] == [
        "Note basse (2,0/5)",
        "Question qui attend une réponse",
        "Récent : moins de 6 heures à son analyse",
    ]
    assert result["score"] == 10 + 12 + 12 + 10


def test_it_degrades_gracefully_without_the_other_analyzers() -> None:
    result = score_item(Item(id="1", text="Bonjour"), {}, NOW)
    assert result == {"score": 10, "reasons": [], "codes": []}


def test_estimated_stars_stand_in_for_a_missing_rating() -> None:
    result = score_item(Item(id="1", text="…"), {"stars": 1.2}, NOW)
    assert result["reasons"] == ["Note estimée très basse (1,2/5)"]


def test_legal_risk_and_old_posts() -> None:
    risky = score_item(
        Item(id="1", text="…"), {"toxicity": {"toxic": True, "score": 0.9, "legal_risk": True}}, NOW
    )
    assert risky["reasons"][0].startswith("Risque juridique")
    old = score_item(Item(id="1", text="…", rating=1, created_at=NOW - timedelta(days=60)), {}, NOW)
    assert old["score"] == 10 + 20 - 15
    assert "Publication ancienne (60 jours à son analyse)" in old["reasons"]


def test_spam_goes_to_the_bottom() -> None:
    assert score_item(Item(id="1", text="…", rating=1), {"type": "spam"}, NOW)["score"] == 0


def test_the_analyzer_uses_the_reference_time_of_the_context() -> None:
    item = Item(id="1", text="…", created_at=NOW - timedelta(hours=1), context={"now": NOW.isoformat()})
    [result] = PriorityAnalyzer().analyze([item], [{}])
    assert result["priority"]["reasons"] == ["Récent : moins de 6 heures à son analyse"]
    assert result["priority"]["score"] == 20


def test_its_reasons_follow_the_sentiment_and_toxicity_the_user_sees() -> None:
    """With the sentence encoder on (the default), priority reads its answers, as the mention's
    columns, ``vigie analyze``'s output and routing do."""
    angry_tweet = Item(
        id="1",
        text="@SNCF 40 minutes de retard ce matin et aucune info, merci pour rien #greve",
        language_hint="fr",
    )
    # Angry, not toxic: the fast toxicity model alone calls it toxic, the encoder settles it.
    angry_review = Item(id="2", text="J'ai attendu 2 heures, c'est honteux", language_hint="fr", rating=2)
    tweet, review = analyze_items([angry_tweet, angry_review])
    assert output_record("1", tweet)["sentiment"]["label"] == "negative"
    assert any(reason.startswith("Sentiment négatif") for reason in tweet["priority"]["reasons"])
    assert output_record("2", review)["toxicity"]["toxic"] is False
    assert not any(reason.startswith("Propos injurieux") for reason in review["priority"]["reasons"])


def test_a_rescoring_keeps_the_sentiment_it_is_given() -> None:
    # After an agent's correction the corrected sentiment is passed as "sentiment": the encoder's
    # earlier answer beside it does not override it.
    results = {
        "sentiment": {"label": "negative", "score": -0.9},
        "sentiment_encoder": {"label": "positive", "score": 0.6, "fast_score": -0.1},
        "toxicity": {"toxic": True, "score": 0.6},
        "toxicity_encoder": {"toxic": False, "score": 0.4, "fast_score": 0.6},
    }
    reasons = score_item(Item(id="1", text="…"), results, NOW)["reasons"]
    assert reasons == ["Sentiment négatif (-0,90)"]


def test_an_english_organisation_reads_its_reasons_in_english() -> None:
    # "Sentiment négatif (-0,98)", "Note très basse (1,0/5)" were shown to English agents.
    item = Item(
        id="1",
        text="…",
        rating=1,
        author_followers=12_500,
        created_at=NOW - timedelta(hours=3),
        language_hint="en",
    )
    results = {
        "sentiment": {"label": "negative", "score": -0.98},
        "type": "complaint",
        "personal_data": [{"kind": "phone"}],
    }
    reasons = score_item(item, results, NOW)["reasons"]
    assert "Very low rating (1.0/5)" in reasons
    assert "Negative sentiment (-0.98)" in reasons
    assert "Complaint" in reasons
    assert "Influential author (12,500 followers or audience)" in reasons
    assert "Recent: under 6 hours old when analysed" in reasons
    assert "Holds personal data: answer in private" in reasons
    assert score_item(item, {"type": "spam"}, NOW)["reasons"] == ["Likely spam: hide it, do not handle it"]
    french = score_item(Item(id="2", text="…", rating=1, created_at=NOW, language_hint="fr"), results, NOW)
    assert "Note très basse (1,0/5)" in french["reasons"]


def test_legal_proceedings_announced_are_for_the_legal_team_not_evidence_of_defamation() -> None:
    item = Item(id="1", text="…", created_at=NOW - timedelta(days=2))
    proceedings = {"toxicity": {"toxic": False, "legal_risk": True, "categories": ["legal_threat"]}}
    defamation = {
        "toxicity": {"toxic": True, "legal_risk": True, "categories": ["accusation", "legal_threat"]}
    }
    assert (
        "Menace de poursuites : à voir avec le service juridique"
        in score_item(item, proceedings, NOW)["reasons"]
    )
    assert any(r.startswith("Risque juridique") for r in score_item(item, defamation, NOW)["reasons"])


def test_a_one_star_review_is_not_counted_twice_when_its_stars_set_its_sentiment() -> None:
    # The sentiment of a rated review follows its stars; the stars already weigh in the priority,
    # so only what the text itself says adds to it.
    item = Item(id="1", text="…", rating=1, created_at=NOW - timedelta(days=3))
    kind_words = {
        "sentiment": {"label": "negative", "score": -0.2, "text_label": "positive", "text_score": 0.6}
    }
    angry_words = {
        "sentiment": {"label": "negative", "score": -0.9, "text_label": "negative", "text_score": -0.8}
    }
    kind = score_item(item, kind_words, NOW)
    angry = score_item(item, angry_words, NOW)
    assert kind["reasons"] == ["Note très basse (1,0/5)"]
    assert "Texte négatif (-0,80)" in angry["reasons"]
    assert angry["score"] > kind["score"]


def test_the_reasons_are_stored_as_codes_and_said_in_any_language() -> None:
    # A French organisation's English-speaking agent reads the reasons in English on the case page.
    item = Item(id="1", text="…", rating=1, author_followers=12_500, created_at=NOW - timedelta(days=40))
    result = score_item(item, {"sentiment": {"label": "negative", "score": -0.765}}, NOW)
    assert result["codes"][0] == {"code": "negative", "value": -0.77, "digits": 2}
    assert result["reasons"] == [reason_text(code) for code in result["codes"]]
    assert [reason_text(code, english=True) for code in result["codes"]] == [
        "Negative sentiment (-0.77)",
        "Very low rating (1.0/5)",
        "Old post (40 days when analysed)",
        "Influential author (12,500 followers or audience)",
    ]
    assert reason_text({"code": "a reason of a later version"}) == ""
