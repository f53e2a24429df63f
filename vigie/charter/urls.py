"""Pages of the charter, under /charter/."""

from django.urls import URLPattern, path

from vigie.charter import views

urlpatterns: list[URLPattern] = [
    path("", views.charter_page, name="charter"),
    path("print/", views.charter_print, name="charter_print"),
    path("history/", views.charter_history_page, name="charter_history"),
    path("versions/<int:number>/", views.charter_version_page, name="charter_version"),
    path("edit/<slug:section>/", views.charter_edit, name="charter_edit"),
]
