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
    code: str
    value: float | None = None  # the number the reason quotes, if any
    digits: int = 0

    def entry(self) -> dict[str, Any]:
        """The reason as stored (``codes``): said in any language later (``reason_text``)."""
        entry: dict[str, Any] = {"code": self.code}
        if self.value is not None:
            entry["value"] = round(self.value, self.digits) if self.digits else round(self.value)
            entry["digits"] = self.digits
        return entry


# The reasons in the organisation's language (``Item.language_hint``): the people who read them
# are its agents. French unless the organisation writes English (an English organisation read
# "Sentiment négatif (-0,98)" and "Note très basse (1,0/5)"). No gettext: ``vigie analyze``
# runs without Django.
_REASONS: dict[str, tuple[str, str]] = {
    "negative": ("Sentiment négatif ({value})", "Negative sentiment ({value})"),
    # A rated review: its stars count apart (below), this is what its words say.
    "text_negative": ("Texte négatif ({value})", "Negative wording ({value})"),
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
    # Said of the moment it was analysed: read a week later, "posted less than 6 hours ago" beside
    # "overdue by 1 week" contradicted itself.
    "recent_6h": ("Récent : moins de 6 heures à son analyse", "Recent: under 6 hours old when analysed"),
    "recent_24h": ("Récent : moins de 24 heures à son analyse", "Recent: under 24 hours old when analysed"),
    "old": ("Publication ancienne ({value} jours à son analyse)", "Old post ({value} days when analysed)"),
    "spam": ("Spam probable : à masquer, pas à traiter", "Likely spam: hide it, do not handle it"),
    "personal_data": (
        "Contient des données personnelles : répondre en privé",
        "Holds personal data: answer in private",
    ),
}


def _english(item: Item) -> bool:
    return (item.language_hint or "").startswith("en")


def reason_text(entry: dict[str, Any], english: bool = False) -> str:
    """One stored reason (``codes``) in French or English; "" for a code this version does not know."""
    texts = _REASONS.get(str(entry.get("code")))
    if texts is None:
        return ""
    value = entry.get("value")
    number = (
        _number(float(value), int(entry.get("digits", 0)), english) if isinstance(value, int | float) else ""
    )
    return texts[1 if english else 0].format(value=number)


def _number(value: float, digits: int = 1, english: bool = False) -> str:
    """French notation (decimal comma, narrow no-break space between thousands) or English."""
    text = f"{value:,.{digits}f}" if digits else f"{value:,.0f}"
    return text if english else text.replace(",", "\u202f").replace(".", ",")


def _sentiment(value: Any) -> Contribution | None:
    # A rated review's side is its stars', which ``_stars`` already weighs: what counts here is
    # what the text itself says, so a 1-star review is not counted twice.
    rated = isinstance(value, dict) and "text_label" in value
    value = text_reading(value)
    if not isinstance(value, dict) or value.get("label") != "negative":
        return None
    score = value.get("score")
    strength = min(1.0, abs(float(score))) if isinstance(score, int | float) else 0.5
    points = round(10 + 15 * strength)
    return Contribution(points, "text_negative" if rated else "negative", -strength, 2)


def _stars(item: Item, estimated: Any) -> Contribution | None:
    if item.rating is not None:
        stars, origin = float(item.rating), "stars"
    elif isinstance(estimated, int | float):
        stars, origin = float(estimated), "estimate"
    else:
        return None
    if stars <= 1.5:
        return Contribution(20, f"{origin}_very_low", stars, 1)
    if stars <= 2.5:
        return Contribution(12, f"{origin}_low", stars, 1)
    return None


_TYPE_POINTS: dict[str, int] = {"complaint": 15, "question": 12, "suggestion": 3, "troll": -10}


def _type(mention_type: Any) -> Contribution | None:
    points = _TYPE_POINTS.get(mention_type) if isinstance(mention_type, str) else None
    return Contribution(points, mention_type) if points is not None else None


def _reach(item: Item) -> Contribution | None:
    audience = max(item.author_followers or 0, item.reach)
    if audience >= 100_000:
        return Contribution(15, "reach_huge", audience, 0)
    if audience >= 10_000:
        return Contribution(10, "reach_big", audience, 0)
    if audience >= 1_000:
        return Contribution(5, "reach", audience, 0)
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
        return Contribution(15, "fast", per_hour, 0)
    if per_hour >= 10:
        return Contribution(10, "steady", per_hour, 0)
    if per_hour >= 2 or engagement >= 100:
        return Contribution(5, "spreading", engagement, 0)
    return None


def _legal(toxicity: Any) -> Contribution | None:
    if not isinstance(toxicity, dict):
        return None
    if toxicity.get("legal_risk"):
        categories = set(toxicity.get("categories") or ())
        # A customer announcing proceedings is no defamation to keep as evidence.
        only_proceedings = "legal_threat" in categories and not categories & {"threat", "hate", "accusation"}
        return Contribution(20, "legal_threat" if only_proceedings else "legal")
    if toxicity.get("toxic"):
        return Contribution(15, "toxic")
    return None


def _recency(hours: float | None) -> Contribution | None:
    if hours is None:
        return None
    if hours < 6:
        return Contribution(10, "recent_6h")
    if hours < 24:
        return Contribution(6, "recent_24h")
    days = hours / 24
    if days > 30:
        return Contribution(-15, "old", math.floor(days))
    if days > 7:
        return Contribution(-8, "old", math.floor(days))
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
        return {"score": 0, "reasons": [reason_text({"code": "spam"}, en)], "codes": [{"code": "spam"}]}
    parts = [
        _sentiment(results.get("sentiment")),
        _stars(item, results.get("stars")),
        _type(mention_type),
        _reach(item),
        _velocity(item, hours),
        _legal(user_toxicity(results)),
        _recency(hours),
    ]
    if results.get("personal_data"):
        parts.append(Contribution(5, "personal_data"))
    found = [part for part in parts if part is not None]
    score = max(0, min(100, BASE + sum(part.points for part in found)))
    found.sort(key=lambda part: -abs(part.points))
    codes = [part.entry() for part in found]
    # ``reasons`` in the organisation's language (``vigie analyze``, the API, exports); ``codes``
    # let a page say them in its reader's language (``reason_text``).
    return {"score": score, "reasons": [reason_text(code, en) for code in codes], "codes": codes}


class PriorityAnalyzer(Analyzer):
    """Priority 0–100 with its reasons, in the organisation's language (French unless it writes
    English: ``Item.language_hint``). Reference time: ``Item.context["now"]`` (an aware
    datetime or ISO string) when given, else the current time."""

    name = "priority"
    version = "1.3"
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
