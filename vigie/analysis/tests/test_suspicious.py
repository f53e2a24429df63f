from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vigie.analysis.builtin.suspicious.analyzer import SuspiciousAnalyzer
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


def test_low_ratings_from_known_customers_are_not_a_burst() -> None:
    results = analyse([burst_item(i, hours=i, new=False) for i in range(6)])
    assert not any(r["suspicious"] for r in results)


def test_a_review_that_does_not_speak_of_the_organisation_is_flagged() -> None:
    context = {"organisation_terms": ["Mutuelle Horizon"]}
    off = "J'ai acheté cette perceuse pour mon garage et elle chauffe au bout de cinq minutes, batterie morte, je la renvoie"
    on = "Mutuelle Horizon m'a rappelé le lendemain et tout a été réglé, je recommande vivement à tous mes proches"
    results = analyse(
        [
            Item(id="1", text=off, kind="review", context=context),
            Item(id="2", text=on, kind="review", context=context),
        ]
    )
    assert results[0]["reasons"] == ["Avis qui ne semble pas parler de l'organisation"]
    assert not results[1]["suspicious"]
