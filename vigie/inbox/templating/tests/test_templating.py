"""Rendering template bodies: variables, aliases, empty values and required fill-ins."""

from __future__ import annotations

from vigie.inbox.templating.render import render_template


def test_variables_are_filled_from_the_context() -> None:
    rendered = render_template(
        "Bonjour {{customer_name}}, merci pour votre visite à {{ location }}.\n{{signature}}",
        {"customer_name": "Marie", "location": "Agence de Lyon", "signature": "Paul, service client"},
    )
    assert rendered.text == "Bonjour Marie, merci pour votre visite à Agence de Lyon.\nPaul, service client"
    assert rendered.missing == []
    assert rendered.fill_ins == []


def test_french_aliases_and_older_single_braces_are_understood() -> None:
    rendered = render_template(
        "Bonjour {prenom_client}, dossier {{reference}} ({agence}).",
        {"customer_name": "Léa", "case_reference": "C-000042", "location": "Nantes"},
    )
    assert rendered.text == "Bonjour Léa, dossier C-000042 (Nantes)."


def test_an_unknown_customer_name_leaves_a_clean_greeting() -> None:
    rendered = render_template("Bonjour {{customer_name}},\n\nMerci.", {"customer_name": ""})
    assert rendered.text == "Bonjour,\n\nMerci."
    assert rendered.missing == []


def test_variables_missing_from_the_context_stay_and_are_listed() -> None:
    rendered = render_template("Hello {{customer_name}}, see {{tracking_link}}.", {"customer_name": "Sam"})
    assert rendered.text == "Hello Sam, see {{tracking_link}}."
    assert rendered.missing == ["tracking_link"]


def test_required_fill_ins_are_left_for_the_agent() -> None:
    rendered = render_template("Nous vous rappelons le [[à compléter : date]] à [[à compléter : heure]].", {})
    assert rendered.fill_ins == ["date", "heure"]  # what the agent writes, without the mark
    assert "[[à compléter : date]]" in rendered.text


def test_ordinary_braces_are_kept() -> None:
    assert render_template("Code {ETE} et {{ }}", {"customer_name": "x"}).text == "Code {ETE} et {{ }}"
