"""Pages of the DPO, under /privacy/."""

from django.urls import URLPattern, path

from vigie.privacy import views

urlpatterns: list[URLPattern] = [
    path("", views.privacy_page, name="privacy"),
    path("export/", views.privacy_export, name="privacy_export"),
    path("erase/", views.privacy_erase, name="privacy_erase"),
    path("rectify/", views.privacy_rectify, name="privacy_rectify"),
    path("records/", views.privacy_records, name="privacy_records"),
    path("requests/", views.privacy_request_new, name="privacy_request_new"),
    path("requests/<int:pk>/", views.privacy_request_close, name="privacy_request_close"),
    path("deferred/<int:pk>/", views.privacy_deferred_run, name="privacy_deferred_run"),
]
