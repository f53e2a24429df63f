"""Tables of weights the generator draws from (sources, languages, kinds, types, themes, lengths),
their cumulative forms, and the platform families the draws and rules test against."""

from __future__ import annotations

from vigie.demo.generator.draws import _cum
from vigie.demo.noise import STYLES
from vigie.demo.organisation import LOCATIONS

# Share of all mentions per source outside the crisis (Google split across agencies by weight).
_SOURCE_WEIGHTS: dict[str, float] = {
    **{f"google_{loc.key}": 31.0 * loc.weight for loc in LOCATIONS},
    "trustpilot": 10.0,
    "facebook": 16.0,
    "x": 12.0,
    "instagram": 6.0,
    "mastodon": 2.0,
    "bluesky": 3.0,
    "press": 1.2,
    "forum": 4.5,
    "employer": 2.0,
    "survey": 12.3,
}
_CRISIS_SOURCE_WEIGHTS: dict[str, float] = {
    **{f"google_{loc.key}": 12.0 * loc.weight for loc in LOCATIONS},
    "trustpilot": 12.0,
    "facebook": 25.0,
    "x": 30.0,
    "instagram": 5.0,
    "mastodon": 2.0,
    "bluesky": 5.0,
    "press": 1.5,
    "forum": 6.0,
    "survey": 1.5,
}
_EN_RATE: dict[str, float] = {
    **{f"google_{loc.key}": 0.08 for loc in LOCATIONS},
    "google_annecy": 0.16,  # cross-border workers around Geneva
    "trustpilot": 0.2,
    "facebook": 0.07,
    "x": 0.16,
    "instagram": 0.12,
    "mastodon": 0.25,
    "bluesky": 0.25,
    "press": 0.0,
    "forum": 0.0,
    "employer": 0.12,
    "survey": 0.08,
}
_KINDS: dict[str, tuple[tuple[str, float], ...]] = {
    "google_business": (("review", 1.0),),
    "trustpilot": (("review", 1.0),),
    "facebook": (("comment", 0.55), ("post", 0.2), ("reply", 0.25)),
    "x": (("post", 0.7), ("reply", 0.3)),
    "instagram": (("comment", 0.8), ("reply", 0.2)),
    "mastodon": (("post", 0.75), ("reply", 0.25)),
    "bluesky": (("post", 0.75), ("reply", 0.25)),
    "press": (("article", 1.0),),
    "forum": (("post", 0.45), ("reply", 0.55)),
    "employer": (("review", 1.0),),
    "survey": (("survey_answer", 1.0),),
}
_TYPE_WEIGHTS: dict[str, dict[str, float]] = {
    "review": {
        "complaint": 36,
        "praise": 42,
        "question": 4,
        "suggestion": 6,
        "troll": 3,
        "spam": 3,
        "other": 6,
    },
    "social": {
        "complaint": 30,
        "praise": 14,
        "question": 22,
        "suggestion": 5,
        "troll": 10,
        "spam": 8,
        "other": 11,
    },
    "reply": {"complaint": 40, "other": 35, "question": 5, "troll": 12, "praise": 3, "spam": 5},
    "forum": {"question": 40, "complaint": 30, "praise": 12, "other": 13, "suggestion": 5},
    "survey": {"praise": 46, "complaint": 32, "suggestion": 14, "other": 8},
    "employer": {"praise": 35, "complaint": 40, "other": 25},
}
_THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "complaint": {
        "remboursement": 22,
        "attente": 13,
        "joignabilite": 15,
        "facturation": 14,
        "demarches": 12,
        "site_app": 9,
        "accueil": 7,
        "competence": 4,
        "qualite": 7,
    },
    "praise": {
        "accueil": 30,
        "competence": 26,
        "remboursement": 13,
        "attente": 7,
        "site_app": 8,
        "joignabilite": 6,
        "qualite": 6,
        "facturation": 2,
        "demarches": 4,
    },
    "question": {
        "remboursement": 20,
        "demarches": 28,
        "qualite": 20,
        "facturation": 14,
        "site_app": 10,
        "joignabilite": 5,
        "accueil": 3,
    },
    "suggestion": {
        "site_app": 30,
        "joignabilite": 20,
        "remboursement": 15,
        "attente": 12,
        "accueil": 8,
        "qualite": 10,
        "facturation": 5,
    },
}
_LENGTHS: dict[str, tuple[tuple[str, float], ...]] = {
    "google_business": (("tiny", 0.25), ("short", 0.4), ("medium", 0.28), ("long", 0.07)),
    "trustpilot": (("tiny", 0.05), ("short", 0.3), ("medium", 0.45), ("long", 0.2)),
    "facebook": (("tiny", 0.2), ("short", 0.5), ("medium", 0.25), ("long", 0.05)),
    "x": (("tiny", 0.3), ("short", 0.6), ("medium", 0.1)),
    "bluesky": (("tiny", 0.3), ("short", 0.6), ("medium", 0.1)),
    "mastodon": (("tiny", 0.2), ("short", 0.55), ("medium", 0.25)),
    "instagram": (("tiny", 0.5), ("short", 0.45), ("medium", 0.05)),
    "forum": (("medium", 0.45), ("long", 0.55)),
    "survey": (("tiny", 0.35), ("short", 0.5), ("medium", 0.15)),
}
_TEXT_LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500}


_SOCIAL = frozenset({"facebook", "x", "instagram", "mastodon", "bluesky"})
_REVIEW_PLATFORMS = frozenset({"google_business", "trustpilot"})
_THREAD_PLATFORMS = _SOCIAL | {"feed"}


_SOURCE_CUM = _cum(_SOURCE_WEIGHTS)
_SOURCE_NIGHT_CUM = _cum(
    {key: weight * (0.05 if key == "survey" else 1.3 if key in ("facebook", "x", "instagram") else 1.0)
     for key, weight in _SOURCE_WEIGHTS.items()}
)  # fmt: skip
_CRISIS_SOURCE_CUM = _cum(_CRISIS_SOURCE_WEIGHTS)
_KIND_CUM = {key: _cum(kinds) for key, kinds in _KINDS.items()}
_TYPE_CUM = {key: _cum(weights) for key, weights in _TYPE_WEIGHTS.items()}
_THEME_CUM = {key: _cum(weights) for key, weights in _THEME_WEIGHTS.items()}
_LENGTH_CUM = {key: _cum(weights) for key, weights in _LENGTHS.items()}
_LOCATION_CUM = _cum({loc.key: loc.weight for loc in LOCATIONS})
_STYLE_CUM = _cum(dict(zip(STYLES, (40.0, 35.0, 13.0, 12.0), strict=True)))
