"""Pages of the inbox, under /inbox/."""

from django.urls import URLPattern, path

from vigie.inbox.views import case, queue, reply

urlpatterns: list[URLPattern] = [
    path("", queue.inbox, name="inbox"),
    path("cases/<int:pk>/", case.case_page, name="case_detail"),
    path("cases/<int:pk>/assign/", case.case_assign, name="case_assign"),
    path("cases/<int:pk>/status/", case.case_set_status, name="case_status"),
    path("cases/<int:pk>/analysis/", case.case_correct_analysis, name="case_correct_analysis"),
    path("cases/<int:pk>/notes/", case.case_add_note, name="case_add_note"),
    path("cases/<int:pk>/author-flags/", case.case_author_flags, name="case_author_flags"),
    path("cases/<int:pk>/moderate/", case.case_moderate, name="case_moderate"),
    path("cases/<int:pk>/close/", case.case_close, name="case_close"),
    path("cases/<int:pk>/presence/", case.case_presence, name="case_presence"),
    path("cases/<int:pk>/reply/", reply.case_reply, name="case_reply"),
    path("cases/<int:pk>/reply/check/", reply.case_reply_check, name="case_reply_check"),
    path("cases/<int:pk>/reply/template/", reply.case_reply_template, name="case_reply_template"),
    path("cases/<int:pk>/reply/draft/", reply.case_reply_draft, name="case_reply_draft"),
    path("replies/<int:pk>/approve/", reply.reply_approve, name="reply_approve"),
    path("replies/<int:pk>/send-back/", reply.reply_send_back, name="reply_send_back"),
    path("new/", queue.inbox_new_count, name="inbox_new_count"),
    path("bulk/", queue.inbox_bulk, name="inbox_bulk"),
    path("views/", queue.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", queue.saved_view_delete, name="saved_view_delete"),
]
