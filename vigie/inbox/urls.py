"""Pages of the inbox, under /inbox/."""

from django.urls import URLPattern, path

from vigie.inbox import views

urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.case_page, name="case_detail"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/status/", views.case_set_status, name="case_status"),
    path("cases/<int:pk>/analysis/", views.case_correct_analysis, name="case_correct_analysis"),
    path("cases/<int:pk>/notes/", views.case_add_note, name="case_add_note"),
    path("cases/<int:pk>/author-flags/", views.case_author_flags, name="case_author_flags"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:pk>/reply/check/", views.case_reply_check, name="case_reply_check"),
    path("cases/<int:pk>/reply/template/", views.case_reply_template, name="case_reply_template"),
    path("replies/<int:pk>/approve/", views.reply_approve, name="reply_approve"),
    path("replies/<int:pk>/send-back/", views.reply_send_back, name="reply_send_back"),
    path("new/", views.inbox_new_count, name="inbox_new_count"),
    path("bulk/", views.inbox_bulk, name="inbox_bulk"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
