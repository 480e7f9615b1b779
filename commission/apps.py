from django.apps import AppConfig


class CommissionConfig(AppConfig):
    name = "commission"
    verbose_name = "Commission de labellisation"
