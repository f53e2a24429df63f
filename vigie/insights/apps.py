from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "vigie.insights"
    label = "insights"
