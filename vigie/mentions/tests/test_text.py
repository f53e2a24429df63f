"""How a mention's title and text read as one quote (reports, boards, testimonials)."""

from __future__ import annotations

import pytest

from vigie.mentions.text import title_and_text


@pytest.mark.parametrize(
    ("title", "text", "quote"),
    [
        (
            "Toujours pas remboursée",
            "Remboursé 1 800 € au lieu de ce qui était prévu.",
            "Toujours pas remboursée. Remboursé 1 800 € au lieu de ce qui était prévu.",
        ),
        ("Bravo !", "Accueil parfait.", "Bravo ! Accueil parfait."),
        ("« Inadmissible »", "Trois semaines d'attente.", "« Inadmissible » Trois semaines d'attente."),
        ("Rendez-vous décalé", "Rendez-vous décalé deux fois.", "Rendez-vous décalé deux fois."),
        ("", "Juste le texte.", "Juste le texte."),
        (None, "Juste le texte.", "Juste le texte."),
        ("Juste un titre", "", "Juste un titre"),
        ("  Espaces  ", "  autour  ", "Espaces. autour"),
    ],
)
def test_the_title_reads_as_its_own_sentence_before_the_text(
    title: str | None, text: str, quote: str
) -> None:
    assert title_and_text(title, text) == quote
