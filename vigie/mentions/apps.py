from django.apps import AppConfig


class MentionsConfig(AppConfig):
    name = "vigie.mentions"
    label = "mentions"
