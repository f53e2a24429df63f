"""Django admin for operators: organisations, people, memberships, and read-only security records.

The admin is an operator's tool, outside the organisations' own interface; API token digests and
the audit log are shown but can never be added, changed or deleted from here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vigie.core.models import ApiToken, AuditEvent, Location, Membership, Organisation, Team, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows; never adds, changes nor deletes them."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "timezone", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("language",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (MembershipInline,)


class VigieUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class VigieUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, keyed on the e-mail address (Vigie has no usernames)."""

    form = VigieUserChangeForm
    add_form = VigieUserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "language", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "language")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Droits d'opérateur"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[type[InlineModelAdmin]]:
        # Memberships are added once the account exists, as Django's user admin does for groups.
        return [MembershipInline] if obj is not None else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "organisation")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("user", "organisation")
    filter_horizontal = ("teams",)
    readonly_fields = ("created_at",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "city", "postcode", "organisation")
    list_filter = ("kind", "organisation")
    search_fields = ("name", "city", "postcode", "address")
    list_select_related = ("organisation",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created and revoked by their owners; the operator only sees who has which."""

    list_display = ("name", "prefix", "membership", "created_at", "last_used_at", "revoked_at")
    list_filter = ("membership__organisation",)
    search_fields = ("name", "prefix", "membership__user__email")
    list_select_related = ("membership__user", "membership__organisation")
    # The digest is shown for completeness; it cannot be turned back into the secret.
    fields = ("name", "prefix", "digest", "membership", "created_at", "last_used_at", "revoked_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The append-only log: nothing here may alter it, or the hash chain would break."""

    list_display = ("organisation", "seq", "created_at", "actor_label", "verb", "object_type", "object_id")
    list_filter = ("organisation", "verb")
    search_fields = ("actor_label", "verb", "object_type", "object_id")
    list_select_related = ("organisation",)
    date_hierarchy = "created_at"
    ordering = ("organisation", "-seq")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # No bulk action either: "delete selected" would otherwise be offered.
        return {}
