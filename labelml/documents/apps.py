from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "labelml.documents"
    label = "documents"
    verbose_name = "Rapports PDF"

    def ready(self) -> None:
        from .hooks import register

        register()
