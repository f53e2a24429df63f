"""Pages of the template library, under /templates/: browse (every member), edit (managers)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.connectors.platforms import PlatformKind, all_platforms, platform_name, platform_of
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import User
from vigie.core.roles import MANAGE, READ
from vigie.inbox.models import Template, TemplateCategory
from vigie.inbox.quality import check_reply
from vigie.inbox.templating.actions import (
    LANGUAGES,
    TemplateFields,
    do_create_template,
    do_delete_template,
    do_load_default_templates,
    do_update_template,
)
from vigie.inbox.templating.queries import LibraryFilters, get_template, library, recent_uses
from vigie.inbox.templating.render import VARIABLES, render_template

# A template's language by its name ("Français"), not its code ("fr").
_LANGUAGE_NAMES = {"fr": gettext_lazy("Français"), "en": gettext_lazy("Anglais")}


def _language_choices() -> list[tuple[str, str]]:
    return [(code, str(_LANGUAGE_NAMES.get(code, code.upper()))) for code in LANGUAGES]


def _platforms() -> list[tuple[str, str]]:
    """Platforms a variant can target: the social networks and review sites Vigie knows (its
    connectors and the table of the others; not feeds, files or webhooks, which carry other
    platforms' items), read when a form is built so a plug-in's platform is there too.

    Each platform once, by its connector's name, as the dashboard names it: "Google Business
    Profile" (whose variants also answer imported Google reviews), "X" (whose variants also answer items imported
    under its older name "twitter"); the connectors say which slugs name the same platform."""
    # People read the platform's name; the slug is only the submitted value.
    return sorted(
        (
            (slug, platform_name(slug))
            for slug, facts in all_platforms().items()
            if facts.kind in (PlatformKind.SOCIAL, PlatformKind.REVIEWS) and not facts.same_as
        ),
        key=lambda choice: choice[1].casefold(),
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class LibraryFilterForm(forms.Form):
    """The library's GET parameters; an unknown value drops that filter."""

    q = forms.CharField(label=gettext_lazy("Rechercher"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=gettext_lazy("Catégorie"),
        required=False,
        choices=_blank(gettext_lazy("Toutes")) + TemplateCategory.choices,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Langue"),
        required=False,
        choices=lambda: _blank(gettext_lazy("Toutes")) + _language_choices(),
    )
    platform = forms.ChoiceField(
        label=gettext_lazy("Plateforme"),
        required=False,
        choices=lambda: _blank(gettext_lazy("Toutes")) + _platforms(),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[
            ("", gettext_lazy("Modèles et blocs")),
            ("templates", gettext_lazy("Modèles")),
            ("snippets", gettext_lazy("Blocs à combiner")),
        ],
    )

    def filters(self) -> LibraryFilters:
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("kind", "")
        return LibraryFilters(
            category=data.get("category", ""),
            language=data.get("language", ""),
            platform=data.get("platform", ""),
            text=(data.get("q") or "").strip(),
            snippets={"templates": False, "snippets": True}.get(kind),
        )


class TemplateForm(forms.Form):
    """What a manager writes for a template or a snippet."""

    name = forms.CharField(label=gettext_lazy("Nom"), max_length=150)
    key = forms.SlugField(
        label=gettext_lazy("Clé des variantes"),
        max_length=80,
        required=False,
        help_text=gettext_lazy(
            "Même clé pour les variantes d'une réponse (langue, plateforme). Vide : tirée du nom."
        ),
    )
    # No category is chosen for the manager: the first one ("Remerciement") went with every new
    # template whose author did not open the menu.
    category = forms.ChoiceField(
        label=gettext_lazy("Catégorie"),
        choices=_blank(gettext_lazy("Choisissez une catégorie…")) + TemplateCategory.choices,
        error_messages={"required": gettext_lazy("Choisissez la catégorie du modèle.")},
        help_text=gettext_lazy("Range le modèle dans la bibliothèque : remerciement, excuses, information…"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Langue"), choices=_language_choices)
    platform = forms.ChoiceField(
        label=gettext_lazy("Plateforme"),
        required=False,
        choices=lambda: _blank(gettext_lazy("Toutes les plateformes")) + _platforms(),
    )
    body = forms.CharField(
        label=gettext_lazy("Texte"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
        help_text=gettext_lazy(
            "Variables : {{customer_name}}, {{location}}, {{signature}}, {{case_reference}}, {{platform}}, "
            "{{agent_name}}, {{organisation}}. Ce que seul l'agent sait s'écrit [[à compléter : date du rappel]] : "
            "il le remplace avant d'envoyer."
        ),
    )
    themes = forms.CharField(
        label=gettext_lazy("Thèmes"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Thèmes pour lesquels proposer ce modèle, séparés par des virgules."),
    )
    is_snippet = forms.BooleanField(label=gettext_lazy("Bloc à combiner avec d'autres"), required=False)
    pre_approved = forms.BooleanField(
        label=gettext_lazy("Pré-approuvé (envoi sans validation)"), required=False
    )

    def fields_value(self) -> TemplateFields:
        data = self.cleaned_data
        return TemplateFields(
            name=data["name"],
            key=data.get("key") or "",
            category=data["category"],
            language=data["language"],
            platform=data.get("platform") or "",
            body=data["body"],
            is_snippet=bool(data.get("is_snippet")),
            pre_approved=bool(data.get("pre_approved")),
            themes=tuple(t.strip() for t in (data.get("themes") or "").split(",") if t.strip()),
        )

    @staticmethod
    def initial_for(template: Template) -> dict[str, Any]:
        return {
            "name": template.name,
            "key": template.key,
            "category": template.category,
            "language": template.language,
            # A variant stored under another name of its platform ("twitter") is shown, and saved,
            # under the name the menu offers ("x"): it answers the same cases.
            "platform": platform_of(template.platform),
            "body": template.body,
            "themes": ", ".join(template.themes or []),
            "is_snippet": template.is_snippet,
            "pre_approved": template.pre_approved,
        }


@member_required(READ)
@require_GET
def template_library(request: HttpRequest) -> HttpResponse:
    """The library: every template and snippet, filtered, with how often each is used."""
    member = current_membership(request)
    form = LibraryFilterForm(request.GET or None)
    filters = form.filters() if request.GET else LibraryFilters()
    rows = list(library(member.organisation, filters))
    return render(
        request,
        "inbox/template_library.html",
        {
            "nav": "templates",
            "form": form,
            "templates": rows,
            "filtered": bool(request.GET),
            "library_empty": not rows and not request.GET,
            "can_edit": member.can(MANAGE),
        },
    )


SAMPLE_CONTEXT = {
    "fr": {
        "customer_name": "Sophie",
        "location": "Agence de Lyon",
        "signature": "Julie, service client",
        "case_reference": "C-000123",
        "agent_name": "Julie",
    },
    "en": {
        "customer_name": "Sam",
        "location": "Leeds branch",
        "signature": "Julie, customer care",
        "case_reference": "C-000123",
        "agent_name": "Julie",
    },
}
# A sample value like the ones above: a template for every platform is previewed (and checked)
# as a reply on this one.
SAMPLE_PLATFORM = "google_business"


@member_required(READ)
@require_GET
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One template: its text, a preview with sample values and what the quality gate says of it."""
    member = current_membership(request)
    template = get_template(member.organisation, pk)
    platform = template.platform or SAMPLE_PLATFORM
    context = {
        **SAMPLE_CONTEXT.get(template.language, SAMPLE_CONTEXT["fr"]),
        "platform": platform,
        "organisation": member.organisation.name,
    }
    preview = render_template(template.body, context)
    findings = check_reply(
        preview.text,
        platform=platform,
        language=template.language,
        organisation=member.organisation,
        membership=member,
        template_body=template.body,
    )
    # Fill-ins are expected in a template: the agent writes them. Everything else is worth fixing.
    findings = [
        f
        for f in findings
        if not (f.code == "placeholder" and preview.text[f.start or 0 : f.end or 0].startswith("[["))
    ]
    return render(
        request,
        "inbox/template_detail.html",
        {
            "nav": "templates",
            "template": template,
            "preview": preview,
            "findings": findings,
            "uses": list(recent_uses(member.organisation, template)),
            "can_edit": member.can(MANAGE),
            "variables": VARIABLES,
        },
    )


def _edit(request: HttpRequest, template: Template | None) -> HttpResponse:
    member = current_membership(request)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                if template is None:
                    saved = do_create_template(member.organisation, form.fields_value(), actor=_user(request))
                    messages.success(request, _("Modèle « %(name)s » ajouté.") % {"name": saved.name})
                else:
                    saved = do_update_template(template, form.fields_value(), actor=_user(request))
                    messages.success(request, _("Modèle « %(name)s » enregistré.") % {"name": saved.name})
                return redirect("template_detail", pk=saved.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
    else:
        form = TemplateForm(initial=TemplateForm.initial_for(template) if template else None)
    return render(
        request,
        "inbox/template_form.html",
        {"nav": "templates", "form": form, "template": template},
        status=400 if request.method == "POST" else 200,
    )


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    """Write a new template or snippet (managers)."""
    return _edit(request, None)


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a template (managers)."""
    return _edit(request, get_template(current_membership(request).organisation, pk))


@member_required(MANAGE)
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a template (managers); replies written from it keep their text."""
    template = get_template(current_membership(request).organisation, pk)
    name = template.name
    do_delete_template(template, actor=_user(request))
    messages.success(request, _("Modèle « %(name)s » supprimé.") % {"name": name})
    return redirect("template_library")


@member_required(MANAGE)
@require_POST
def template_load_defaults(request: HttpRequest) -> HttpResponse:
    """Add Vigie's default French and English library; templates already there are kept."""
    added = do_load_default_templates(current_membership(request).organisation, actor=_user(request))
    messages.success(
        request, _("%(count)d modèle(s) ajouté(s) depuis la bibliothèque de Vigie.") % {"count": added}
    )
    return redirect("template_library")
