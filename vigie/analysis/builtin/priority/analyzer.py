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

from vigie.analysis.builtin.sentiment.analyzer import text_reading
from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.jsonl import user_sentiment, user_toxicity

BASE = 10


@dataclass(frozen=True)
class Contribution:
    points: int
    reason: str


# The reasons in the organisation's language (``Item.language_hint``): the people who read them
# are its agents. French unless the organisation writes English (an English organisation read
# "Sentiment négatif (-0,98)" and "Note très basse (1,0/5)"). No gettext: ``vigie analyze``
# runs without Django.
_REASONS: dict[str, tuple[str, str]] = {
    "negative": ("Sentiment négatif ({value})", "Negative sentiment ({value})"),
    "stars_very_low": ("Note très basse ({value}/5)", "Very low rating ({value}/5)"),
    "stars_low": ("Note basse ({value}/5)", "Low rating ({value}/5)"),
    "estimate_very_low": ("Note estimée très basse ({value}/5)", "Very low estimated rating ({value}/5)"),
    "estimate_low": ("Note estimée basse ({value}/5)", "Low estimated rating ({value}/5)"),
    "complaint": ("Réclamation", "Complaint"),
    "question": ("Question qui attend une réponse", "Question awaiting an answer"),
    "suggestion": ("Suggestion", "Suggestion"),
    "troll": ("Troll probable : à modérer plutôt qu'à traiter", "Likely troll: moderate rather than handle"),
    "reach_huge": (
        "Auteur très suivi ({value} abonnés ou audience)",
        "Very widely followed author ({value} followers or audience)",
    ),
    "reach_big": (
        "Auteur influent ({value} abonnés ou audience)",
        "Influential author ({value} followers or audience)",
    ),
    "reach": ("Audience notable ({value})", "Notable audience ({value})"),
    "fast": (
        "Engagement rapide ({value} réactions par heure)",
        "Fast engagement ({value} reactions an hour)",
    ),
    "steady": (
        "Engagement soutenu ({value} réactions par heure)",
        "Steady engagement ({value} reactions an hour)",
    ),
    "spreading": ("Publication qui circule ({value} réactions)", "Post that spreads ({value} reactions)"),
    "legal": (
        "Risque juridique : propos possiblement diffamatoires, à conserver comme preuve",
        "Legal risk: possibly defamatory words, to keep as evidence",
    ),
    "legal_threat": (
        "Menace de poursuites : à voir avec le service juridique",
        "Threat of legal action: for the legal team",
    ),
    "toxic": (
        "Propos injurieux ou menaçants : modération et capture de preuve",
        "Abusive or threatening words: moderation and evidence capture",
    ),
    "recent_6h": ("Publié il y a moins de 6 heures", "Posted less than 6 hours ago"),
    "recent_24h": ("Publié il y a moins de 24 heures", "Posted less than 24 hours ago"),
    "old": ("Publication ancienne ({value} jours)", "Old post ({value} days)"),
    "spam": ("Spam probable : à masquer, pas à traiter", "Likely spam: hide it, do not handle it"),
    "personal_data": (
        "Contient des données personnelles : répondre en privé",
        "Holds personal data: answer in private",
    ),
}


def _english(item: Item) -> bool:
    return (item.language_hint or "").startswith("en")


def _say(key: str, english: bool, value: str = "") -> str:
    return _REASONS[key][1 if english else 0].format(value=value)


def _number(value: float, digits: int = 1, english: bool = False) -> str:
    """French notation (decimal comma, narrow no-break space between thousands) or English."""
    text = f"{value:,.{digits}f}" if digits else f"{value:,.0f}"
    return text if english else text.replace(",", "\u202f").replace(".", ",")


def _sentiment(value: Any, en: bool) -> Contribution | None:
    # A rated review's side is its stars', which ``_stars`` already weighs: what counts here is
    # what the text itself says, so a 1-star review is not counted twice.
    value = text_reading(value)
    if not isinstance(value, dict) or value.get("label") != "negative":
        return None
    score = value.get("score")
    strength = min(1.0, abs(float(score))) if isinstance(score, int | float) else 0.5
    points = round(10 + 15 * strength)
    return Contribution(points, _say("negative", en, _number(-strength, 2, en)))


def _stars(item: Item, estimated: Any, en: bool) -> Contribution | None:
    if item.rating is not None:
        stars, origin = float(item.rating), "stars"
    elif isinstance(estimated, int | float):
        stars, origin = float(estimated), "estimate"
    else:
        return None
    if stars <= 1.5:
        return Contribution(20, _say(f"{origin}_very_low", en, _number(stars, 1, en)))
    if stars <= 2.5:
        return Contribution(12, _say(f"{origin}_low", en, _number(stars, 1, en)))
    return None


_TYPE_POINTS: dict[str, int] = {"complaint": 15, "question": 12, "suggestion": 3, "troll": -10}


def _type(mention_type: Any, en: bool) -> Contribution | None:
    points = _TYPE_POINTS.get(mention_type) if isinstance(mention_type, str) else None
    return Contribution(points, _say(mention_type, en)) if points is not None else None


def _reach(item: Item, en: bool) -> Contribution | None:
    audience = max(item.author_followers or 0, item.reach)
    if audience >= 100_000:
        return Contribution(15, _say("reach_huge", en, _number(audience, 0, en)))
    if audience >= 10_000:
        return Contribution(10, _say("reach_big", en, _number(audience, 0, en)))
    if audience >= 1_000:
        return Contribution(5, _say("reach", en, _number(audience, 0, en)))
    return None


def _hours_since(item: Item, now: datetime) -> float | None:
    if item.created_at is None or item.created_at.tzinfo is None:
        return None
    return max((now - item.created_at).total_seconds() / 3600, 0.0)


def _velocity(item: Item, hours: float | None, en: bool) -> Contribution | None:
    engagement = item.likes + item.shares * 2 + item.replies_count
    if engagement < 5:
        return None
    # The first hour counts as a whole hour, so one early like is not "60 per hour".
    per_hour = engagement / max(hours if hours is not None else 24.0, 1.0)
    if per_hour >= 50:
        return Contribution(15, _say("fast", en, _number(per_hour, 0, en)))
    if per_hour >= 10:
        return Contribution(10, _say("steady", en, _number(per_hour, 0, en)))
    if per_hour >= 2 or engagement >= 100:
        return Contribution(5, _say("spreading", en, _number(engagement, 0, en)))
    return None


def _legal(toxicity: Any, en: bool) -> Contribution | None:
    if not isinstance(toxicity, dict):
        return None
    if toxicity.get("legal_risk"):
        categories = set(toxicity.get("categories") or ())
        # A customer announcing proceedings is no defamation to keep as evidence.
        only_proceedings = "legal_threat" in categories and not categories & {"threat", "hate", "accusation"}
        return Contribution(20, _say("legal_threat" if only_proceedings else "legal", en))
    if toxicity.get("toxic"):
        return Contribution(15, _say("toxic", en))
    return None


def _recency(hours: float | None, en: bool) -> Contribution | None:
    if hours is None:
        return None
    if hours < 6:
        return Contribution(10, _say("recent_6h", en))
    if hours < 24:
        return Contribution(6, _say("recent_24h", en))
    days = hours / 24
    if days > 30:
        return Contribution(-15, _say("old", en, str(math.floor(days))))
    if days > 7:
        return Contribution(-8, _say("old", en, str(math.floor(days))))
    return None


def score_item(item: Item, results: Results, now: datetime) -> Results:
    """``{"score": 0–100, "reasons": [...]}`` for one item, reasons by decreasing weight.

    ``results["sentiment"]`` is taken as given (the analyzer passes the one the user sees; a
    re-scoring after an agent's correction passes the corrected one); the toxicity is the one the
    user sees (the encoder's verdict where it answered)."""
    hours = _hours_since(item, now)
    en = _english(item)
    mention_type = results.get("type")
    if mention_type == "spam":
        return {"score": 0, "reasons": [_say("spam", en)]}
    parts = [
        _sentiment(results.get("sentiment"), en),
        _stars(item, results.get("stars"), en),
        _type(mention_type, en),
        _reach(item, en),
        _velocity(item, hours, en),
        _legal(user_toxicity(results), en),
        _recency(hours, en),
    ]
    if results.get("personal_data"):
        parts.append(Contribution(5, _say("personal_data", en)))
    found = [part for part in parts if part is not None]
    score = max(0, min(100, BASE + sum(part.points for part in found)))
    found.sort(key=lambda part: -abs(part.points))
    return {"score": score, "reasons": [part.reason for part in found]}


class PriorityAnalyzer(Analyzer):
    """Priority 0–100 with its reasons, in the organisation's language (French unless it writes
    English: ``Item.language_hint``). Reference time: ``Item.context["now"]`` (an aware
    datetime or ISO string) when given, else the current time."""

    name = "priority"
    version = "1.2"
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
