"""Reads of the evidence domain.

``held_mention_ids`` and ``is_held`` are the stable door the privacy app uses: retention and erasure
skip every mention under an active legal hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from vigie.core.models import Organisation
from vigie.core.queries import audit_events
from vigie.core.tenancy import scoped
from vigie.evidence.legal import days_left, limitation_date
from vigie.evidence.models import Capture, CaptureKind, LegalHold, SigningKey
from vigie.mentions.models import Mention


def held_mention_ids(tenant: Organisation) -> set[int]:
    """The ids of ``tenant``'s mentions under an active legal hold (exempt from retention and erasure)."""
    return set(scoped(LegalHold, tenant).filter(lifted_at__isnull=True).values_list("mention_id", flat=True))


def is_held(mention: Mention) -> bool:
    """True while ``mention`` is under an active legal hold."""
    return LegalHold.objects.filter(mention_id=mention.pk, lifted_at__isnull=True).exists()


def active_hold(mention: Mention) -> LegalHold | None:
    return (
        scoped(LegalHold, mention.organisation)
        .filter(mention_id=mention.pk, lifted_at__isnull=True)
        .select_related("placed_by")
        .first()
    )


def active_holds(organisation: Organisation) -> QuerySet[LegalHold]:
    return (
        scoped(LegalHold, organisation)
        .filter(lifted_at__isnull=True)
        .select_related("mention", "mention__source", "mention__author")
        .order_by("mention__created_at")
    )


def captures_of(mention: Mention) -> QuerySet[Capture]:
    """A mention's captures whose files are still held, oldest first."""
    return (
        scoped(Capture, mention.organisation)
        .filter(mention_id=mention.pk, purged_at__isnull=True, redacted_at__isnull=True)
        .order_by("seq")
    )


def purged_captures_of(mention: Mention) -> QuerySet[Capture]:
    """A mention's captures whose files were deleted (erasure or retention, once its hold was
    lifted): their signed manifests stay in the chain."""
    return (
        scoped(Capture, mention.organisation)
        .filter(mention_id=mention.pk, purged_at__isnull=False)
        .order_by("seq")
    )


def chain(organisation: Organisation) -> QuerySet[Capture]:
    return scoped(Capture, organisation).order_by("seq")


def capture_before(capture: Capture) -> Capture | None:
    """The previous link of the chain (None for the first)."""
    return scoped(Capture, capture.organisation).filter(seq=capture.seq - 1).first()


def signing_key(organisation: Organisation) -> SigningKey | None:
    return scoped(SigningKey, organisation).first()


def audit_head(organisation: Organisation) -> dict[str, Any] | None:
    """The head of the organisation's audit log, read through core: ``{"seq", "hash"}`` of its last
    event; None when the log is empty."""
    last = audit_events(organisation).order_by("-seq").values("seq", "hash").first()
    return {"seq": last["seq"], "hash": last["hash"]} if last else None


def last_audit_anchor(organisation: Organisation) -> Capture | None:
    return scoped(Capture, organisation).filter(kind=CaptureKind.AUDIT_ANCHOR).order_by("-seq").first()


@dataclass(frozen=True)
class Limitation:
    """The three-month limit of a post: the day it expires and how many days are left."""

    expires_on: date
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def urgent(self) -> bool:
        return 0 <= self.days_left <= 7


def limitation_of(mention: Mention, today: date | None = None) -> Limitation:
    expires = limitation_date(mention.created_at, mention.organisation.timezone)
    if today is None:
        today = timezone.now().astimezone(ZoneInfo(mention.organisation.timezone)).date()
    return Limitation(expires, days_left(expires, today))


# --- the GDPR hooks that vigie.privacy looks up by name (vigie/privacy/holders.py) ---------------


def personal_data_sections() -> dict[str, tuple[str, type[Model] | None]]:
    """The titles of what evidence holds about a person (export) and of what erasing removes."""
    return {
        "captures": (gettext("Captures de ses publications conservées comme preuve"), Capture),
        "captures_purged": (gettext("Fichiers des captures de ses publications supprimés"), None),
        "manifests_redacted": (
            gettext("Manifestes signés de ces captures expurgés (auteur, adresse de la publication)"),
            None,
        ),
        "captures_kept_for_legal_hold": (
            gettext(
                "Captures gardées intactes (conservation légale, RGPD art. 17.3.e : constatation, "
                "exercice ou défense de droits en justice)"
            ),
            None,
        ),
    }


def personal_data(
    organisation: Organisation, identifiers: dict[str, list[str]]
) -> dict[str, list[dict[str, Any]]]:
    """The captures of the person's own posts: when, of which address, how they ended, whether their
    files (screenshots, the page, the platform's payload) are still kept and whether the post is
    under legal hold. The files themselves stay in the legal file: the export says they exist."""
    wanted = [int(pk) for pk in identifiers.get("mention_ids", []) if str(pk).isdecimal()]
    captures = (
        scoped(Capture, organisation)
        .filter(kind=CaptureKind.MENTION, mention_id__in=wanted)
        .order_by("captured_at", "seq")
    )
    held = held_mention_ids(organisation)
    return {
        "captures": [
            {
                "captured_at": capture.captured_at.isoformat(),
                "url": capture.url,
                "status": capture.status,
                "files_kept": capture.purged_at is None,
                "legal_hold": capture.mention_id in held,
            }
            for capture in captures
        ]
    }


def processing_records() -> list[dict[str, str]]:
    """The line of the records of processing (article 30) for the captures kept as evidence."""
    return [
        {
            "what": gettext(
                "Captures de publications conservées comme preuve : capture d'écran, page, "
                "données de la publication (nom et pseudonyme de l'auteur, texte)"
            ),
            "why": gettext(
                "Prouver une publication diffamatoire ou injurieuse en vue d'une action en justice"
            ),
            "basis": gettext(
                "Intérêt légitime : constatation, exercice ou défense de droits en justice (art. 6.1.f et 17.3.e)"
            ),
            "where": gettext(
                "Dossier des preuves de Vigie, sur le serveur de l'organisation, et ses sauvegardes"
            ),
            "kind": "",
            "retention": gettext(
                "Tant que la conservation légale dure ; une fois levée, les fichiers suivent la durée des "
                "mentions (le manifeste signé reste pour la chaîne de preuves)"
            ),
        }
    ]
