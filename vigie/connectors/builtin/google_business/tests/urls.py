"""The project's URLs plus this connector's pages, until the lead includes them in vigie/urls.py."""

from django.urls import include, path

from vigie.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("sources/google/", include("vigie.connectors.builtin.google_business.urls")),
    *project_urlpatterns,
]
