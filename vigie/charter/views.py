"""Pages of the charter: read (everyone), print (training new agents), edit by section (admins),
history of versions with the changes of each."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as PydanticValidationError

from vigie.charter import forms as charter_forms
from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument
from vigie.charter.models import CharterVersion
from vigie.charter.queries import charter_history, current_charter, current_version
from vigie.core.decorators import current_membership, member_required
from vigie.core.roles import ADMINISTER, READ
from vigie.core.tenancy import scoped


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    form: type[Any]
    kind: str  # "form" or "formset"
    initial: Callable[[CharterDocument], Any]
    patch: Callable[[Any], dict[str, Any]]


def _form_patch(form: Any) -> dict[str, Any]:
    return cast(dict[str, Any], form.patch())


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            "general",
            gettext_lazy("Principes, public ou privé, signature"),
            charter_forms.GeneralForm,
            "form",
            charter_forms.GeneralForm.initial_from,
            _form_patch,
        ),
        Section(
            "channels",
            gettext_lazy("Canaux et ton"),
            charter_forms.ChannelFormSet,
            "formset",
            charter_forms.channels_initial,
            charter_forms.channels_patch,
        ),
        Section(
            "responses",
            gettext_lazy("Réponse par type de commentaire"),
            charter_forms.ResponseFormSet,
            "formset",
            charter_forms.responses_initial,
            charter_forms.responses_patch,
        ),
        Section(
            "sla",
            gettext_lazy("Délais et heures ouvrées"),
            charter_forms.SlaForm,
            "form",
            charter_forms.SlaForm.initial_from,
            _form_patch,
        ),
        Section(
            "approval",
            gettext_lazy("Validation par un superviseur"),
            charter_forms.ApprovalForm,
            "form",
            charter_forms.ApprovalForm.initial_from,
            _form_patch,
        ),
        Section(
            "kpi",
            gettext_lazy("Objectifs"),
            charter_forms.KpiForm,
            "form",
            charter_forms.KpiForm.initial_from,
            _form_patch,
        ),
        Section(
            "retention",
            gettext_lazy("Durées de conservation (RGPD)"),
            charter_forms.RetentionForm,
            "form",
            charter_forms.RetentionForm.initial_from,
            _form_patch,
        ),
        Section(
            "playbook",
            gettext_lazy("Plan de crise"),
            charter_forms.PlaybookFormSet,
            "formset",
            charter_forms.playbook_initial,
            charter_forms.playbook_patch,
        ),
    )
}


def _context(document: CharterDocument) -> dict[str, Any]:
    return {
        "document": document,
        "responses": [(charter_forms.TYPE_LABELS.get(r.type, r.type), r) for r in document.responses],
        "days": [
            (label, document.sla.business_hours.days.get(day, []))  # type: ignore[call-overload]
            for day, label in charter_forms.WEEKDAY_LABELS.items()
        ],
        "playbook": [(charter_forms.ROLE_LABELS.get(s.role, s.role), s) for s in document.crisis_playbook],
        "commitments": [
            label
            for topic, label in charter_forms.COMMITMENT_CHOICES
            if topic in document.approval.reply_commitments
        ],
        "sections": SECTIONS.values(),
        "retention": [
            (
                label,
                document.retention.rule(kind).days,
                charter_forms.RETENTION_ACTION_LABELS[
                    "delete" if kind == "audit_events" else document.retention.rule(kind).action
                ],
            )
            for kind, label in charter_forms.RETENTION_LABELS.items()
        ],
    }


@member_required(READ)
@require_GET
def charter_page(request: HttpRequest) -> HttpResponse:
    """The charter in force, readable by every member."""
    member = current_membership(request)
    organisation = member.organisation
    context = _context(current_charter(organisation)) | {
        "nav": "charter",
        "version": current_version(organisation),
        "can_edit": member.can(ADMINISTER),
    }
    return render(request, "charter/charter.html", context)


@member_required(READ)
@require_GET
def charter_print(request: HttpRequest) -> HttpResponse:
    """The charter laid out for paper: what a new agent takes home."""
    organisation = current_membership(request).organisation
    context = _context(current_charter(organisation)) | {
        "version": current_version(organisation),
    }
    return render(request, "charter/print.html", context)


def _pydantic_errors(error: PydanticValidationError) -> list[str]:
    return [
        "{}: {}".format(" › ".join(str(part) for part in item["loc"]) or _("charte"), item["msg"])
        for item in error.errors()
    ]


@member_required(ADMINISTER)
@require_http_methods(["GET", "POST"])
def charter_edit(request: HttpRequest, section: str) -> HttpResponse:
    """Edit one section; saving makes a new version (validated as a whole document)."""
    spec = SECTIONS.get(section)
    if spec is None:
        raise Http404
    member = current_membership(request)
    organisation = member.organisation
    document = current_charter(organisation)
    errors: list[str] = []
    comment_form = charter_forms.CommentForm(request.POST or None)
    if spec.kind == "formset":
        form = spec.form(request.POST or None, initial=spec.initial(document), prefix=section)
    elif getattr(spec.form, "per_organisation", False):
        form = spec.form(request.POST or None, initial=spec.initial(document), organisation=organisation)
    else:
        form = spec.form(request.POST or None, initial=spec.initial(document))
    if request.method == "POST" and form.is_valid() and comment_form.is_valid():
        merged = document.model_dump(mode="json")
        for key, value in spec.patch(form).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merged[key] | value
            else:
                merged[key] = value
        try:
            new_document = CharterDocument.model_validate(merged)
        except PydanticValidationError as error:
            errors = _pydantic_errors(error)
        else:
            if new_document == document:
                messages.info(request, _("Aucun changement : la charte reste à la même version."))
                return redirect("charter")
            version = do_update_charter(
                organisation, new_document, author=member.user, comment=comment_form.cleaned_data["comment"]
            )
            messages.success(
                request, _("Charte enregistrée (version %(number)s).") % {"number": version.number}
            )
            return redirect("charter")
    return render(
        request,
        "charter/edit.html",
        {
            "nav": "charter",
            "section": spec,
            "form": form,
            "comment_form": comment_form,
            "errors": errors,
            "is_formset": spec.kind == "formset",
        },
        status=400 if request.method == "POST" else 200,
    )


@member_required(READ)
@require_GET
def charter_history_page(request: HttpRequest) -> HttpResponse:
    """Every version, newest first, with author and date."""
    organisation = current_membership(request).organisation
    return render(
        request,
        "charter/history.html",
        {"nav": "charter", "versions": list(charter_history(organisation).order_by("-number"))},
    )


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        flat = {}
        for index, item in enumerate(value):
            flat |= _flatten(item, f"{prefix}[{index + 1}]")
        return flat
    return {prefix: ", ".join(map(_shown, value)) if isinstance(value, list) else _shown(value)}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _segment_labels() -> dict[str, str]:
    # The words the charter's page and forms use for each field: a change reads "Délais et heures
    # ouvrées › Première réponse", never "sla.first_response_hours". Resolved per call (language).
    return {
        "public_or_private": _("Public ou privé"),
        "signature": _("Signature des agents"),
        "internal_jargon": _("Jargon interne à éviter en public"),
        "channels": _("Canaux et ton"),
        "platform": _("Plateforme"),
        "engaged": _("Réponse"),
        "why": _("Pourquoi"),
        "tone": _("Ton"),
        "max_length": _("Longueur maximale"),
        "responses": _("Réponse par type de commentaire"),
        "type": _("Type"),
        "answer": _("Répondre"),
        "approach": _("Conduite à tenir"),
        "sla": _("Délais et heures ouvrées"),
        "first_response_hours": _("Première réponse"),
        "resolution_hours": _("Résolution"),
        "warn_before_hours": _("Alerte avant l'échéance"),
        "pause_while_waiting_customer": _("Attente du client"),
        "per_platform_hours": _("Délai par plateforme"),
        "business_hours": _("Heures ouvrées"),
        "days": _("Jours"),
        "holidays_country": _("Jours fériés"),
        "approval": _("Validation par un superviseur"),
        "stars_at_most": _("Note d'avis à partir de laquelle valider"),
        "legal_risk": _("Risque juridique"),
        "capture_legal_risk": _("Capture comme preuve"),
        "template_edit_threshold": _("Modèles pré-approuvés"),
        "reply_commitments": _("Engagements qu'un agent ne prend pas sans validation"),
        "shortest_deadline_hours": _("Délai le plus court qu'un agent peut promettre seul (heures)"),
        "kpi_targets": _("Objectifs"),
        "average_rating": _("Note moyenne"),
        "response_rate": _("Taux de réponse"),
        "sla_compliance": _("Respect des délais"),
        "crisis_playbook": _("Plan de crise"),
        "title": _("Titre"),
        "detail": _("Détail"),
        "role": _("Rôle"),
        "retention": _("Durées de conservation (RGPD)"),
        "mentions": _("Mentions"),
        "mentions_per_source": _("Mentions, par source"),
        "authors": _("Auteurs"),
        "private_messages": _("Messages privés"),
        "attachments": _("Pièces jointes"),
        "audit_events": _("Journal d'audit"),
        "action": _("Action"),
        "outreach": _("Demandes d'avis"),
        "review_sites": _("Sites d'avis"),
        "location": _("Lieu"),
        "place_id": _("Identifiant Google du lieu"),
        "domain": _("Domaine Trustpilot"),
        "url": _("Adresse de la page d'avis"),
        "purpose": _("Objet"),
        "weekdays": _("Jours"),
        "mon": _("lundi"),
        "tue": _("mardi"),
        "wed": _("mercredi"),
        "thu": _("jeudi"),
        "fri": _("vendredi"),
        "sat": _("samedi"),
        "sun": _("dimanche"),
    }


_INDEXED = re.compile(r"^(?P<name>[^\[]+)\[(?P<index>\d+)\]$")


def path_label(path: str) -> str:
    """A charter field's path in words: "outreach.review_sites[1].place_id" reads "Demandes d'avis ›
    Sites d'avis 1 › Identifiant Google du lieu"; a segment no table names is shown as it is."""
    labels = _segment_labels()
    words = []
    for segment in path.split("."):
        indexed = _INDEXED.match(segment)
        name, index = (indexed["name"], indexed["index"]) if indexed else (segment, "")
        word = labels.get(name, name.replace("_", " "))
        words.append(f"{word} {index}" if index else str(word))
    return " › ".join(words)


@dataclass(frozen=True)
class Change:
    path: str
    before: str | None
    after: str | None

    @property
    def label(self) -> str:
        return path_label(self.path)


def charter_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change]:
    """What changed between two documents, field by field (defaults filled in on both sides)."""
    old = _flatten(CharterDocument.model_validate(before or {}).model_dump(mode="json"))
    new = _flatten(CharterDocument.model_validate(after).model_dump(mode="json"))
    return [
        Change(path, old.get(path), new.get(path))
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    ]


@member_required(READ)
@require_GET
def charter_version_page(request: HttpRequest, number: int) -> HttpResponse:
    """One past version as it read then, and what it changed from the one before."""
    organisation = current_membership(request).organisation
    version = scoped(CharterVersion, organisation).filter(number=number).select_related("author").first()
    if version is None:
        raise Http404
    previous = scoped(CharterVersion, organisation).filter(number__lt=number).order_by("-number").first()
    document = CharterDocument.model_validate(version.document)
    context = _context(document) | {
        "nav": "charter",
        "version": version,
        "previous": previous,
        "changes": charter_diff(previous.document if previous else None, version.document),
    }
    return render(request, "charter/version.html", context)
