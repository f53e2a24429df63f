"""The rules of a campaign: who is in the population, and what Vigie refuses to filter on.

Review gating (inviting only the customers likely to be happy, or sending the unhappy ones to
support first) is forbidden by Google's and Trustpilot's rules and by ISO 20488. A population may
be narrowed by where or how a customer was met (location, team, the platform of their case, the
trigger), never by how satisfied they are: a rule on sentiment, rating or a case's outcome is
refused with its reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What a population may be narrowed by (French and English words a manager may type).
ALLOWED_FIELDS = {
    "location": "location",
    "lieu": "location",
    "agence": "location",
    "site": "location",
    "team": "team",
    "equipe": "team",
    "platform": "platform",
    "plateforme": "platform",
    "trigger": "trigger",
    "declencheur": "trigger",
}
# Words that mean "how satisfied the customer is": refused, whatever the value.
GATING_FIELDS = {
    "sentiment": "sentiment",
    "tonalite": "sentiment",
    "humeur": "sentiment",
    "rating": "rating",
    "note": "rating",
    "stars": "rating",
    "etoiles": "rating",
    "score": "rating",
    "csat": "rating",
    "nps": "rating",
    "satisfaction": "rating",
    "outcome": "outcome",
    "issue": "outcome",
    "resultat": "outcome",
    "status": "outcome",
    "statut": "outcome",
    "type": "outcome",
    "mention_type": "outcome",
    "priority": "outcome",
    "priorite": "outcome",
    "complaint": "outcome",
    "reclamation": "outcome",
}
MAX_RULES = 20
MAX_VALUE = 150


@dataclass(frozen=True)
class Rule:
    """``field`` equals ``value`` (case-insensitive); several rules on one field are alternatives."""

    field: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value}


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_")


def gating_reason(kind: str) -> str:
    """Why Vigie refuses a rule on ``kind`` (sentiment, rating or outcome), in the user's language."""
    what = {
        "sentiment": _("le sentiment du client"),
        "rating": _("la note ou la satisfaction du client"),
        "outcome": _("l'issue ou la nature du dossier"),
    }[kind]
    return _(
        "Règle refusée : filtrer les invitations selon %(what)s reviendrait à ne solliciter que les "
        "clients susceptibles d'être satisfaits (« review gating »). Google, Trustpilot et la norme "
        "ISO 20488 l'interdisent : Vigie envoie la même invitation à toute la population choisie, "
        "quel que soit son avis."
    ) % {"what": what}


def parse_rule(field: str, value: str) -> Rule:
    """One rule, checked; ``ValidationError`` (code ``gating`` or ``invalid``) says why not."""
    key = _plain(field)
    if key in GATING_FIELDS:
        raise ValidationError(gating_reason(GATING_FIELDS[key]), code="gating")
    if key not in ALLOWED_FIELDS:
        raise ValidationError(
            _("Critère inconnu « %(field)s » : lieu, équipe, plateforme ou déclencheur.")
            % {"field": field.strip()[:40]},
            code="invalid",
        )
    value = " ".join(value.split())
    if not value or len(value) > MAX_VALUE:
        raise ValidationError(
            _("Chaque critère a besoin d'une valeur (150 caractères au plus)."), code="invalid"
        )
    return Rule(ALLOWED_FIELDS[key], value)


def parse_rules(data: Any) -> list[Rule]:
    """Rules from the API's list of ``{"field", "value"}`` or the settings page's lines
    ``champ = valeur``."""
    items: list[tuple[str, str]] = []
    if isinstance(data, str):
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            field, sep, value = line.partition("=")
            if not sep:
                raise ValidationError(
                    _("Ligne %(n)s : écrivez « critère = valeur ».") % {"n": number}, code="invalid"
                )
            items.append((field, value))
    elif isinstance(data, list):
        for item in data:
            if not isinstance(item, dict):
                raise ValidationError(_("Chaque règle a un champ et une valeur."), code="invalid")
            items.append((str(item.get("field", "")), str(item.get("value", ""))))
    else:
        raise ValidationError(_("Chaque règle a un champ et une valeur."), code="invalid")
    if len(items) > MAX_RULES:
        raise ValidationError(_("Vingt règles au plus."), code="invalid")
    return [parse_rule(field, value) for field, value in items]


def rules_text(rules: list[dict[str, str]]) -> str:
    return "\n".join(f"{rule['field']} = {rule['value']}" for rule in rules)


def in_population(rules: list[dict[str, str]], facts: dict[str, str]) -> bool:
    """Whether a customer whose ``facts`` (location, team, platform, trigger) are given is in the
    population: every field named by a rule matches one of its values."""
    wanted: dict[str, set[str]] = {}
    for rule in rules:
        wanted.setdefault(rule["field"], set()).add(rule["value"].casefold())
    return all(facts.get(field, "").casefold() in values for field, values in wanted.items())


def in_quiet_hours(local: datetime, start: time, end: time) -> bool:
    """Whether the local time falls in the quiet hours ``start``–``end`` (which may span midnight)."""
    moment = local.time()
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_hours_end(local: datetime, start: time, end: time) -> datetime:
    """The first moment after ``local`` when the quiet hours are over."""
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate
