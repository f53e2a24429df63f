"""How close a draft is to the organisation's recent replies on the same platform.

Word 3-shingles compared with the Jaccard index: a reply that shares most of its phrases with one
already published reads as a copy-paste, which customers notice on a public page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from django.utils.translation import gettext as _

from vigie.connectors.platforms import platform_name
from vigie.inbox.quality.findings import WARN, Finding

# Above this share of common phrases two replies read as the same answer. Chosen so a template
# personalised with one or two sentences of its own passes, and the bare template does not.
THRESHOLD = 0.6
RECENT_REPLIES = 50
_WORD_RE = re.compile(r"[^\W_]+")


@lru_cache(maxsize=2048)
def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """The set of ``size``-word sequences of ``text``, lowercased.

    Cached: the same recent replies are compared with every draft the agents check.
    """
    words = _WORD_RE.findall(text.lower())
    if len(words) < size:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Shared over total shingles (0 when both are empty)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def most_similar(text: str, previous: Iterable[str], approved_template: str = "") -> float:
    """The highest similarity of ``text`` to any of ``previous``.

    The phrases of ``approved_template`` (a pre-approved template the draft started from) are
    the organisation's chosen words, meant to be reused: only the draft's other phrases count.
    """
    mine = shingles(text)
    if approved_template:
        mine = mine - shingles(approved_template)
    return max((jaccard(mine, shingles(other)) for other in previous), default=0.0)


def edit_ratio(original: str, text: str) -> float:
    """How much of ``original`` (a rendered template) ``text`` changed, from 0 (untouched) to 1."""
    if not original:
        return 1.0 if text else 0.0
    return round(1.0 - SequenceMatcher(None, original, text, autojunk=False).ratio(), 3)


def check_similarity(
    text: str, previous: Iterable[str], platform: str, approved_template: str = ""
) -> list[Finding]:
    """A warning when ``text`` is nearly the same as a recent reply on ``platform``; a pre-approved
    template used as is is not a copy-paste (``most_similar``)."""
    score = most_similar(text, previous, approved_template)
    if score < THRESHOLD:
        return []
    return [
        Finding(
            "generic_reply",
            WARN,
            _(
                "Cette réponse ressemble à %(percent)d %% à une réponse récente sur %(platform)s : "
                "personnalisez-la (le prénom ne suffit pas, reprenez un détail du message du client)."
            )
            % {"percent": round(score * 100), "platform": platform_name(platform)},
        )
    ]
