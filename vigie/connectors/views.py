"""Pages of the connectors domain: the organisation's sources and their health."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vigie.connectors.queries import sources_overview
from vigie.core.decorators import member_required
from vigie.core.roles import MANAGE


@member_required(MANAGE)
@require_http_methods(["GET"])
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source of the organisation with its state, last success, last error and volume."""
    organisation = request.membership.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "connectors/source_list.html",
        {"nav": "sources", "sources": sources_overview(organisation)},
    )
