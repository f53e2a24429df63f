"""Pages of the alerts domain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vigie.core.decorators import member_required


@member_required()
@require_http_methods(["GET"])
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts page. The alert engine is not built yet, so it says so rather than pretend."""
    return render(request, "alerts/alert_list.html", {"nav": "alerts"})
