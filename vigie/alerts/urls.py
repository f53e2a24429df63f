"""Pages of the alerts domain, under /alerts/."""

from django.urls import URLPattern, path

from vigie.alerts import views

urlpatterns: list[URLPattern] = [
    path("", views.alert_list, name="alerts"),
]
