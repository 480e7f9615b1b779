"""`manage.py seed_demo`: the small demo network and its accounts (labelml/demo/network.py, with
the demo campaign's dossiers of labelml/demo/dossiers.py), and with `--scale national` the
national data set (labelml/demo/national/); prints the demo accounts. Refused in production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.commission.models import Decision
from campagnes.models import Dossier
from labelml.core.pluriel import pluriel
from labelml.demo.network import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo_network
from labelml.demo.pratiques import NATIONAL_COUNT, seed_pratiques
from referentiel.models import Referentiel
from referentiel.services import import_referentiel_file


class Command(BaseCommand):
    help = (
        "Crée (ou remet à l'identique) le réseau de démonstration et un compte par rôle. "
        "--scale national y ajoute le réseau national (15 ARML, 436 Missions Locales) et une "
        "campagne dont les dossiers parcourent toutes les étapes. Idempotent. Refusé en "
        "production (LABELML_ENV=production)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help="demo (par défaut) ou national.",
        )
        parser.add_argument(
            "--campaigns",
            type=int,
            default=2,
            help="--scale national : nombre de campagnes (2 par défaut : la campagne 2026 et le "
            "cycle précédent, 2023, dont les labels arrivent à échéance ; puis 2020…).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="--scale national : graine du hasard."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if settings.ENVIRONMENT == "production":
            raise CommandError(
                "seed_demo refuse de s'exécuter avec LABELML_ENV=production : les données de "
                "démonstration ne doivent jamais arriver en production."
            )
        if options["campaigns"] < 1:
            raise CommandError("--campaigns : au moins une campagne.")
        if not Referentiel.objects.filter(code="ML-2022").exists():
            result = import_referentiel_file(
                settings.BASE_DIR / "fixtures" / "referentiel-ml-2022.yaml"
            )
            self.stdout.write(result.message)
        accounts = seed_demo_network()
        national = None
        if options["scale"] == "demo":
            # The commission's work (issue 15) on three more Missions Locales: at the national
            # scale, the network is the real one and its séances come with it.
            from labelml.demo.commission import seed_demo_commission

            accounts = accounts + seed_demo_commission()
        self.stdout.write(self.style.SUCCESS("Réseau de démonstration prêt."))
        if options["scale"] == "national":
            from labelml.demo.national import seed_national

            national = seed_national(
                campaigns=options["campaigns"], seed=options["seed"], log=self.stdout.write
            )
        # Published remarkable practices across criteria and regions (issue 18), through the
        # real services, over whatever network the run holds (the small demo or the national).
        seed_pratiques(limit=NATIONAL_COUNT if national is not None else 4, log=self.stdout.write)
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
        if national is not None:
            self._national_summary(national)

    def _national_summary(self, result: dict) -> None:
        structures = result["structures"]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDonnées nationales prêtes : {structures.get('unml', 0)} UNML, "
                f"{structures.get('arml', 0)} ARML, {structures.get('mission_locale', 0)} "
                f"Missions Locales ; "
                + pluriel(result["utilisateurs_crees"], "{n} compte créé.", "{n} comptes créés.")
            )
        )
        for campagne in result["campagnes"]:
            self.stdout.write(
                f"\n{campagne['nom']} : {campagne['dossiers']} dossiers "
                f"({campagne['dossiers_crees']} créés par cette exécution)"
            )
            for statut, label in Dossier.Statut.choices:
                if statut in campagne["statuts"]:
                    self.stdout.write(f"  {label:<34} {campagne['statuts'][statut]:>4}")
            decisions = ", ".join(
                f"{label.lower()} {campagne['decisions'][value]}"
                for value, label in Decision.Resultat.choices
                if value in campagne["decisions"]
            )
            if decisions:
                self.stdout.write(
                    f"  Décisions de la commission : {decisions} ; labels : {campagne['labels']}"
                )
        from labelml.demo.national import AUDITING_BODIES, COMMISSION_MEMBERS
        from labelml.demo.national.data import REGIONS, arml_nom

        d = DEMO_DOMAIN
        self.stdout.write(f"\nComptes du réseau national (mot de passe : {DEMO_PASSWORD}) :")
        self.stdout.write(
            f"  direction.<ml>@{d}, referent.<ml>@{d}  direction et référent qualité de chaque "
            f"Mission Locale (ex. direction.brest@{d}, referent.saint-etienne@{d})"
        )
        width = max(len(f"{rn.arml_code}@{d}") for rn in REGIONS)
        for rn in REGIONS:
            email = f"{rn.arml_code}@{d}"
            self.stdout.write(
                f"  {email.ljust(width)}  Référent labellisation, {arml_nom(rn.region)}"
            )
        for nom, code, count, lead in AUDITING_BODIES:
            self.stdout.write(
                f"  auditeur-{code}-01@{d} … auditeur-{code}-{count:02d}@{d}  auditeurs, {nom}"
                "  [TOTP]"
            )
            if lead:
                self.stdout.write(
                    f"  auditeur-referent-{code}@{d}  auditeur référent, {nom}  [TOTP]"
                )
        self.stdout.write(
            f"  commission-01@{d} … commission-{COMMISSION_MEMBERS:02d}@{d}  membres de la "
            "commission  [TOTP]"
        )
        self.stdout.write(f"Durée : {result['duree']:.1f} s.")
