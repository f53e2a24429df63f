"""Pages of the insights, under /dashboard/."""

from django.urls import URLPattern, path

from vigie.insights import views

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("mentions/", views.mention_list, name="insights-mentions"),
    path("mentions/<int:pk>/consent/", views.testimonial_consent, name="insights-consent"),
    path("themes/", views.theme_board_page, name="insights-themes"),
    path("actions/", views.action_plan_list, name="insights-action-plans"),
    path("actions/new/", views.action_plan_create, name="insights-action-plan-create"),
    path("actions/<int:pk>/", views.action_plan_edit, name="insights-action-plan-edit"),
    path("actions/<int:pk>/delete/", views.action_plan_delete, name="insights-action-plan-delete"),
    path("reports/", views.report_page, name="insights-reports"),
    path(
        "reports/schedules/<int:pk>/delete/", views.scheduled_report_delete, name="insights-schedule-delete"
    ),
    path("export/<str:what>.<str:fmt>", views.export, name="insights-export"),
]
