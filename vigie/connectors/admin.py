"""Django admin for operators: sources (connector instances) and their health."""

from __future__ import annotations

from django.contrib import admin

from vigie.connectors.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "platform",
        "organisation",
        "location",
        "state",
        "last_success_at",
        "last_error_at",
    )
    list_filter = ("state", "platform", "organisation")
    search_fields = ("name", "platform", "account_handle", "organisation__name")
    list_select_related = ("organisation", "location")
    autocomplete_fields = ("organisation", "location")
    # Credentials are encrypted: editing the ciphertext by hand could only break them.
    readonly_fields = (
        "credentials_encrypted",
        "last_success_at",
        "last_error_at",
        "last_error",
        "items_fetched",
        "created_at",
    )
