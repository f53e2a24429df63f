from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "vigie.inbox"
    label = "inbox"

    def ready(self) -> None:
        from vigie.core.actions import member_suspended
        from vigie.core.metrics import register_collector
        from vigie.inbox.queries import metric_samples
        from vigie.inbox.signals import on_member_suspended

        register_collector(metric_samples)
        member_suspended.connect(on_member_suspended, dispatch_uid="inbox.member_suspended")
