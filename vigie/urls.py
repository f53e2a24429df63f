"""URL map: pages, the REST API under /api/v1/, and the operators' admin."""

from django.contrib import admin
from django.urls import include, path

from vigie.api.main import api
from vigie.core.views import admin_login

# The admin signs in through Vigie's own page, with its throttling of repeated guesses.
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("inbox/", include("vigie.inbox.outbox.urls")),
    path("inbox/", include("vigie.inbox.urls")),
    path("routing/", include("vigie.inbox.routing.urls")),
    path("charter/", include("vigie.charter.urls")),
    path("analysis/", include("vigie.analysis.urls")),
    path("dashboard/", include("vigie.insights.urls")),
    path("alerts/", include("vigie.alerts.urls")),
    path("evidence/", include("vigie.evidence.urls")),
    path("sources/", include("vigie.connectors.urls")),
    path("templates/", include("vigie.inbox.templating.urls")),
    path("privacy/", include("vigie.privacy.urls")),
    path("outreach/", include("vigie.outreach.urls")),
    # The customers' pages of outreach (survey, review link, opt-out): public, no login.
    path("o/", include("vigie.outreach.public_urls")),
    path("", include("vigie.core.urls")),
]
