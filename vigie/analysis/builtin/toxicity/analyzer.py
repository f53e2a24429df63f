"""Toxicity and legal-risk analyzer: a trained toxic/clean model plus explainable lexical flags for
insults, threats, hate, accusations of crimes or fraud, and named persons. The detected language
chooses the model: English texts go through ``toxicity_en`` (trained on English toxic sets, with
English reviews and tweets as clean), the others through the French ``toxicity``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from vigie.analysis.builtin.sentiment.analyzer import model_language
from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.training import runtime

# The model's score crosses 0.5 at the probability chosen leave-one-dataset-out (train.py folds
# that threshold, 0.2, into the saved intercept), so 0.5 stays the decision point for every reader.
THRESHOLD = 0.5

# Patterns are matched on lower-cased text; \w* absorbs inflections (escroc, escrocs, escroquerie).
CATEGORIES: dict[str, re.Pattern[str]] = {
    "insult": re.compile(
        r"\b(?:connard|connasse|salop\w*|encul\w*|batard|bâtard|abruti\w*|cr[ée]tin\w*|d[ée]bile\w*|"
        r"imb[ée]cile\w*|idiot\w*|con|conne|cons|pute\w*|merde\w*|nul(?:le)?s? à chier|bouffon\w*|"
        r"incomp[ée]tent\w*|t[êe]te de con|ta gueule|fdp|ntm|asshole|idiots?|stupid|moron\w*)\b"
    ),
    "threat": re.compile(
        r"\b(?:je vais (?:vous|te|le|la) (?:tuer|d[ée]foncer|buter|retrouver|casser la gueule)|"
        r"(?:vous|tu) (?:allez|vas) (?:le )?(?:payer|regretter)|on sait où (?:tu|vous) habit\w*|"
        r"menace\w*|crever|\bbuter\b|i will kill|gonna kill)"
    ),
    "hate": re.compile(
        r"\b(?:sale (?:arabe|noir|juif|pd|pédé|migrant|bougnoule|negre|nègre)\w*|bougnoul\w*|n[èe]gres?|"
        r"youpin\w*|p[ée]d[ée]s?|tapette\w*|bicot\w*|rebeu\w* de merde|race inf[ée]rieure)\b"
    ),
    "accusation": re.compile(
        r"\b(?:escro\w*|arnaqu\w*|voleu\w*|vol[ée]s?|fraud\w*|malhonn[êe]t\w*|menteu\w*|mensonge\w*|"
        r"criminel\w*|mafi\w*|corrompu\w*|corruption|abus de confiance|"
        # Money diverted, not a parcel sent elsewhere ("mes commandes sont détournées vers…").
        r"d[ée]tournement\w* de fonds|d[ée]tourn\w* (?:de l'argent|l'argent|mon argent|des fonds|les fonds)|"
        # "thief" and its forms only: "thie\w+" also read "Thierry", "Thiers" and "thier" (their).
        r"escroquerie|faux et usage de faux|ill[ée]gal\w*|scam\w*|fraud|thie(?:f|ves|very|veries|ving)|crook\w*)\b"
    ),
    # A customer who threatens, or has started, legal proceedings ("je vais porter plainte",
    # "mise en demeure", "mon avocat", "I will sue", "my lawyer", "trading standards"): a case for
    # the legal team, like an accusation. "Sue" the name is not "I will sue"; "court" alone is not
    # a court of law. Over the 253,465 texts of ../shared/data it fires on 1,043 (0.4 %), most of
    # them disputes heading for a lawyer, a court, a regulator or the mediator.
    "legal_threat": re.compile(
        r"\b(?:port(?:er|é|e|ons|erai|erons)? (?:une )?plainte|d[ée]pos(?:er|é|e|erai|erons)? (?:une )?plainte|"
        r"(?:mon|un|notre|nos|mes) avocats?|au tribunal|devant (?:le|les) tribuna(?:l|ux)|mise en demeure|"
        r"poursuites? judiciaires?|poursuivre en justice|actions? en justice|"
        r"(?:attaquer|aller|saisir la) (?:en )?justice|saisi(?:r|ne|) (?:du |le )?m[ée]diateur|"
        r"(?:i|we)(?:'ll| will| am going to|'m going to| are going to|'re going to| shall) sue|"
        r"sue (?:you|them|your company)|suing|lawsuit|(?:my|a|our) (?:lawyer|solicitor|attorney)s?|legal action|"
        r"small claims|(?:take|taking) (?:you|them|this) to court|trading standards|environmental health|"
        r"ombudsman)\b"
    ),
}
# A person named in the text: civility + capitalised name, or "le conseiller/directeur X".
NAMED_PERSON = re.compile(
    r"\b(?:M\.|Mr\.?|Mme|Mlle|Monsieur|Madame|Mademoiselle|Ma[îi]tre|Me|Dr|Docteur)\s+[A-ZÉÈ][\w\-éèëï]+"
    r"|\b(?:conseill[eè]re?|directeur|directrice|vendeu(?:r|se)|agent|responsable|gérant\w*)\s+[A-ZÉÈ][a-zéèëï]+"
)
LEGAL_RISK_CATEGORIES = frozenset({"threat", "hate", "accusation", "legal_threat"})


# Every category at once: most texts match none, and one scan of the alternation costs about half
# the four scans; only a text it finds something in is searched category by category.
_ANY_CATEGORY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in CATEGORIES.values()))


def flags(text: str) -> list[str]:
    """The lexical categories found in ``text`` (``named_person`` included)."""
    lower = text.lower()
    found = (
        [name for name, pattern in CATEGORIES.items() if pattern.search(lower)]
        if _ANY_CATEGORY.search(lower)
        else []
    )
    if NAMED_PERSON.search(text):
        found.append("named_person")
    return found


class ToxicityAnalyzer(Analyzer):
    """``toxic``/``score`` from the trained model; ``categories`` and ``legal_risk`` from lexical
    flags, so a moderator sees why a mention was flagged."""

    name: ClassVar[str] = "toxicity"
    version: ClassVar[str] = "1.4"
    provides: ClassVar[frozenset[str]] = frozenset({"toxicity"})
    uses: ClassVar[frozenset[str]] = frozenset({"language"})

    def load(self) -> None:
        """Load the shared featurizer and the French and English toxicity models."""
        runtime.featurizer()
        runtime.model("toxicity")
        runtime.model("toxicity_en")
        runtime.prepare()

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        """Toxicity verdict, score in [0, 1], categories and legal-risk flag per item."""
        if not batch:
            return []
        # Plain floats: per-item numpy scalars cost more than the rest of the loop.
        found = previous if len(previous) == len(batch) else [{} for _ in batch]
        english = np.array([model_language(item, r) == "en" for item, r in zip(batch, found, strict=True)])
        scores_array = runtime.proba("toxicity", batch)[:, 1]
        if english.any():
            scores_array = np.where(english, runtime.proba("toxicity_en", batch)[:, 1], scores_array)
        scores = scores_array.tolist()
        results: list[Results] = []
        for item, score in zip(batch, scores, strict=True):
            categories = flags(runtime.item_text(item))
            toxic = score >= THRESHOLD or bool({"threat", "hate"} & set(categories))
            # Defamation risk needs an accusation or threat/hate; a named person makes it worse.
            legal_risk = bool(LEGAL_RISK_CATEGORIES & set(categories))
            results.append(
                {
                    "toxicity": {
                        "toxic": toxic,
                        "score": round(score, 3),
                        "categories": categories,
                        "legal_risk": legal_risk,
                    }
                }
            )
        return results
