from __future__ import annotations

import pytest

from vigie.analysis.builtin.personal_data import find_personal_data
from vigie.analysis.builtin.personal_data.analyzer import PersonalDataAnalyzer
from vigie.analysis.builtin.personal_data.detect import iban_is_valid, luhn_is_valid
from vigie.analysis.contract import Item


def found(text: str, patterns: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in find_personal_data(text, patterns)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Écrivez-moi à jean.dupont@example.fr merci", [("email", "jean.dupont@example.fr")]),
        ("Rappelez-moi au 06 12 34 56 78 svp", [("phone", "06 12 34 56 78")]),
        ("Mon numéro : 0612345678.", [("phone", "0612345678")]),
        ("Call me on +44 20 7946 0958 please", [("phone", "+44 20 7946 0958")]),
        ("Appelez le +33 1 42 68 53 00", [("phone", "+33 1 42 68 53 00")]),
        (
            "IBAN FR14 2004 1010 0505 0001 3M02 606 pour le virement",
            [("iban", "FR14 2004 1010 0505 0001 3M02 606")],
        ),
        ("IBAN FR1420041010050500013M02606.", [("iban", "FR1420041010050500013M02606")]),
        ("Ma carte 4111 1111 1111 1111 a été débitée", [("card", "4111 1111 1111 1111")]),
        ("J'habite 12 rue de la paix à Lyon", [("address", "12 rue de la paix")]),
        (
            "Livré au 3 bis avenue Jean Jaurès, 69007 Lyon hier",
            [("address", "3 bis avenue Jean Jaurès, 69007 Lyon")],
        ),
        ("5, boulevard Saint-Michel 75005 Paris", [("address", "5, boulevard Saint-Michel 75005 Paris")]),
    ],
)
def test_it_finds_personal_data_with_spans(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Il m'a fallu 3 500 € et 45 minutes d'attente en 2024.",
        "IBAN FR14 2004 1010 0505 0001 3M02 607 (one digit off)",
        "Carte 4111 1111 1111 1112 refusée",
        "Ticket 1234567890123 en caisse",
        "Il reste 3 places et 2 rues plus loin.",
        "",
    ],
)
def test_ordinary_figures_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_order_numbers_follow_the_organisations_patterns() -> None:
    text = "Commande CMD-123456 et client n° AB99887 jamais livrés"
    assert found(text, (r"\bCMD-\d{6}\b", r"\bAB\d{5}\b")) == [
        ("order_number", "CMD-123456"),
        ("order_number", "AB99887"),
    ]
    # Without patterns, the number the text names as a customer's is still found as such.
    assert found(text) == [("customer_number", "AB99887")]


def test_an_invalid_pattern_is_ignored_not_fatal() -> None:
    assert found("Commande CMD-123456", ("CMD-(", r"CMD-\d+")) == [("order_number", "CMD-123456")]


def test_checksums() -> None:
    assert iban_is_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_is_valid("DE89 3704 0044 0532 0130 01")
    assert luhn_is_valid("4111111111111111")
    assert not luhn_is_valid("0000000000000000")


def test_the_analyzer_returns_kind_start_end_and_reads_patterns_from_the_context() -> None:
    item = Item(id="1", text="Dossier REF-42 : a@b.fr", context={"order_patterns": [r"REF-\d+"]})
    [result] = PersonalDataAnalyzer().analyze([item], [{}])
    assert result == {
        "personal_data": [
            {"kind": "order_number", "start": 8, "end": 14},
            {"kind": "email", "start": 17, "end": 23},
        ]
    }
