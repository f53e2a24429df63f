"""Meta's webhook callback (``FacebookConnector.urls``), included under /sources/ with the other
connectors' pages. It serves Facebook and Instagram sources alike: one module, declared once."""

from django.urls import URLPattern, path

from vigie.connectors.builtin.facebook import views

urlpatterns: list[URLPattern] = [
    path("meta/<int:source_id>/webhook/", views.meta_webhook, name="meta_webhook"),
]
