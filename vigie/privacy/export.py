"""The readable form of a subject's export: one self-contained HTML page (no external asset).

The JSON export (``vigie.privacy.export/1``) is an interface and keeps the database's names and
values. This page is the same document for the person it is about, so nothing of the database
shows: sections and fields by their titles, dates in the organisation's time zone as people write
them, choices by their label, platforms by their name, a case by the reference the agents use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from vigie.connectors.platforms import platform_label
from vigie.core.dates import long_date
from vigie.core.models import Organisation
from vigie.inbox.models import Case
from vigie.privacy.holders import hooks

EMPTY = "—"


def _described_sections() -> dict[str, tuple[str, type[models.Model] | None]]:
    """Each holder app's sections, keyed ``app.section``: their titles (resolved per call, in the
    language of the page being written) and the models their rows come from (``holders.py``)."""
    return {
        f"{app}.{name}": described
        for app, describe in hooks("queries", "personal_data_sections")
        for name, described in describe().items()
    }


def _field_labels() -> dict[str, str]:
    # The fields of the holder apps' rows whose model declares no verbose name (all of them, today).
    return {
        "email": _("Adresse e-mail"),
        "phone": _("Téléphone"),
        "name": _("Nom"),
        "legal_basis": _("Base légale"),
        "legal_basis_note": _("Précision sur la base légale"),
        "legal_basis_at": _("Date d'enregistrement de la base légale"),
        "opted_out_at": _("Date de désinscription"),
        "bounced_at": _("Date de rejet de l'adresse e-mail"),
        "complained_at": _("Date de signalement comme indésirable"),
        "created_at": _("Date d'enregistrement"),
        "channel": _("Canal"),
        "platform": _("Plateforme"),
        "state": _("État"),
        "sent_at": _("Date d'envoi"),
        "reminder_sent_at": _("Date de relance"),
        "clicked_at": _("Date d'ouverture du lien"),
        "survey_opened_at": _("Date d'ouverture de l'enquête"),
        "answered_at": _("Date de réponse"),
        "language": _("Langue"),
        "csat": _("Satisfaction (sur 5)"),
        "nps": _("Recommandation (sur 10)"),
        "comment": _("Commentaire"),
        "origin": _("Origine"),
        "said_at": _("Date"),
        "text": _("Texte"),
        "author_name": _("Nom affiché"),
        "public": _("Déjà public"),
        "consent_at": _("Date du consentement"),
        "captured_at": _("Date de la capture"),
        "url": _("Adresse de la page"),
        "status": _("Résultat"),
        "files_kept": _("Fichiers conservés"),
        "legal_hold": _("Sous conservation légale"),
    }


def _humanised(name: str) -> str:
    """A name no table knows yet ("survey_score" -> "Survey score"): words at least, never a key."""
    return name.replace("_", " ").strip().capitalize()


def section_title(key: str) -> str:
    """The title of a holder app's section, keyed ``app.section`` (as ``Findings.counts`` are)."""
    described = _described_sections().get(key)
    return described[0] if described else _humanised(key.rpartition(".")[2])


def _model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:  # a key of the row that is no column of the model
        return None
    return found if isinstance(found, models.Field) else None


def _field_label(name: str, field: models.Field[Any, Any] | None) -> str:
    # Django makes "opted out at" of a field that declares no verbose name: not a label to show.
    if field is not None and str(field.verbose_name) != name.replace("_", " "):
        return capfirst(str(field.verbose_name))
    return _field_labels().get(name) or _humanised(name)


def _is_moment(key: str) -> bool:
    return key.endswith("_at") or key == "at"


def _moment(value: str) -> str:
    """An ISO date of the export, in the active (the organisation's) zone, as people write it:
    "6 décembre 2026 à 14:05". A text that is no date is shown as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= len("2026-12-06"):
        return long_date(moment.date())
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    # "14:05" in both languages: English's "2:05 p.m." would end a sentence with a double stop.
    return _("%(day)s à %(time)s") % {
        "day": long_date(moment.date()),
        "time": formats.time_format(moment, "H:i"),
    }


def _value(name: str, value: Any, field: models.Field[Any, Any] | None) -> str:
    """One value of a holder app's row, for people: never ``None``, ``True`` or a stored code."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(_value(name, each, field) for each in value)
    if name == "platform":
        return platform_label(str(value))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and _is_moment(name):
        return _moment(value)
    if isinstance(value, int | float):
        return str(formats.localize(value))
    return str(value)


def _holder_sections(elsewhere: dict[str, dict[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """The holder apps' sections as titles and rows of (label, value) pairs, in their order."""
    sections = []
    described = _described_sections()
    for app, named in elsewhere.items():
        for name, rows in named.items():
            model = described.get(f"{app}.{name}", ("", None))[1]
            lines = []
            for row in rows:
                fields = {key: _model_field(model, key) for key in row}
                lines.append(
                    [
                        (_field_label(key, fields[key]), _value(key, value, fields[key]))
                        for key, value in row.items()
                    ]
                )
            sections.append({"title": section_title(f"{app}.{name}"), "rows": lines})
    return sections


def _readable(value: Any, key: str = "") -> Any:
    """The export's own sections with their dates written the way people read them and each case
    with its reference (the template lays out the rest)."""
    if isinstance(value, dict):
        readable = {k: _readable(v, k) for k, v in value.items()}
        if key == "cases" and isinstance(value.get("id"), int):
            # The case's own reference (C-003065): the number the agents and the e-mails quote.
            readable["reference"] = Case(pk=value["id"]).reference
        return readable
    if isinstance(value, list):
        return [_readable(v, key) for v in value]
    if isinstance(value, str) and _is_moment(key):
        return _moment(value)
    return value


def render_html(document: dict[str, Any], organisation: Organisation) -> str:
    """The export ``document`` (``queries.export_subject``) as an HTML page to hand to the person,
    in ``organisation``'s language and time zone: the page speaks to its customer, whatever the
    language of the DPO's interface (or of the command line) that produced it."""
    with translation.override(organisation.language), timezone.override(ZoneInfo(organisation.timezone)):
        context = {
            "export": _readable({k: v for k, v in document.items() if k != "elsewhere"}),
            "sections": _holder_sections(document.get("elsewhere") or {}),
            "language": organisation.language,
        }
        return render_to_string("privacy/export.html", context)
