from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "vigie.evidence"
    label = "evidence"
