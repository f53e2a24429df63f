"""Issue 16, items 4 and 6: the English keywords, checked on English reviews, and their evaluation."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from vigie.analysis.builtin.themes.analyzer import index_for, stem_en
from vigie.analysis.builtin.themes.evaluate import ENGLISH_SOURCES, label_file, main
from vigie.analysis.taxonomy import DEFAULT_TAXONOMY, ENGLISH_TAXONOMY
from vigie.analysis.training.data import DATA


def _english(text: str) -> list[str]:
    return index_for(None, "en").themes(text)


def test_english_inflections_share_a_stem_but_not_other_words() -> None:
    assert {stem_en(w) for w in ("charge", "charged", "charges", "charging")} == {"charg"}
    assert stem_en("shipped") == stem_en("shipping") == "ship"
    assert stem_en("deliveries") == stem_en("delivery")
    assert stem_en("dresses") == stem_en("dress") == "dress"
    # No "-ly" nor "-y": a friend is not friendly, a fault not faulty.
    assert stem_en("friendly") != stem_en("friend")
    assert stem_en("faulty") != stem_en("fault")


def test_inflected_english_keywords_are_found() -> None:
    assert _english("They refunded me within a day.") == ["remboursement"]
    assert _english("The lamp arrived damaged and the box was crushed.") == ["qualite"]
    assert _english("My parcels were never delivered.") == ["livraison"]


def test_ordinary_product_words_name_no_theme() -> None:
    for text in (
        "The case fits my phone perfectly.",  # a phone is a product, not a call
        "Easy to clean, great smell, and the form fitting cut is lovely.",
        "A welcome addition to my wardrobe, it comes with attitude.",
        "I have a professional blender and this one works as well.",
        "This cable stopped charging after a week.",  # not "charged" (billing)
        "Action packed and fun to watch, I can't wait to watch it again.",  # "packed" is no typo of "hacked"
        "Writing on the box, but wanting more colours; the effects are great.",  # nor waiting, defect
        "Great tracks on this album, and the bug spray works.",
    ):
        assert _english(text) == [], text


def test_customer_service_sentences_still_name_their_theme() -> None:
    assert _english("I was kept waiting for an hour.") == ["attente"]
    assert _english("They charged me twice for the same order.") == ["facturation"]
    assert _english("The staff were rude and unfriendly.") == ["accueil"]
    assert _english("The adviser was clueless and gave me wrong information.") == ["competence"]
    assert _english("Impossible to reach them: they hung up on me, then no reply to my emails.") == [
        "joignabilite"
    ]
    assert _english("I had to send the paperwork three times for my claim.") == ["demarches"]
    assert _english("Their app keeps crashing when I log in.") == ["site_app"]
    assert _english("The toilets were filthy.") == ["proprete"]
    assert _english("My card details were stolen after the data breach.") == ["securite"]


def test_a_typographic_apostrophe_is_an_apostrophe() -> None:
    assert _english("Still haven’t received it after two months.") == ["livraison"]
    assert index_for(None, "fr").themes("Trop d’attente au guichet.") == ["attente"]


def test_english_keywords_hold_no_bare_verb_nor_product_word() -> None:
    singles = {k for theme in ENGLISH_TAXONOMY for k in theme.keywords if " " not in k}
    assert (
        not {"wait", "waiting", "call", "called", "phone", "explained", "form", "clean", "smell", "bug"}
        & singles
    )
    assert [t.slug for t in ENGLISH_TAXONOMY] == [t.slug for t in DEFAULT_TAXONOMY]


def test_the_english_labels_name_default_themes_and_their_sources() -> None:
    slugs = {theme.slug for theme in DEFAULT_TAXONOMY}
    halves = {size // 2 for _, size in ENGLISH_SOURCES}
    for split in ("dev", "test"):
        path = label_file(split, "en")
        assert path.name == f"themes_en_{split}.jsonl"
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert all(set(row["themes"]) <= slugs for row in rows)
        assert len({(row["dataset"], row["row"]) for row in rows}) == len(rows) == 80
        counts = Counter(row["dataset"] for row in rows)
        assert {name: counts[name] * 2 for name, _ in ENGLISH_SOURCES} == dict(ENGLISH_SOURCES)
        assert set(counts.values()) <= halves
    assert label_file("test").name == "themes_test.jsonl"  # French: the historical names


@pytest.mark.skipif(
    not (DATA / "amazon_marc_en").is_dir(), reason="the English review sets of ../shared/data are not here"
)
def test_the_english_draw_is_reproducible_and_scored_by_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    from vigie.analysis.builtin.themes.evaluate import draw_english

    drawn = draw_english()
    for split in ("dev", "test"):
        rows = [json.loads(line) for line in label_file(split, "en").read_text().splitlines()]
        assert [(row["dataset"], row["row"]) for row in rows] == drawn[split]
    assert main(["--lang", "en", "--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("en dev: 80 reviews")
    assert "| micro | 31 |" in out
