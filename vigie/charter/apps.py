from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "vigie.charter"
    label = "charter"
    verbose_name = "Charte"
    default_auto_field = "django.db.models.BigAutoField"
