"""A draft that names another of the organisation's places than the one the customer wrote about.

In the demo, "Partir de cette réponse" on a review of the Annecy agency gave a colleague's answer
to a review of Lyon Part-Dieu: "pardon pour cette visite à l'agence de Lyon Part-Dieu", ready to be
published under the Annecy customer's review. Names are proper nouns: matched as written
(capitals included), as whole words, so that "tours" or "orange" in a sentence are never a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from vigie.inbox.quality.findings import WARN, Finding

# A location is often named after its kind: "Agence Lyon Part-Dieu" is written "l'agence de Lyon
# Part-Dieu", so its name is looked for without this first word too.
_KIND_WORDS = {"agence", "boutique", "magasin", "site", "agency", "shop", "store", "branch"}
_SHORTEST = 3


def place_names(name: str, city: str = "") -> set[str]:
    """The ways a reply names a place: its name, its name without a leading kind word, its city."""
    names = {name.strip(), city.strip()}
    first, _space, rest = name.strip().partition(" ")
    if first.lower() in _KIND_WORDS:
        names.add(rest.strip())
    return {each for each in names if len(each) >= _SHORTEST}


def _find(name: str, text: str) -> re.Match[str] | None:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)


def check_other_place(
    text: str, *, here: str, here_names: Iterable[str], elsewhere: Iterable[str], customer_text: str = ""
) -> list[Finding]:
    """A warning for each place of ``elsewhere`` the draft names, when the customer wrote about
    ``here`` (known by ``here_names``). Names shared with ``here`` (a city with two agencies) and
    names the customer wrote themself are left alone."""
    if not here:
        return []
    own = set(here_names)
    findings: list[Finding] = []
    seen: set[str] = set()
    # Longest first: "Lyon Part-Dieu" is reported once, not again as "Lyon".
    for name in sorted(set(elsewhere) - own, key=len, reverse=True):
        found = _find(name, text)
        if found is None or _find(name, customer_text) or any(name in longer for longer in seen):
            continue
        seen.add(name)
        findings.append(
            Finding(
                "other_location",
                WARN,
                _(
                    "Cette réponse parle de « %(named)s », alors que le message concerne %(here)s : "
                    "vérifiez le lieu."
                )
                % {"named": name, "here": here},
                start=found.start(),
                end=found.end(),
            )
        )
    return findings
