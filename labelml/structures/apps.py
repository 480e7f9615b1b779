from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "labelml.structures"
    label = "structures"
    verbose_name = "Structures"
