"""Pages of the comment-handling scheme, under /routing/."""

from django.urls import URLPattern, path

from vigie.inbox.routing import views

urlpatterns: list[URLPattern] = [
    path("", views.routing_page, name="routing"),
    path("rules/new/", views.rule_create, name="routing_rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="routing_rule_edit"),
    path("rules/<int:pk>/move/", views.rule_move, name="routing_rule_move"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="routing_rule_toggle"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="routing_rule_delete"),
    path("default/", views.routing_seed, name="routing_seed"),
    path("dry-run/", views.routing_dry_run, name="routing_dry_run"),
    path("availability/", views.availability_page, name="routing_availability"),
]
