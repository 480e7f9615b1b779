from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public REST API (/api/v1/), its personal access tokens and the open-data registry of
    labels (/labels/registre.csv, .json). Above every app it reads, below the demo."""

    name = "labelml.api"
    label = "api"
    verbose_name = "API et données ouvertes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The OpenAPI description of our token authentication (drf-spectacular extension).
        from . import schema  # noqa: F401
