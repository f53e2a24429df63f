"""Pages of the Google Business Profile connector, included under /sources/google/."""

from django.urls import URLPattern, path

from vigie.connectors.builtin.google_business import views

urlpatterns: list[URLPattern] = [
    path("<int:source_id>/connect/", views.connect, name="google_business_connect"),
    path("callback/", views.callback, name="google_business_callback"),
]
