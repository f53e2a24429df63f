from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "vigie.inbox"
    label = "inbox"
