"""Why a customer was not invited, said to a manager: the codes of ``actions.do_invite`` and
``actions.do_invite_rows`` (kept as they are in the CLI's and the API's JSON) in words."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REASONS: dict[str, Promise] = {
    "campaign_disabled": _("invitations désactivées"),
    "invalid_address": _("adresse invalide"),
    "no_address": _("ni e-mail ni téléphone"),
    "sms_disabled": _("pas d'e-mail, et l'envoi par SMS est désactivé"),
    "opted_out": _("client désinscrit"),
    "bounced": _("adresse en rebond"),
    "complained": _("plainte pour spam"),
    "already_invited": _("déjà invité pendant la période"),
    "no_legal_basis": _("aucune base légale"),
    "outside_population": _("hors de la population invitée"),
    "unknown_location": _("lieu inconnu"),
    "no_review_platform": _("aucune plateforme d'avis pour ce lieu dans la charte"),
    "duplicate_in_file": _("doublon dans le fichier"),
    "invalid_legal_basis": _("base légale inconnue"),
    "send_failed": _("échec de l'envoi"),
    "quiet_hours": _("programmée à la fin des heures calmes"),
}


def reason_label(code: str) -> str:
    """``code`` in words, in the active language (an unknown code as it is)."""
    label = REASONS.get(code)
    return str(label) if label is not None else code
