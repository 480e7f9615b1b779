from django.apps import AppConfig


class PilotageConfig(AppConfig):
    name = "labelml.pilotage"
    label = "pilotage"
    verbose_name = "Pilotage national et régional"

    def ready(self) -> None:
        from .hooks import register

        register()
