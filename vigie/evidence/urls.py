"""Pages of the evidence domain, under /evidence/."""

from django.urls import URLPattern, path

from vigie.evidence import views

urlpatterns: list[URLPattern] = [
    path("", views.evidence_home, name="evidence"),
    path("verify/", views.verify_bundle_page, name="evidence_verify"),
    path("mentions/<int:pk>/capture/", views.capture_now, name="evidence_capture"),
    path("mentions/<int:pk>/bundle.zip", views.download_bundle, name="evidence_bundle"),
    path("holds/<int:pk>/lift/", views.lift_hold, name="evidence_lift_hold"),
]
