"""The records of processing activities (GDPR article 30), generated from what Vigie stores.

Each line says what is stored, why, on which legal basis, for how long (read from the charter's
retention, so the page never disagrees with what the daily job does) and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.charter.document import CharterDocument
from vigie.privacy.holders import hooks

_LEGITIMATE = gettext_lazy("Intérêt légitime : répondre à la clientèle et suivre sa réputation (art. 6.1.f)")
_DATABASE = gettext_lazy("Base de données de Vigie, sur le serveur de l'organisation, et ses sauvegardes")


@dataclass(frozen=True)
class ProcessingRecord:
    what: Any
    why: Any
    basis: Any
    where: Any
    kind: str  # a retention kind of the charter, or "" when the delay is fixed
    fixed_retention: Any = ""


_RECORDS: tuple[ProcessingRecord, ...] = (
    ProcessingRecord(
        gettext_lazy("Mentions : avis, commentaires et messages publics (texte, note, lien, date)"),
        gettext_lazy("Les lire, y répondre, mesurer la satisfaction et la réputation"),
        _LEGITIMATE,
        _DATABASE,
        "mentions",
    ),
    ProcessingRecord(
        gettext_lazy("Auteurs : pseudonyme, nom affiché, lien du profil, nombre d'abonnés"),
        gettext_lazy("Savoir qui a écrit, retrouver l'historique d'un client"),
        _LEGITIMATE,
        _DATABASE,
        "authors",
    ),
    ProcessingRecord(
        gettext_lazy("Messages privés : adresse e-mail, objet, contenu ; rappels : numéro de téléphone"),
        gettext_lazy("Traiter en privé ce qui ne se dit pas en public"),
        gettext_lazy("Mesures précontractuelles ou contrat, à la demande de la personne (art. 6.1.b)"),
        _DATABASE,
        "private_messages",
    ),
    ProcessingRecord(
        gettext_lazy("Pièces jointes"),
        gettext_lazy("Documents reçus avec un message"),
        _LEGITIMATE,
        _DATABASE,
        "attachments",
    ),
    ProcessingRecord(
        gettext_lazy("Dossiers, réponses et notes internes des agents"),
        gettext_lazy("Suivre chaque demande jusqu'à sa résolution"),
        _LEGITIMATE,
        _DATABASE,
        "mentions",
    ),
    ProcessingRecord(
        gettext_lazy("Journal d'audit : qui a fait quoi, quand (adresse e-mail des membres)"),
        gettext_lazy("Prouver ce qui a été fait et détecter toute modification (chaîne signée)"),
        gettext_lazy("Obligation de sécurité (art. 32) et intérêt légitime"),
        _DATABASE,
        "audit_events",
    ),
    ProcessingRecord(
        gettext_lazy("Comptes des membres : adresse e-mail, nom, rôle, équipes"),
        gettext_lazy("Donner accès à Vigie et répartir le travail"),
        gettext_lazy("Contrat de travail ou de prestation (art. 6.1.b)"),
        _DATABASE,
        "",
        gettext_lazy("Tant que la personne est membre"),
    ),
)


def _retention_text(document: CharterDocument, kind: str) -> str:
    rule = document.retention.rule(kind)
    if not rule.days:
        return _("Jusqu'à une demande d'effacement")
    if kind == "audit_events" or rule.action == "delete":
        return _("%(days)s jours, puis supprimé") % {"days": rule.days}
    return _("%(days)s jours, puis pseudonymisé") % {"days": rule.days}


def processing_records(document: CharterDocument) -> list[dict[str, str]]:
    """The lines of the records of processing, with the delays of ``document`` (the charter)."""
    lines = [
        {
            "what": str(record.what),
            "why": str(record.why),
            "basis": str(record.basis),
            "where": str(record.where),
            "retention": str(record.fixed_retention)
            if not record.kind
            else _retention_text(document, record.kind),
        }
        for record in _RECORDS
    ]
    for _app, records in hooks("queries", "processing_records"):
        for record in records():
            kind = record.get("kind", "")
            lines.append(
                {
                    "what": str(record.get("what", "")),
                    "why": str(record.get("why", "")),
                    "basis": str(record.get("basis", "")),
                    "where": str(record.get("where", "")),
                    # An app that states no delay keeps its rows until someone erases them: said
                    # so, never an empty cell in the register.
                    "retention": _retention_text(document, kind)
                    if kind
                    else str(record.get("retention", "")) or _("Jusqu'à une demande d'effacement"),
                }
            )
    return lines
