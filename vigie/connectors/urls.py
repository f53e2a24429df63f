"""Pages of the connectors domain, under /sources/."""

from django.urls import URLPattern, path

from vigie.connectors import views

urlpatterns: list[URLPattern] = [
    path("", views.source_list, name="sources"),
]
