"""Why a customer was not invited, said to a manager: the codes of ``actions.do_invite`` and
``actions.do_invite_rows`` (kept as they are in the CLI's and the API's JSON) in words."""

from __future__ import annotations

import re

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
    # Rows of survey results imported on the page (``actions._survey_row``).
    "survey_refused": _("ligne refusée"),
    "already_imported": _("déjà importée auparavant"),
}


def reason_label(code: str) -> str:
    """``code`` in words, in the active language (an unknown code as it is)."""
    label = REASONS.get(code)
    return str(label) if label is not None else code


# The reasons a sending failed, as ``sending.SendError`` words them (stored in English on the
# invitation), said to a manager in the active language.
_SEND_ERRORS: list[tuple[re.Pattern[str], Promise]] = [
    (
        re.compile(r"recipient refused \((?P<code>\d+)\)"),
        _("adresse refusée par le serveur de messagerie (code %(code)s)"),
    ),
    (re.compile(r"SMTP server answered (?P<code>\d+)"), _("le serveur de messagerie a répondu %(code)s")),
    (
        re.compile(r"SMTP server unreachable"),
        _("serveur de messagerie injoignable (réglages VIGIE_EMAIL_HOST, VIGIE_EMAIL_PORT)"),
    ),
    (re.compile(r"no SMS provider configured"), _("aucun fournisseur de SMS configuré (VIGIE_SMS_URL)")),
    (re.compile(r"SMS provider unreachable"), _("fournisseur de SMS injoignable")),
    (re.compile(r"SMS provider answered (?P<code>\d+)"), _("le fournisseur de SMS a répondu %(code)s")),
    (re.compile(r"SMS provider: "), _("adresse du fournisseur de SMS refusée par la politique de sortie")),
    (
        re.compile(r"interrupted twice while sending"),
        _(
            "envoi interrompu deux fois (le processus d'envoi s'est arrêté) : pas de troisième essai ; "
            "le client a pu la recevoir, il n'est pas invité de nouveau pendant la période"
        ),
    ),
]


def send_error_label(error: str) -> str:
    """Why an invitation failed to go, in words a manager reads (an unknown text as it is)."""
    if error.startswith("withdrawn: "):
        # Held for the quiet hours, then the customer opted out (or the address bounced) meanwhile.
        return str(_("non envoyée : %(reason)s depuis")) % {
            "reason": reason_label(error[len("withdrawn: ") :])
        }
    for pattern, label in _SEND_ERRORS:
        match = pattern.search(error)
        if match:
            return str(label) % match.groupdict() if match.groupdict() else str(label)
    return error
