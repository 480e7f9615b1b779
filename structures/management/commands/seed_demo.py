from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referentiel.models import Referentiel
from referentiel.services import import_referentiel_file
from structures.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo_network


class Command(BaseCommand):
    help = (
        "Crée (ou remet à l'identique) le réseau de démonstration et un compte par rôle. "
        "Idempotent. Refusé en production (LABELML_ENV=production)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--scale", choices=["small"], default="small")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if settings.ENVIRONMENT == "production":
            raise CommandError(
                "seed_demo refuse de s'exécuter avec LABELML_ENV=production : les données de "
                "démonstration ne doivent jamais arriver en production."
            )
        if not Referentiel.objects.filter(code="ML-2022").exists():
            result = import_referentiel_file(
                settings.BASE_DIR / "fixtures" / "referentiel-ml-2022.yaml"
            )
            self.stdout.write(result.message)
        accounts = seed_demo_network()
        self.stdout.write(self.style.SUCCESS("Réseau de démonstration prêt."))
        self.stdout.write(f"\nComptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        width = max(len(a.email) for a in accounts)
        for a in accounts:
            flag = "  [TOTP]" if a.totp else ""
            self.stdout.write(f"  {a.email.ljust(width)}  {a.description}{flag}")
        self.stdout.write(
            f"\nDouble authentification (comptes [TOTP]) : secret {DEMO_TOTP_SECRET} à saisir "
            "dans une application d'authentification (ou `oathtool --totp -b "
            f"{DEMO_TOTP_SECRET}`)."
        )
