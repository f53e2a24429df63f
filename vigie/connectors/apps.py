from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "vigie.connectors"
    label = "connectors"
