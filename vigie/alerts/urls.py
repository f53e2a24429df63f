"""Pages of the alerts domain, under /alerts/: alerts, settings and notifications (``views``), crisis
rooms and corrective actions (``crisis.views``)."""

from django.urls import URLPattern, path

from vigie.alerts import views
from vigie.alerts.crisis import views as crisis_views

urlpatterns: list[URLPattern] = [
    path("", views.alert_list, name="alerts"),
    path("<int:pk>/", views.alert_detail, name="alert_detail"),
    path("<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("<int:pk>/snooze/", views.alert_snooze, name="alert_snooze"),
    path("<int:pk>/escalate/", views.alert_escalate, name="alert_escalate"),
    path("<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("settings/", views.alert_settings, name="alert_settings"),
    path("settings/series/", views.series_tune, name="alert_series_tune"),
    path("settings/channels/", views.channel_add, name="alert_channel_add"),
    path("settings/channels/<int:pk>/delete/", views.channel_delete, name="alert_channel_delete"),
    path("preferences/", views.preferences, name="alert_preferences"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("crises/", crisis_views.crisis_list, name="crises"),
    path("crises/new/", crisis_views.crisis_new, name="crisis_new"),
    path("crises/<int:pk>/", crisis_views.crisis_detail, name="crisis_detail"),
    path("crises/<int:pk>/live/", crisis_views.crisis_live, name="crisis_live"),
    path("crises/<int:pk>/timeline/", crisis_views.crisis_timeline_add, name="crisis_timeline_add"),
    path(
        "crises/<int:pk>/playbook/<int:item>/", crisis_views.crisis_playbook_tick, name="crisis_playbook_tick"
    ),
    path("crises/<int:pk>/cell/", crisis_views.crisis_role, name="crisis_role"),
    path("crises/<int:pk>/start/", crisis_views.crisis_start, name="crisis_start"),
    path("crises/<int:pk>/statements/", crisis_views.crisis_statement_add, name="crisis_statement_add"),
    path(
        "crises/<int:pk>/statements/<int:statement_id>/approve/",
        crisis_views.statement_approve,
        name="statement_approve",
    ),
    path(
        "crises/<int:pk>/statements/<int:statement_id>/publish/",
        crisis_views.statement_publish,
        name="statement_publish",
    ),
    path("crises/<int:pk>/statements/holding/", crisis_views.statement_holding, name="statement_holding"),
    path(
        "crises/<int:pk>/statements/<int:statement_id>/edit/",
        crisis_views.statement_edit,
        name="statement_edit",
    ),
    path(
        "crises/<int:pk>/publications/<int:publication_id>/retry/",
        crisis_views.statement_publication_retry,
        name="statement_publication_retry",
    ),
    path(
        "crises/<int:pk>/statements/<int:statement_id>/retry-failed/",
        crisis_views.statement_publications_retry_failed,
        name="statement_publications_retry_failed",
    ),
    path(
        "crises/<int:pk>/publications/<int:publication_id>/posted/",
        crisis_views.statement_publication_posted,
        name="statement_publication_posted",
    ),
    path("crises/<int:pk>/timeline.csv", crisis_views.crisis_timeline_export, name="crisis_timeline_export"),
    path("crises/<int:pk>/close/", crisis_views.crisis_close, name="crisis_close"),
    path("crises/<int:pk>/post-mortem.<str:fmt>", crisis_views.crisis_report, name="crisis_report"),
    path("actions/", crisis_views.corrective_action_list, name="corrective_actions"),
    path("actions/<int:pk>/done/", crisis_views.corrective_action_done, name="corrective_action_done"),
]
