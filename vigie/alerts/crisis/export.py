"""The crisis timeline as a spreadsheet (CSV): what a crisis cell hands to management, the legal
team or an insurer. Headers, kinds and alert titles in the organisation's language, times in the organisation's time zone, every cell
neutralised (a customer's text never runs as a formula in a spreadsheet)."""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from vigie.alerts.models import Crisis
from vigie.alerts.queries import TimelineItem, crisis_timeline
from vigie.core.safe_text import neutralise_cell

TIMELINE_KINDS = (
    "opened",
    "alert",
    "mention",
    "drafted",
    "approved",
    "statement",
    "partial",
    "posted",
    "sending",
    "send_failed",
    "by_hand",
    "reply",
    "playbook",
    "manual",
    "closed",
)


def kind_label(kind: str, holding: bool = False) -> str:
    """The name of a timeline item's kind, for people (``holding``: a holding statement's)."""
    if holding:
        return {
            "drafted": _("déclaration d'attente rédigée"),
            "approved": _("déclaration d'attente approuvée"),
            "statement": _("déclaration d'attente publiée"),
            "partial": _("déclaration d'attente partiellement publiée"),
            "posted": _("déclaration d'attente mise en ligne"),
            "sending": _("envoi de la déclaration d'attente en cours"),
            "send_failed": _("échec de publication de la déclaration d'attente"),
            "by_hand": _("déclaration d'attente à publier à la main"),
        }.get(kind) or kind_label(kind)
    return {
        "opened": _("ouverture de la crise"),
        "alert": _("alerte"),
        "mention": _("mention clé"),
        "drafted": _("déclaration rédigée"),
        "approved": _("déclaration approuvée"),
        "statement": _("déclaration publiée"),
        "partial": _("déclaration partiellement publiée"),
        "posted": _("déclaration mise en ligne"),
        "sending": _("envoi de la déclaration en cours"),
        "send_failed": _("échec de publication de la déclaration"),
        "by_hand": _("déclaration à publier à la main"),
        "reply": _("réponse publiée"),
        "playbook": _("étape du plan"),
        "closed": _("clôture de la crise"),
    }.get(kind, _("note"))


def item_label(item: TimelineItem) -> str:
    return kind_label(item.kind, item.holding)


def timeline_csv(crisis: Crisis, *, absolute: Callable[[str], str] = lambda url: url) -> str:
    """The timeline, oldest first, as CSV text (with a BOM so spreadsheets read it as UTF-8).
    ``absolute`` turns Vigie's own links (``/alerts/…``) into full addresses."""
    organisation = crisis.organisation
    zone = zoneinfo.ZoneInfo(organisation.timezone)
    language = organisation.language or "fr"
    items: list[TimelineItem] = sorted(
        crisis_timeline(crisis, language=language), key=lambda item: (item.at, item.rank)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override(language):
        writer.writerow(
            [
                _("Date"),
                _("Heure (%(zone)s)") % {"zone": organisation.timezone},
                _("Type"),
                _("Qui"),
                _("Texte"),
                _("Lien"),
            ]
        )
        for item in items:
            local = item.at.astimezone(zone)
            url = absolute(item.url) if item.url.startswith("/") else item.url
            writer.writerow(
                [
                    neutralise_cell(cell)
                    for cell in (
                        local.strftime("%d/%m/%Y"),
                        local.strftime("%H:%M"),
                        item_label(item),
                        item.who,
                        item.text,
                        url,
                    )
                ]
            )
    return "\ufeff" + out.getvalue()
