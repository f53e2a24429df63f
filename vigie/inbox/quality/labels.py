"""The quality gate's finding codes as people name them: the case timeline and the approval
screens say "Réponse trop générique", never ``generic_reply``."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FINDING_LABELS: dict[str, Promise] = {
    "empty": _("réponse vide"),
    "placeholder": _("variable non remplie"),
    "too_long": _("réponse trop longue"),
    "personal_data": _("données personnelles"),
    "wrong_language": _("langue de la réponse"),
    "insult": _("propos insultants"),
    "contempt": _("mépris envers le client"),
    "sarcasm": _("ironie envers le client"),
    "generic_reply": _("réponse trop générique"),
    "spelling": _("orthographe"),
    "grammar": _("grammaire"),
    "defensive_tone": _("ton défensif"),
    "all_caps": _("majuscules"),
    "punctuation": _("ponctuation"),
    "jargon": _("jargon"),
    "incomplete_answer": _("réponse incomplète"),
    "unauthorised_promise": _("promesse non autorisée"),
    "admission_of_fault": _("reconnaissance de faute"),
    "legal_liability": _("responsabilité juridique"),
    "unauthorised_deadline": _("délai non autorisé"),
    "other_location": _("autre lieu"),
}


def finding_label(code: str) -> str:
    """The French name of a finding code; a code added later without a name reads "autre remarque"."""
    label = FINDING_LABELS.get(code)
    return str(label) if label is not None else gettext("autre remarque")
