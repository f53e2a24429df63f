from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vigie.core"
    label = "core"
    verbose_name = "Vigie"

    def ready(self) -> None:
        from vigie.core import db  # noqa: F401  (registers the ``any_of`` lookup)
        from vigie.core.metrics import job_samples, register_collector

        register_collector(job_samples)
