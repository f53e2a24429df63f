from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "vigie.inbox"
    label = "inbox"

    def ready(self) -> None:
        from vigie.core.metrics import register_collector
        from vigie.inbox.queries import metric_samples

        register_collector(metric_samples)
