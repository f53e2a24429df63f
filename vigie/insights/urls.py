"""Pages of the insights, under /dashboard/."""

from django.urls import URLPattern, path

from vigie.insights import views

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
]
