"""Django admin for operators: alerts, deliveries and crises, read-mostly.

Channels are listed without their encrypted URL and secret, which are managed on the alert
settings page only.
"""

from __future__ import annotations

from django.contrib import admin

from vigie.alerts.models import Alert, Crisis, Delivery, NotificationChannel


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "organisation",
        "rule",
        "severity",
        "status",
        "opened_at",
        "last_seen_at",
        "detections",
    )
    list_filter = ("status", "severity", "rule", "organisation")
    search_fields = ("title", "key")
    list_select_related = ("organisation",)
    raw_id_fields = ("mention", "acknowledged_by")
    date_hierarchy = "opened_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event",
        "organisation",
        "channel",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "event", "organisation")
    readonly_fields = ("dedupe_key", "notice", "error", "attempts", "sent_at")
    raw_id_fields = ("alert", "channel", "recipient")


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "kind", "url_hint", "minimum_severity", "enabled")
    list_filter = ("kind", "enabled", "organisation")
    exclude = ("secrets_encrypted",)
    readonly_fields = ("url_hint", "kind")


@admin.register(Crisis)
class CrisisAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "severity", "status", "started_at", "closed_at")
    list_filter = ("status", "severity", "organisation")
    search_fields = ("title",)
    raw_id_fields = ("alert", "opened_by", "closed_by")
