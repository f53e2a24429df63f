from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "vigie.privacy"
    label = "privacy"

    def ready(self) -> None:
        from vigie.evidence.actions import hold_lifted
        from vigie.privacy.signals import on_hold_lifted

        hold_lifted.connect(on_hold_lifted, dispatch_uid="privacy.hold_lifted")
