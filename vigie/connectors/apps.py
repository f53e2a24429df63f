from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "vigie.connectors"
    label = "connectors"

    def ready(self) -> None:
        from vigie.connectors.queries import metric_samples
        from vigie.core.metrics import register_collector

        register_collector(metric_samples)
