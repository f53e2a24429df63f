"""Django admin for operators: authors and mentions, for inspection and support."""

from __future__ import annotations

from django.contrib import admin

from vigie.mentions.models import Author, Mention


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "handle", "platform", "organisation", "followers_count")
    list_filter = ("platform", "organisation")
    search_fields = ("display_name", "handle", "external_id")
    list_select_related = ("organisation",)


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "source",
        "organisation",
        "sentiment",
        "mention_type",
        "created_at",
        "deleted_at",
    )
    list_filter = ("kind", "sentiment", "mention_type", "organisation", "source__platform")
    search_fields = ("external_id", "title", "text", "author__display_name", "author__handle")
    list_select_related = ("source", "organisation")
    raw_id_fields = ("source", "author", "parent", "location")
    date_hierarchy = "created_at"
    readonly_fields = ("fetched_at", "updated_at", "raw")
