from django.apps import AppConfig


class CampagnesConfig(AppConfig):
    name = "campagnes"
    verbose_name = "Campagnes"
