"""Page of the analysis settings (managers): what the analyzers must know of the organisation."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from vigie.analysis.actions import (
    REANALYSIS_DAYS,
    do_promote_theme_candidate,
    do_request_reanalysis,
    do_save_theme,
    do_update_analysis_settings,
)
from vigie.analysis.forms import AnalysisSettingsForm, ThemeForm
from vigie.analysis.models import AnalysisSettings, Theme, ThemeCandidate
from vigie.analysis.queries import free_theme_slug, taxonomy_for_settings, theme_candidates
from vigie.analysis.tasks import DISCOVER_THEMES
from vigie.core.decorators import current_membership, member_required
from vigie.core.jobs import enqueue
from vigie.core.models import User
from vigie.core.roles import MANAGE
from vigie.core.tenancy import get_in_org, scoped


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def analysis_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's order and customer number patterns and the names it goes by."""
    if request.method == "GET":
        return _page(request)
    form = AnalysisSettingsForm(request.POST)
    if form.is_valid():
        do_update_analysis_settings(
            current_membership(request).organisation, actor=cast(User, request.user), **form.cleaned_data
        )
        messages.success(
            request,
            _(
                "Réglages de l'analyse enregistrés. Ils s'appliquent aux mentions analysées à partir de maintenant."
            ),
        )
        return redirect("analysis_settings")
    return _page(request, form=form, status=400)


def _page(
    request: HttpRequest,
    *,
    form: AnalysisSettingsForm | None = None,
    theme_form: ThemeForm | None = None,
    failed_slug: str = "",
    status: int = 200,
) -> HttpResponse:
    organisation = current_membership(request).organisation
    if form is None:
        current = scoped(AnalysisSettings, organisation).first()
        form = AnalysisSettingsForm(
            initial={
                "order_patterns": "\n".join(current.order_patterns) if current else "",
                "customer_patterns": "\n".join(current.customer_patterns) if current else "",
                "organisation_terms": "\n".join(current.organisation_terms) if current else "",
            }
        )
    themes = taxonomy_for_settings(organisation)
    for theme in themes:
        theme["keywords_text"] = ", ".join(theme["keywords"])
    return render(
        request,
        "analysis/settings.html",
        {
            "nav": "settings",
            "form": form,
            "organisation_name": organisation.name,
            "themes": themes,
            "uses_default_taxonomy": not scoped(Theme, organisation).exists(),
            "theme_form": theme_form if theme_form is not None and not failed_slug else ThemeForm(),
            "failed_theme_form": theme_form if failed_slug else None,
            "failed_slug": failed_slug,
            "candidates": list(theme_candidates(organisation)[:20]),
        },
        status=status,
    )


@member_required(MANAGE)
@require_http_methods(["POST"])
def theme_save(request: HttpRequest, slug: str = "") -> HttpResponse:
    """Add a theme (no slug) or change one: label, keywords, active."""
    organisation = current_membership(request).organisation
    if slug and slug not in {theme["slug"] for theme in taxonomy_for_settings(organisation)}:
        raise Http404
    form = ThemeForm(request.POST)
    if not form.is_valid():
        return _page(request, theme_form=form, failed_slug=slug, status=400)
    theme = do_save_theme(
        organisation, actor=cast(User, request.user), slug=slug or None, **form.cleaned_data
    )
    messages.success(
        request,
        _("Thème « %(label)s » enregistré. Il s'applique aux mentions analysées à partir de maintenant.")
        % {"label": theme.label},
    )
    return redirect(reverse("analysis_settings") + "#themes")


@member_required(MANAGE)
@require_http_methods(["POST"])
def candidate_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a discovered cluster into a theme; its mentions are tagged at once."""
    organisation = current_membership(request).organisation
    candidate = get_in_org(ThemeCandidate, organisation, pk=pk)
    label = " ".join(str(request.POST.get("label", "")).split())[:120] or ", ".join(candidate.terms[:3])
    try:
        theme = do_promote_theme_candidate(
            candidate, slug=free_theme_slug(organisation, label), label=label, actor=cast(User, request.user)
        )
    except ValueError:
        messages.error(request, _("Ce groupe de mentions est déjà un thème."))
        return redirect(reverse("analysis_settings") + "#nouveaux-themes")
    messages.success(
        request, _("Thème « %(label)s » ajouté ; ses mentions sont classées.") % {"label": theme.label}
    )
    return redirect(reverse("analysis_settings") + "#themes")


@member_required(MANAGE)
@require_http_methods(["POST"])
def themes_discover(request: HttpRequest) -> HttpResponse:
    """Start the search for recurring subjects outside the themes (a job: it takes a while)."""
    organisation = current_membership(request).organisation
    enqueue(
        DISCOVER_THEMES,
        {"organisation_id": organisation.pk},
        dedupe_key=f"{DISCOVER_THEMES}:{organisation.pk}",
    )
    messages.success(
        request, _("Recherche lancée : les sujets trouvés apparaîtront ici dans quelques minutes.")
    )
    return redirect(reverse("analysis_settings") + "#nouveaux-themes")


@member_required(MANAGE)
@require_http_methods(["POST"])
def reanalyze_recent(request: HttpRequest) -> HttpResponse:
    """Analyse the last 90 days again with the current themes and patterns (jobs, in chunks)."""
    count = do_request_reanalysis(current_membership(request).organisation, actor=cast(User, request.user))
    messages.success(
        request,
        ngettext(
            "Réanalyse lancée : %(count)d mention des %(days)d derniers jours. Thèmes, sentiments et "
            "données personnelles se mettent à jour dans les minutes qui viennent.",
            "Réanalyse lancée : %(count)d mentions des %(days)d derniers jours, par lots. Thèmes, "
            "sentiments et données personnelles se mettent à jour dans les minutes qui viennent.",
            count,
        )
        % {"count": count, "days": REANALYSIS_DAYS},
    )
    return redirect(reverse("analysis_settings") + "#themes")
