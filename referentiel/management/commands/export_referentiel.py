from django.core.management.base import BaseCommand, CommandError

from referentiel.models import Referentiel
from referentiel.services import export_referentiel


class Command(BaseCommand):
    help = "Exporte un référentiel au format YAML d'import (aller-retour sans perte)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("code", help="Code du référentiel, p. ex. ML-2022")
        parser.add_argument(
            "--ref-version",
            dest="ref_version",
            type=int,
            default=None,
            help="Version (par défaut : la plus récente)",
        )
        parser.add_argument(
            "-o", "--output", help="Fichier de sortie (par défaut : la sortie standard)"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        qs = Referentiel.objects.filter(code=options["code"])
        if options["ref_version"] is not None:
            qs = qs.filter(version=options["ref_version"])
        ref = qs.order_by("-version").first()
        if ref is None:
            raise CommandError(f"Aucun référentiel « {options['code']} » avec cette version.")
        text = export_referentiel(ref)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(self.style.SUCCESS(f"{ref.label} exporté vers {options['output']}."))
        else:
            self.stdout.write(text, ending="")
