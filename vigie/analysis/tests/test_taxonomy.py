from __future__ import annotations

from pathlib import Path

import pytest

from vigie.analysis.taxonomy import DEFAULT_TAXONOMY, TaxonomyError, load_taxonomy_file, parse_taxonomy
from vigie.demo.corpus import THEMES as DEMO_THEMES


def test_the_default_taxonomy_shares_the_demo_slugs_where_they_match() -> None:
    slugs = {theme.slug for theme in DEFAULT_TAXONOMY}
    shared = {
        "attente",
        "facturation",
        "remboursement",
        "accueil",
        "competence",
        "joignabilite",
        "demarches",
        "site_app",
    }
    assert shared <= slugs
    assert shared <= set(DEMO_THEMES)
    assert {"livraison", "qualite", "proprete", "securite"} <= slugs
    assert all(theme.keywords and theme.examples for theme in DEFAULT_TAXONOMY)


def test_a_yaml_taxonomy_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "- slug: prix\n  label: Prix\n  keywords: [prix, cher]\n- slug: food\n  examples: [Plat froid]\n"
    )
    themes = load_taxonomy_file(path)
    assert [(t.slug, t.label, t.keywords, t.examples) for t in themes] == [
        ("prix", "Prix", ("prix", "cher"), ()),
        ("food", "food", (), ("Plat froid",)),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "x"}, "non-empty YAML list"),
        ([{"slug": "Bad Slug", "keywords": ["a"]}], "slug must be"),
        ([{"slug": "a", "keywords": ["a"]}, {"slug": "a", "keywords": ["b"]}], "appears twice"),
        ([{"slug": "a"}], "at least one keyword"),
        ([{"slug": "a", "keywords": "prix"}], "list of strings"),
        ([{"slug": "a", "keywords": ["x"], "colour": "red"}], "unknown field"),
    ],
)
def test_bad_taxonomies_are_refused_with_a_reason(data: object, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(data)


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("- slug: [unclosed\n")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy_file(path)
