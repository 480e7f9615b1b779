from django.core.management.base import BaseCommand, CommandError

from labelml.core.pluriel import pluriel
from labelml.structures.services import CSV_COLUMNS, import_structures


class Command(BaseCommand):
    help = (
        "Crée ou met à jour des structures depuis un fichier CSV (colonnes : "
        + ", ".join(CSV_COLUMNS)
        + "). Tout ou rien : une ligne en erreur refuse le fichier."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            with open(options["file"], encoding="utf-8-sig") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        report = import_structures(text)
        if report.errors:
            raise CommandError(
                "Fichier refusé, rien n'a été écrit :\n  " + "\n  ".join(report.errors)
            )
        self.stdout.write(
            self.style.SUCCESS(
                pluriel(report.created, "{n} créée", "{n} créées")
                + ", "
                + pluriel(report.updated, "{n} mise à jour", "{n} mises à jour")
                + ", "
                + pluriel(report.unchanged, "{n} inchangée.", "{n} inchangées.")
            )
        )
