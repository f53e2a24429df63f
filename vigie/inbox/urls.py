"""Pages of the inbox, under /inbox/."""

from django.urls import URLPattern, path

from vigie.inbox import views

urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.case_page, name="case_detail"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/status/", views.case_set_status, name="case_status"),
    path("cases/<int:pk>/analysis/", views.case_correct_analysis, name="case_correct_analysis"),
]
