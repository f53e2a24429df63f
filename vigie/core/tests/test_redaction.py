"""A person is found and erased in a text by whole words, without case nor accents."""

from __future__ import annotations

from vigie.core.redaction import name_parts, names_in, redact


def test_a_first_name_is_a_whole_word_not_a_piece_of_another_handle() -> None:
    text = "Bonjour Nathalie, comme @nathalie_moreau66 et Nathaliette, NATHALIE attend."
    assert redact(text, ["nathalie"]) == (
        "Bonjour [effacé], comme @nathalie_moreau66 et Nathaliette, [effacé] attend."
    )
    assert not names_in("@nathalie_moreau66 Meme chose ici", ["@nathalie", "Nathalie"])


def test_accents_case_and_spaces_do_not_hide_a_name() -> None:
    assert redact("Hélène   FAURE a écrit", ["Helene Faure"]) == "[effacé] a écrit"
    assert names_in("merci hélène", ["Hélène"])


def test_emails_phones_and_handles_are_whole_too() -> None:
    text = "Écrivez à marie.dupont@example.com, au 06 12 34 56 78 ou à @marie_d ; pas @marie_dupont."
    redacted = redact(text, ["marie.dupont@example.com", "06 12 34 56 78", "@marie_d"])
    assert redacted == "Écrivez à [effacé], au [effacé] ou à [effacé] ; pas @marie_dupont."


def test_the_longest_name_wins_where_two_overlap() -> None:
    assert redact("Marie Dupont et Marie", ["Marie", "Marie Dupont"]) == "[effacé] et [effacé]"
    assert name_parts("Jeanne  Durand") == ["Jeanne Durand", "Jeanne", "Durand"]
    assert name_parts("Jean de La Fontaine") == ["Jean de La Fontaine", "Jean", "Fontaine"]
