from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "vigie.analysis"
    label = "analysis"
