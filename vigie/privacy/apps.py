from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "vigie.privacy"
    label = "privacy"
