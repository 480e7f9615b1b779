from django.core.management.base import BaseCommand, CommandError

from referentiel.format import ReferentielFormatError
from referentiel.services import import_referentiel_file


class Command(BaseCommand):
    help = "Importe un référentiel depuis un fichier YAML (voir docs/referentiel-format.md)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "file", help="Chemin du fichier YAML, p. ex. fixtures/referentiel-ml-2022.yaml"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = import_referentiel_file(options["file"])
        except ReferentielFormatError as exc:
            raise CommandError(f"Fichier refusé, rien n'a été écrit. {exc}") from exc
        self.stdout.write(self.style.SUCCESS(result.message))
