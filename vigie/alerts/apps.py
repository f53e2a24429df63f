from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "vigie.alerts"
    label = "alerts"
