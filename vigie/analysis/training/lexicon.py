"""A small hand-written polarity lexicon: the baseline the trained models are compared with."""

from __future__ import annotations

from vigie.analysis.training.features import NEGATORS, tokens

# "plus" negates only after "ne" ("plus de stock" is not a negation).
_NEGATORS = frozenset(NEGATORS) - {"plus"}

POSITIVE = frozenset(
    [
        "bien",
        "bon",
        "bonne",
        "bons",
        "bonnes",
        "excellent",
        "excellente",
        "parfait",
        "parfaite",
        "super",
        "top",
        "génial",
        "géniale",
        "ravi",
        "ravie",
        "satisfait",
        "satisfaite",
        "rapide",
        "rapides",
        "efficace",
        "efficaces",
        "merci",
        "recommande",
        "agréable",
        "sympa",
        "aimable",
        "professionnel",
        "professionnelle",
        "conforme",
        "impeccable",
        "qualité",
        "bravo",
        "content",
        "contente",
        "délicieux",
        "chaleureux",
        "facile",
        "good",
        "great",
        "excellent",
        "perfect",
        "love",
        "recommend",
        "fast",
        "happy",
        "nice",
    ]
)
NEGATIVE = frozenset(
    [
        "mauvais",
        "mauvaise",
        "nul",
        "nulle",
        "horrible",
        "déçu",
        "déçue",
        "décevant",
        "décevante",
        "lent",
        "lente",
        "problème",
        "problèmes",
        "arnaque",
        "escroc",
        "escroquerie",
        "jamais",
        "honteux",
        "honteuse",
        "inadmissible",
        "catastrophe",
        "catastrophique",
        "cassé",
        "cassée",
        "panne",
        "retard",
        "attente",
        "fuir",
        "éviter",
        "pire",
        "incompétent",
        "incompétents",
        "scandaleux",
        "remboursement",
        "injoignable",
        "désagréable",
        "sale",
        "froid",
        "cher",
        "bad",
        "worst",
        "terrible",
        "awful",
        "broken",
        "refund",
    ]
)


def score(text: str) -> float:
    """Polarity in [-1, 1]: (positive - negative) / (positive + negative), negation-aware."""
    positive = negative = 0
    negated = 0
    for token in tokens(text):
        sign = 1 if token in POSITIVE else -1 if token in NEGATIVE else 0
        if negated:
            sign = -sign
            negated -= 1
        # "plus" is ambiguous ("ne … plus" / "plus rapide"), so it does not negate here.
        if token in _NEGATORS:
            negated = 3
        positive += sign > 0
        negative += sign < 0
    total = positive + negative
    return 0.0 if total == 0 else (positive - negative) / total
