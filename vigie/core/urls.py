"""Pages of the web shell: sign-in, password reset, organisation switch, settings."""

from django.urls import URLPattern, path

from vigie.core import health, metrics, views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/profile/", views.settings_profile, name="settings_profile"),
    path("settings/password/", views.settings_password, name="settings_password"),
    path("settings/members/invite/", views.settings_invite, name="settings_invite"),
    path("settings/members/<int:pk>/role/", views.settings_member_role, name="settings_member_role"),
    path("settings/members/<int:pk>/active/", views.settings_member_active, name="settings_member_active"),
    path("settings/members/<int:pk>/resend/", views.settings_member_resend, name="settings_member_resend"),
    path("settings/teams/", views.settings_team_create, name="settings_team_create"),
    path("settings/teams/<int:pk>/members/", views.settings_team_member_add, name="settings_team_member_add"),
    path(
        "settings/teams/<int:pk>/members/<int:member>/remove/",
        views.settings_team_member_remove,
        name="settings_team_member_remove",
    ),
    path("settings/locations/", views.settings_location_create, name="settings_location_create"),
    path(
        "settings/location-groups/",
        views.settings_location_group_create,
        name="settings_location_group_create",
    ),
    path(
        "settings/location-groups/<int:pk>/",
        views.settings_location_group_update,
        name="settings_location_group_update",
    ),
    path(
        "settings/location-groups/<int:pk>/delete/",
        views.settings_location_group_delete,
        name="settings_location_group_delete",
    ),
    path("settings/tokens/", views.settings_token_create, name="settings_token_create"),
    path("settings/tokens/<int:pk>/revoke/", views.settings_token_revoke, name="settings_token_revoke"),
]
