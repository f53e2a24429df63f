"""Pages of the Google Business Profile connector (``GoogleBusinessConnector.urls``), included
under /sources/ with the other connectors' pages."""

from django.urls import URLPattern, path

from vigie.connectors.builtin.google_business import views

urlpatterns: list[URLPattern] = [
    path("google/<int:source_id>/connect/", views.connect, name="google_business_connect"),
    path("google/callback/", views.callback, name="google_business_callback"),
]
