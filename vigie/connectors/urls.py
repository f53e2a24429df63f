"""Pages of the connectors domain, under /sources/, then the pages each connector declares for
itself (``Connector.urls``, e.g. Google's "connect account" flow under /sources/google/)."""

from django.urls import URLPattern, URLResolver, include, path

from vigie.connectors import views
from vigie.connectors.registry import url_modules

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.source_list, name="sources"),
    path("new/<slug:platform>/", views.source_add, name="source_add"),
    path("<int:source_id>/edit/", views.source_edit, name="source_edit"),
    path("<int:source_id>/test/", views.source_test, name="source_test"),
    path("<int:source_id>/sync/", views.source_sync, name="source_sync"),
    path("<int:source_id>/pause/", views.source_pause, name="source_pause"),
    path("<int:source_id>/resume/", views.source_resume, name="source_resume"),
    path("<int:source_id>/remove/", views.source_remove, name="source_remove"),
    path("<int:source_id>/webhook/", views.webhook_receive, name="source_webhook"),
    *(path("", include(module)) for module in url_modules()),
]
