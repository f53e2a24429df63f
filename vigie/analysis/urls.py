"""Pages of the analysis app, under /analysis/."""

from django.urls import URLPattern, path

from vigie.analysis import views

urlpatterns: list[URLPattern] = [
    path("settings/", views.analysis_settings, name="analysis_settings"),
]
