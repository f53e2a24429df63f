"""Pages of the alerts domain, under /alerts/."""

from django.urls import URLPattern, path

from vigie.alerts import views

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
    path("crises/", views.crisis_list, name="crises"),
    path("crises/new/", views.crisis_new, name="crisis_new"),
    path("crises/<int:pk>/", views.crisis_detail, name="crisis_detail"),
    path("crises/<int:pk>/live/", views.crisis_live, name="crisis_live"),
    path("crises/<int:pk>/timeline/", views.crisis_timeline_add, name="crisis_timeline_add"),
    path("crises/<int:pk>/playbook/<int:item>/", views.crisis_playbook_tick, name="crisis_playbook_tick"),
    path("crises/<int:pk>/cell/", views.crisis_role, name="crisis_role"),
    path("crises/<int:pk>/statements/", views.crisis_statement_add, name="crisis_statement_add"),
    path(
        "crises/<int:pk>/statements/<int:statement_id>/approve/",
        views.statement_approve,
        name="statement_approve",
    ),
    path(
        "crises/<int:pk>/statements/<int:statement_id>/publish/",
        views.statement_publish,
        name="statement_publish",
    ),
    path("crises/<int:pk>/close/", views.crisis_close, name="crisis_close"),
    path("crises/<int:pk>/post-mortem.<str:fmt>", views.crisis_report, name="crisis_report"),
    path("actions/", views.corrective_action_list, name="corrective_actions"),
    path("actions/<int:pk>/done/", views.corrective_action_done, name="corrective_action_done"),
]
