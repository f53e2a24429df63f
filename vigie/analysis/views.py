"""Page of the analysis settings (managers): what the analyzers must know of the organisation."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigie.analysis.actions import do_update_analysis_settings
from vigie.analysis.forms import AnalysisSettingsForm
from vigie.analysis.models import AnalysisSettings
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import User
from vigie.core.roles import MANAGE
from vigie.core.tenancy import scoped


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def analysis_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's order and customer number patterns and the names it goes by."""
    organisation = current_membership(request).organisation
    current = scoped(AnalysisSettings, organisation).first()
    form = AnalysisSettingsForm(
        request.POST or None,
        initial={
            "order_patterns": "\n".join(current.order_patterns) if current else "",
            "customer_patterns": "\n".join(current.customer_patterns) if current else "",
            "organisation_terms": "\n".join(current.organisation_terms) if current else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        do_update_analysis_settings(organisation, actor=cast(User, request.user), **form.cleaned_data)
        messages.success(
            request,
            _(
                "Réglages de l'analyse enregistrés. Ils s'appliquent aux mentions analysées à partir de maintenant."
            ),
        )
        return redirect("analysis_settings")
    return render(
        request,
        "analysis/settings.html",
        {"nav": "settings", "form": form, "organisation_name": organisation.name},
        status=400 if request.method == "POST" else 200,
    )
