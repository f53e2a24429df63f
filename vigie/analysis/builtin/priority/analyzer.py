"""An explainable priority from 0 to 100, with the reasons shown to the agent.

The score is a sum of visible contributions (negative sentiment, low stars, a complaint or a
question, a widely followed author, fast engagement, legal risk, a recent post), so an agent can
see why a case is on top and a manager can argue with the weights. Every input is optional: when
an analyzer is missing (no sentiment model, say) its part simply does not count, and the platform
rating stands in for the estimated stars.

Sentiment and toxicity are those the user sees (``jsonl.user_sentiment`` / ``user_toxicity``): the
sentence encoder's where it answered, as in the mention's columns, ``vigie analyze``'s output and
routing, so a reason never says "négatif" or "injurieux" of a mention shown positive or not toxic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.jsonl import user_sentiment, user_toxicity

BASE = 10


@dataclass(frozen=True)
class Contribution:
    points: int
    reason: str


def _number(value: float, digits: int = 1) -> str:
    # French notation: decimal comma, narrow no-break space between thousands.
    text = f"{value:,.{digits}f}" if digits else f"{value:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _sentiment(value: Any) -> Contribution | None:
    if not isinstance(value, dict) or value.get("label") != "negative":
        return None
    score = value.get("score")
    strength = min(1.0, abs(float(score))) if isinstance(score, int | float) else 0.5
    points = round(10 + 15 * strength)
    return Contribution(points, f"Sentiment négatif ({_number(-strength, 2)})")


def _stars(item: Item, estimated: Any) -> Contribution | None:
    if item.rating is not None:
        stars, origin = float(item.rating), "Note"
    elif isinstance(estimated, int | float):
        stars, origin = float(estimated), "Note estimée"
    else:
        return None
    if stars <= 1.5:
        return Contribution(20, f"{origin} très basse ({_number(stars)}/5)")
    if stars <= 2.5:
        return Contribution(12, f"{origin} basse ({_number(stars)}/5)")
    return None


_TYPES: dict[str, Contribution] = {
    "complaint": Contribution(15, "Réclamation"),
    "question": Contribution(12, "Question qui attend une réponse"),
    "suggestion": Contribution(3, "Suggestion"),
    "troll": Contribution(-10, "Troll probable : à modérer plutôt qu'à traiter"),
}


def _reach(item: Item) -> Contribution | None:
    audience = max(item.author_followers or 0, item.reach)
    if audience >= 100_000:
        return Contribution(15, f"Auteur très suivi ({_number(audience, 0)} abonnés ou audience)")
    if audience >= 10_000:
        return Contribution(10, f"Auteur influent ({_number(audience, 0)} abonnés ou audience)")
    if audience >= 1_000:
        return Contribution(5, f"Audience notable ({_number(audience, 0)})")
    return None


def _hours_since(item: Item, now: datetime) -> float | None:
    if item.created_at is None or item.created_at.tzinfo is None:
        return None
    return max((now - item.created_at).total_seconds() / 3600, 0.0)


def _velocity(item: Item, hours: float | None) -> Contribution | None:
    engagement = item.likes + item.shares * 2 + item.replies_count
    if engagement < 5:
        return None
    # The first hour counts as a whole hour, so one early like is not "60 per hour".
    per_hour = engagement / max(hours if hours is not None else 24.0, 1.0)
    if per_hour >= 50:
        return Contribution(15, f"Engagement rapide ({_number(per_hour, 0)} réactions par heure)")
    if per_hour >= 10:
        return Contribution(10, f"Engagement soutenu ({_number(per_hour, 0)} réactions par heure)")
    if per_hour >= 2 or engagement >= 100:
        return Contribution(5, f"Publication qui circule ({_number(engagement, 0)} réactions)")
    return None


def _legal(toxicity: Any) -> Contribution | None:
    if not isinstance(toxicity, dict):
        return None
    if toxicity.get("legal_risk"):
        return Contribution(
            20, "Risque juridique : propos possiblement diffamatoires, à conserver comme preuve"
        )
    if toxicity.get("toxic"):
        return Contribution(15, "Propos injurieux ou menaçants : modération et capture de preuve")
    return None


def _recency(hours: float | None) -> Contribution | None:
    if hours is None:
        return None
    if hours < 6:
        return Contribution(10, "Publié il y a moins de 6 heures")
    if hours < 24:
        return Contribution(6, "Publié il y a moins de 24 heures")
    days = hours / 24
    if days > 30:
        return Contribution(-15, f"Publication ancienne ({math.floor(days)} jours)")
    if days > 7:
        return Contribution(-8, f"Publication ancienne ({math.floor(days)} jours)")
    return None


def score_item(item: Item, results: Results, now: datetime) -> Results:
    """``{"score": 0–100, "reasons": [...]}`` for one item, reasons by decreasing weight.

    ``results["sentiment"]`` is taken as given (the analyzer passes the one the user sees; a
    re-scoring after an agent's correction passes the corrected one); the toxicity is the one the
    user sees (the encoder's verdict where it answered)."""
    hours = _hours_since(item, now)
    mention_type = results.get("type")
    if mention_type == "spam":
        return {"score": 0, "reasons": ["Spam probable : à masquer, pas à traiter"]}
    parts = [
        _sentiment(results.get("sentiment")),
        _stars(item, results.get("stars")),
        _TYPES.get(mention_type) if isinstance(mention_type, str) else None,
        _reach(item),
        _velocity(item, hours),
        _legal(user_toxicity(results)),
        _recency(hours),
    ]
    if results.get("personal_data"):
        parts.append(Contribution(5, "Contient des données personnelles : répondre en privé"))
    found = [part for part in parts if part is not None]
    score = max(0, min(100, BASE + sum(part.points for part in found)))
    found.sort(key=lambda part: -abs(part.points))
    return {"score": score, "reasons": [part.reason for part in found]}


class PriorityAnalyzer(Analyzer):
    """Priority 0–100 with French reasons. Reference time: ``Item.context["now"]`` (an aware
    datetime or ISO string) when given, else the current time."""

    name = "priority"
    version = "1.1"
    provides: ClassVar[frozenset[str]] = frozenset({"priority"})
    uses: ClassVar[frozenset[str]] = frozenset(
        {
            "sentiment",
            "stars",
            "type",
            "toxicity",
            "personal_data",
            # The sentence encoder's answers, when it runs: what the user sees.
            "sentiment_encoder",
            "toxicity_encoder",
        }
    )

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        current = datetime.now(UTC)
        answers: list[Results] = []
        for item, results in zip(batch, previous, strict=True):
            now = item.context.get("now", current)
            if isinstance(now, str):
                now = datetime.fromisoformat(now)
            seen = {**results, "sentiment": user_sentiment(results)}
            answers.append({"priority": score_item(item, seen, now)})
        return answers
