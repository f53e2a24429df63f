"""Pages of the analysis app, under /analysis/."""

from django.urls import URLPattern, path

from vigie.analysis import views

urlpatterns: list[URLPattern] = [
    path("settings/", views.analysis_settings, name="analysis_settings"),
    path("settings/themes/", views.theme_save, name="analysis_theme_add"),
    path("settings/themes/<slug:slug>/", views.theme_save, name="analysis_theme_save"),
    path("settings/reanalyze/", views.reanalyze_recent, name="analysis_reanalyze"),
    path("settings/discover/", views.themes_discover, name="analysis_themes_discover"),
    path("settings/candidates/<int:pk>/promote/", views.candidate_promote, name="analysis_candidate_promote"),
]
