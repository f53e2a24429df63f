"""Django admin for operators: cases, replies and reply templates."""

from __future__ import annotations

from django.contrib import admin

from vigie.inbox.models import Case, Reply, Template


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    fields = ("status", "channel", "author", "created_at", "published_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "organisation",
        "status",
        "priority",
        "team",
        "assignee",
        "sla_due_at",
        "created_at",
    )
    list_filter = ("status", "needs_answer", "organisation", "team")
    search_fields = ("mention__text", "mention__external_id", "assignee__email")
    list_select_related = ("organisation", "team", "assignee", "mention")
    raw_id_fields = ("mention", "assignee", "team")
    date_hierarchy = "created_at"
    inlines = (ReplyInline,)


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "case", "status", "channel", "author", "published_at")
    list_filter = ("status", "channel", "organisation")
    search_fields = ("body", "external_id", "author__email")
    list_select_related = ("organisation", "case", "author")
    raw_id_fields = ("case", "author", "template", "approved_by")
    readonly_fields = ("idempotency_key",)


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "category", "language", "platform", "pre_approved", "usage_count")
    list_filter = ("category", "language", "pre_approved", "organisation")
    search_fields = ("name", "body")
    list_select_related = ("organisation",)
