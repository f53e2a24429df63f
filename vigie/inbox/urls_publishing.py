"""Pages of the publishing outbox and the private channel, under /inbox/ (see views_private)."""

from django.urls import URLPattern, path

from vigie.inbox import views_private

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/publication/", views_private.case_publication, name="case_publication"),
    path("cases/<int:pk>/replies/<int:reply_pk>/retry/", views_private.reply_retry, name="reply_retry"),
    path(
        "cases/<int:pk>/replies/<int:reply_pk>/posted-by-hand/",
        views_private.reply_posted_by_hand,
        name="reply_posted_by_hand",
    ),
    path("cases/<int:pk>/replies/<int:reply_pk>/check/", views_private.reply_check, name="reply_check"),
    path("cases/<int:pk>/replies/<int:reply_pk>/edit/", views_private.reply_edit, name="reply_edit"),
    path("cases/<int:pk>/replies/<int:reply_pk>/delete/", views_private.reply_delete, name="reply_delete"),
    path("cases/<int:pk>/private/", views_private.case_private, name="case_private"),
    path("cases/<int:pk>/private/email/", views_private.private_email_open, name="private_email_open"),
    path(
        "cases/<int:pk>/private/email/<int:thread_pk>/",
        views_private.private_email_send,
        name="private_email_send",
    ),
    path(
        "cases/<int:pk>/private/messages/<int:message_pk>/resend/",
        views_private.private_email_resend,
        name="private_email_resend",
    ),
    path("cases/<int:pk>/private/callback/", views_private.private_callback, name="private_callback"),
    path("cases/<int:pk>/private/ticket/", views_private.private_ticket, name="private_ticket"),
    path("inbound-email/", views_private.inbound_email_webhook, name="inbound_email_webhook"),
]
