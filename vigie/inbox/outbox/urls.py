"""Pages of the publishing outbox and the private channel, under /inbox/ (see views_private)."""

from django.urls import URLPattern, path

from vigie.inbox.outbox import views

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/publication/", views.case_publication, name="case_publication"),
    path("cases/<int:pk>/replies/<int:reply_pk>/retry/", views.reply_retry, name="reply_retry"),
    path(
        "cases/<int:pk>/replies/<int:reply_pk>/posted-by-hand/",
        views.reply_posted_by_hand,
        name="reply_posted_by_hand",
    ),
    path("cases/<int:pk>/replies/<int:reply_pk>/check/", views.reply_check, name="reply_check"),
    path("cases/<int:pk>/replies/<int:reply_pk>/edit/", views.reply_edit, name="reply_edit"),
    path("cases/<int:pk>/replies/<int:reply_pk>/delete/", views.reply_delete, name="reply_delete"),
    path("cases/<int:pk>/private/", views.case_private, name="case_private"),
    path("cases/<int:pk>/private/email/", views.private_email_open, name="private_email_open"),
    path(
        "cases/<int:pk>/private/email/<int:thread_pk>/",
        views.private_email_send,
        name="private_email_send",
    ),
    path(
        "cases/<int:pk>/private/messages/<int:message_pk>/resend/",
        views.private_email_resend,
        name="private_email_resend",
    ),
    path(
        "cases/<int:pk>/private/direct-message/",
        views.private_direct_message_send,
        name="private_direct_message_send",
    ),
    path("cases/<int:pk>/private/callback/", views.private_callback, name="private_callback"),
    path("cases/<int:pk>/private/ticket/", views.private_ticket, name="private_ticket"),
    path("inbound-email/", views.inbound_email_webhook, name="inbound_email_webhook"),
]
