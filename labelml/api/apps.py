from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public REST API (/api/v1/), its personal access tokens and the open-data registry of
    labels (/labels/registre.csv, .json). Above every app it reads, below the demo."""

    name = "labelml.api"
    label = "api"
    verbose_name = "API et données ouvertes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from labelml.accounts.donnees import register_personal_data

        # The OpenAPI description of our token authentication (drf-spectacular extension).
        from . import donnees, schema  # noqa: F401

        register_personal_data("api", export=donnees.export, erase=donnees.erase)
