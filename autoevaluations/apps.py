from django.apps import AppConfig


class AutoevaluationsConfig(AppConfig):
    name = "autoevaluations"
    verbose_name = "Auto-évaluations"
