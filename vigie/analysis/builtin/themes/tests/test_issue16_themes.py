"""Issue 16, item 6: hand-checked keywords and synonyms, aspect sentiment, English taxonomy."""

from __future__ import annotations

import json

from vigie.analysis.builtin.themes.analyzer import ThemesAnalyzer, clauses, index_for, synonyms
from vigie.analysis.contract import Item
from vigie.analysis.pipeline import default_pipeline
from vigie.analysis.taxonomy import DEFAULT_TAXONOMY, ENGLISH_TAXONOMY, default_label
from vigie.analysis.training.synonyms import REVIEWED, STOP_STEMS, filtered


def _default(text: str, language: str = "fr") -> list[str]:
    return index_for(None, language).themes(text)


def test_the_verb_avoir_is_not_a_refund() -> None:
    assert "remboursement" not in _default("Il faut avoir de la patience pour obtenir quoi que ce soit.")
    assert "remboursement" in _default("On m'a proposé un avoir sur ma prochaine commande.")


def test_accident_does_not_expand_to_claims_words() -> None:
    assert "securite" not in _default("Le sinistre a été déclaré, je ne suis pas responsable.")
    assert "securite" in _default("Un accident sur le parking de l'agence.")


def test_shipped_synonyms_hold_no_verb_nor_generic_word() -> None:
    table = synonyms()
    assert "avoir" not in table
    assert all(not set(neighbours) & STOP_STEMS for neighbours in table.values())
    for root, accepted in REVIEWED.items():
        assert set(table.get(root, [])) <= set(accepted), root
    assert "sinistr" not in table.get("accident", [])


def test_filtering_keeps_only_reviewed_neighbours_of_taxonomy_keywords() -> None:
    raw = {
        "avoir": ["obtenir", "fair"],
        "accident": ["responsabl", "sinistr", "accrochag"],
        "velo": ["trottinet", "fair"],
    }
    assert filtered(raw) == {"accident": ["accrochag"], "velo": ["trottinet"]}


def test_a_bare_verb_is_no_default_keyword() -> None:
    keywords = {keyword for theme in DEFAULT_TAXONOMY for keyword in theme.keywords}
    assert not {"avoir", "attendre", "rembourser", "joindre", "faire"} & keywords


def test_english_text_uses_the_english_taxonomy() -> None:
    assert [t.slug for t in ENGLISH_TAXONOMY] == [t.slug for t in DEFAULT_TAXONOMY]
    assert _default("The parcel was never delivered and I want a refund.", "en") == [
        "remboursement",
        "livraison",
    ]
    assert default_label("livraison", "en") == "Delivery"
    assert default_label("livraison") == "Livraison"
    analyzer = ThemesAnalyzer()
    english, french = analyzer.analyze(
        [Item(id="1", text="Rude staff and a dirty lobby."), Item(id="2", text="Personnel impoli.")],
        [{"language": "en"}, {"language": "fr"}],
    )
    assert english["themes"] == ["accueil", "proprete"]
    assert french["themes"] == ["accueil"]


def test_clauses_cut_sentences_and_contrasts() -> None:
    assert clauses("Prix correct mais accueil glacial. Livraison rapide") == [
        "Prix correct",
        "mais accueil glacial.",
        "Livraison rapide",
    ]


def test_each_theme_gets_the_sentiment_of_its_clauses() -> None:
    pipeline = default_pipeline()
    text = (
        "Les prix sont beaucoup trop chers, une vraie arnaque sur les tarifs. "
        "Par contre l'accueil est excellent, personnel souriant et très aimable, merci !"
    )
    (result,) = pipeline.analyze([Item(id="1", text=text)])
    assert result["themes"][:1] == ["facturation"]
    assert "accueil" in result["themes"]
    assert result["aspects"]["facturation"] == "negative"
    assert result["aspects"]["accueil"] == "positive"
    json.dumps(result["aspects"])  # plain JSON for the output line and the stored result


def test_a_single_theme_takes_the_text_sentiment() -> None:
    analyzer = ThemesAnalyzer()
    (result,) = analyzer.analyze(
        [Item(id="1", text="Colis jamais arrivé.")], [{"sentiment": {"label": "negative", "score": -0.9}}]
    )
    assert result == {"themes": ["livraison"], "aspects": {"livraison": "negative"}}


def test_a_keyword_is_no_typo_of_another_theme_and_false_friends_are_ignored() -> None:
    # "attente" and "attest(ation)" differ by one letter: the known word keeps its own theme.
    assert _default("Une heure d'attente au guichet.") == ["attente"]
    assert _default("Ils répondent toujours à nos attentes, conseillère attentive.") == ["competence"]
    # "livre" (a book) folds to the stem of "livré": no delivery theme for a reader, but "livre"
    # typed for "livré" still is one.
    assert _default("J'ai lu ce livre pendant les vacances, les livres de poche sont bien.") == []
    assert _default("Un très bon livre.") == []
    assert _default("Tout a été livre rapidement.") == ["livraison"]
    assert _default("Le livre est arrivé, jamais livré à temps.") == ["livraison"]


def test_the_labelled_theme_sets_name_only_default_themes() -> None:
    from vigie.analysis.builtin.themes.evaluate import EVALDATA, score

    slugs = {theme.slug for theme in DEFAULT_TAXONOMY}
    for split in ("dev", "test"):
        rows = [json.loads(line) for line in (EVALDATA / f"themes_{split}.jsonl").read_text().splitlines()]
        assert len(rows) == 80
        assert all(set(row["themes"]) <= slugs for row in rows)
    table = score([["prix"], ["accueil"], []], [["prix", "accueil"], [], []])
    assert table["micro"] == {"support": 2, "found": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}
