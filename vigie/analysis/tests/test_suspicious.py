from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vigie.analysis.builtin.suspicious.analyzer import SuspiciousAnalyzer, reason_codes
from vigie.analysis.contract import Item

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
COPY = "Service client déplorable, personne ne répond jamais au téléphone, je déconseille fortement cette mutuelle"


def analyse(items: list[Item]) -> list[dict]:
    return [r["suspicious"] for r in SuspiciousAnalyzer().analyze(items, [{} for _ in items])]


def test_near_duplicates_from_different_authors_are_flagged() -> None:
    results = analyse(
        [
            Item(id="1", text=COPY, author_id="a"),
            Item(id="2", text=COPY.replace("fortement", "vivement") + " !", author_id="b"),
            Item(
                id="3",
                text="Accueil très agréable à l'agence de Lyon, dossier réglé en dix minutes avec le sourire.",
                author_id="c",
            ),
        ]
    )
    assert [r["suspicious"] for r in results] == [True, True, False]
    assert results[0]["reasons"] == ["Texte quasi identique à celui d'un autre auteur"]
    assert results[0]["reason_codes"] == [{"code": "duplicate"}]
    assert results[2]["reason_codes"] == []


def test_the_same_author_posting_twice_is_not_flagged() -> None:
    results = analyse([Item(id="1", text=COPY, author_id="a"), Item(id="2", text=COPY, author_id="a")])
    assert not any(r["suspicious"] for r in results)


def test_short_common_phrases_are_not_duplicates() -> None:
    results = analyse([Item(id=str(i), text="Très bon accueil, merci !", author_id=str(i)) for i in range(5)])
    assert not any(r["suspicious"] for r in results)


def burst_item(i: int, *, hours: float, new: bool = True, rating: float = 1) -> Item:
    return Item(
        id=str(i),
        text=f"Nul {i}",
        rating=rating,
        author_id=f"author-{i}",
        author_mentions_count=1 if new else 12,
        created_at=NOW + timedelta(hours=hours),
    )


def test_a_burst_of_low_ratings_from_new_accounts_is_flagged() -> None:
    results = analyse([burst_item(i, hours=i) for i in range(5)] + [burst_item(9, hours=80)])
    assert [r["suspicious"] for r in results] == [True] * 5 + [False]
    assert results[0]["reasons"] == ["Vague de notes basses venant de comptes récents (5 en 24 heures)"]
    assert results[0]["reason_codes"] == [{"code": "burst", "count": 5}]


def test_low_ratings_from_known_customers_are_not_a_burst() -> None:
    results = analyse([burst_item(i, hours=i, new=False) for i in range(6)])
    assert not any(r["suspicious"] for r in results)


def test_a_review_that_names_neither_the_organisation_nor_a_theme_is_not_suspicious() -> None:
    """The "off-topic" reason flagged 38-79 % of genuine product reviews (no brand named, no
    theme of a service taxonomy): "Suspicious review" on most cases meant nothing. Dropped."""
    context = {"organisation_terms": ["Brightside Coffee"]}
    texts = [
        "I got food poisoning after eating your sandwich, I was sick for two days and nobody answered my email",
        "J'ai acheté cette perceuse pour mon garage et elle chauffe au bout de cinq minutes, batterie morte, je la renvoie",
    ]
    results = analyse([Item(id=str(i), text=t, kind="review", context=context) for i, t in enumerate(texts)])
    assert not any(r["suspicious"] for r in results)


def test_a_result_stored_before_the_codes_reads_back_as_codes() -> None:
    """Version 1.1 stored only French sentences: they are read back into the same codes."""
    stored = {
        "suspicious": True,
        "reasons": [
            "Texte quasi identique à celui d'un autre auteur",
            "Vague de notes basses venant de comptes récents (7 en 24 heures)",
            "Une raison d'un autre temps",
        ],
    }
    assert reason_codes(stored) == [
        {"code": "duplicate"},
        {"code": "burst", "count": 7},
        {"code": "other", "text": "Une raison d'un autre temps"},
    ]
