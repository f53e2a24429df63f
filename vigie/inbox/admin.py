"""Django admin for operators: cases, replies and reply templates."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

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


# --- Publishing outbox and private channel: read-only, states move only through the actions ---

from vigie.inbox.models import PrivateMessage, Publication  # noqa: E402


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(_ReadOnlyAdmin):
    list_display = ("__str__", "organisation", "platform", "state", "attempts", "updated_at")
    list_filter = ("state", "platform", "organisation")
    search_fields = ("last_error", "reply__external_id")
    list_select_related = ("organisation",)


@admin.register(PrivateMessage)
class PrivateMessageAdmin(_ReadOnlyAdmin):
    list_display = ("message_id", "organisation", "direction", "state", "created_at")
    list_filter = ("direction", "state", "organisation")
    search_fields = ("message_id",)
    list_select_related = ("organisation",)
