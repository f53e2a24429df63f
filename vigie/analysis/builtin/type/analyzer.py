"""Type analyzer: question, complaint, praise, suggestion, troll, spam or other.

Explainable rules over the text and the trained sentiment and toxicity results give a first
answer; a model trained on hand-labelled real texts (vigie.analysis.training.type_model) reads it
with the text and decides, keeping the rules' spam verdict. Without the model file the rules
answer alone. Scored on a held-out hand-labelled slice (docs/labelling-guide.md, docs/models.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.training import runtime, type_model

TYPES = ("question", "complaint", "praise", "suggestion", "troll", "spam", "other")

# An explicit request for information or action: asked for an answer, not rhetorical.
_REQUEST = re.compile(
    r"^(?:est-ce que|comment|pourquoi|quand|où|combien|quel(?:le)?s?|pouvez-vous|peut-on|puis-je|"
    r"avez-vous|how|why|when|where|can you|is there|do you)\b|\b(?:comment (?:faire|puis-je|procéder|"
    r"mentionner|savoir)|que faire|pourriez-vous|pouvez-vous|est-il possible|serait-il possible|"
    r"merci de me (?:tenir|confirmer|répondre)|qui doit-on|comment se fait-il)\b",
    re.IGNORECASE | re.MULTILINE,
)
_SUGGESTION = re.compile(
    r"\b(?:il faudrait|il faut que|ce serait (?:bien|mieux|top)|serait (?:bien|mieux|appréciable|top)|"
    r"je (?:vous )?(?:suggère|propose|conseille de)|pourriez-vous (?:ajouter|mettre|proposer)|"
    r"dommage qu(?:e|')|manque (?:juste|seulement)|à améliorer|améliorer|it would be nice|you should|"
    r"please add|suggestion)\b",
    re.IGNORECASE,
)
# Split in two so that the costlier link pattern runs only on texts with a link in them.
_SPAM_LINK = re.compile(
    r"(?:https?://|www\.)\S+[^\n]{0,200}?\b(?:promo|gratuit|gagne[rz]?|bitcoin|crypto|casino|offre|clique[rz]?|follow|abonne)",
    re.IGNORECASE,
)
_SPAM_WORDS = re.compile(
    r"\b(?:gagnez|cliquez ici|code promo|bitcoin|casino|followers|whatsapp\s*\+?\d|dm me|click here)\b",
    re.IGNORECASE,
)
_LINKS = re.compile(r"https?://|www\.")
# Literal words without which _REQUEST / _SUGGESTION cannot match: a substring test is far cheaper
# than a case-insensitive regular-expression scan, and most texts contain none of them.
_REQUEST_WORDS = (
    "est-ce que",
    "comment",
    "pourquoi",
    "quand",
    "où",
    "combien",
    "quel",
    "pouvez-vous",
    "peut-on",
    "puis-je",
    "avez-vous",
    "how",
    "why",
    "when",
    "where",
    "can you",
    "is there",
    "do you",
    "que faire",
    "pourriez-vous",
    "est-il possible",
    "serait-il possible",
    "merci de me",
    "qui doit-on",
)
_SUGGESTION_WORDS = (
    "faudrait",
    "il faut que",
    "serait",
    "sugg",
    "propose",
    "conseille de",
    "pourriez",
    "dommage qu",
    "manque",
    "améliorer",
    "would be nice",
    "you should",
    "please add",
)
# Literal words without which _SPAM_WORDS cannot match, looked for in the lower-cased text. The
# test is exact: the only characters that a case-insensitive pattern matches with an ASCII letter
# but that ``str.lower`` does not turn into it are "İ", "ı" and "ſ"; a text holding one is searched
# with the pattern itself.
_SPAM_LITERALS = (
    "gagnez",
    "cliquez ici",
    "code promo",
    "bitcoin",
    "casino",
    "followers",
    "whatsapp",
    "dm me",
    "click here",
)
_CASE_TRAPS = ("\u0130", "\u0131", "\u017f")


def _spam_words(text: str, lower: str) -> bool:
    """Whether ``_SPAM_WORDS`` matches ``text`` (``lower`` is ``text.lower()``)."""
    if not any(word in lower for word in _SPAM_LITERALS) and not any(c in text for c in _CASE_TRAPS):
        return False
    return _SPAM_WORDS.search(text) is not None


TROLL_SCORE = 0.8
RHETORICAL = 0.5
# Long texts with a question in them are reviews first; the question is incidental.
MAX_QUESTION = 400


def classify(text: str, sentiment: dict[str, Any] | None, toxicity: dict[str, Any] | None) -> str:
    """The type of ``text`` given its sentiment and toxicity results, by the precedence of
    docs/labelling-guide.md: spam, troll, question, suggestion, complaint, praise, other."""
    score = float(sentiment["score"]) if sentiment else 0.0
    label = str(sentiment["label"]) if sentiment else "neutral"
    toxic_score = float(toxicity.get("score", 0.0)) if toxicity else 0.0
    categories = set(toxicity.get("categories", [])) if toxicity else set()
    lower = text.lower()
    linked = "http" in lower or "www" in lower
    if (linked and (_SPAM_LINK.search(text) or len(_LINKS.findall(text)) >= 3)) or _spam_words(text, lower):
        return "spam"
    if toxic_score >= TROLL_SCORE or ({"insult", "hate", "threat"} & categories and toxic_score >= 0.5):
        return "troll"
    has_question_mark = "?" in text
    # A "?" in a strongly negative or glowing text is usually rhetorical ("c'est normal ?").
    asks = (any(word in lower for word in _REQUEST_WORDS) and _REQUEST.search(text)) or (
        has_question_mark and -RHETORICAL < score < RHETORICAL
    )
    if asks and len(text) < MAX_QUESTION:
        return "question"
    if score > -0.8 and any(word in lower for word in _SUGGESTION_WORDS) and _SUGGESTION.search(text):
        return "suggestion"
    if label == "negative":
        return "complaint"
    if label == "positive":
        return "praise"
    return "other"


class TypeAnalyzer(Analyzer):
    """Type by the trained model over the text and the rules' answer (the rules alone without it)."""

    name: ClassVar[str] = "type"
    version: ClassVar[str] = "2.0"
    provides: ClassVar[frozenset[str]] = frozenset({"type"})
    requires: ClassVar[frozenset[str]] = frozenset({"sentiment", "toxicity"})

    def load(self) -> None:
        """Load the trained type model once per process."""
        type_model.shipped()

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        """The type of each item."""
        texts = [runtime.item_text(item) for item in batch]
        types = [
            classify(text, prior.get("sentiment"), prior.get("toxicity"))
            for text, prior in zip(texts, previous, strict=True)
        ]
        model = type_model.shipped()
        if model is not None and texts:
            types = model.predict(runtime.features(batch), batch, previous, types)
        return [{"type": answer} for answer in types]
