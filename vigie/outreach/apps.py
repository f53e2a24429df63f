from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "vigie.outreach"
    label = "outreach"
