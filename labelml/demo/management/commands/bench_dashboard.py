"""`make bench-dashboard`: the UNML dashboard on the national seed (15 ARMLs, 436 Missions
Locales, a campaign with dossiers in every state) and on ten campaigns of it. Prints one JSON
object as the last line (docs/benchmarks.md): queries_1x, queries_10x, seconds_1x, seconds_10x
and time_ratio (10× over 1×; goal ≤ 2).

Runs in a throwaway test database (created and destroyed here): the working database is never
touched. The page is requested through Django's test client, logged in as a national
administrator, so the measure covers the middleware, the selectors and the template."""

from __future__ import annotations

import gc
import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse

from campagnes.models import Campagne, Dossier
from labelml.accounts.models import User
from labelml.core.pluriel import pluriel
from labelml.structures.models import Membership, Structure
from labelml.structures.roles import Role

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # nosec B105 # the demo accounts' published secret


class Command(BaseCommand):
    help = "Mesure le tableau de bord national à 1 et 10 campagnes (JSON en dernière ligne)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=5, help="Mesures par série (médiane)")
        parser.add_argument(
            "--campaigns", type=int, default=10, help="Campagnes de la seconde série (10)"
        )

    def handle(self, *args: Any, repeat: int, campaigns: int, **options: Any) -> None:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        setup_test_environment()  # lets the test client in (ALLOWED_HOSTS), e-mails in memory
        try:
            result = self._measure(repeat, campaigns)
        finally:
            teardown_test_environment()
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write(json.dumps(result))

    def _client(self) -> Any:
        from allauth.mfa.totp.internal.auth import TOTP
        from django.test import Client

        unml = Structure.objects.filter(type=Structure.Type.UNML).order_by("pk").first()
        if unml is None:
            unml = Structure.objects.create(
                type=Structure.Type.UNML, code="unml", nom="Union nationale des Missions Locales"
            )
        user, created = User.objects.get_or_create(
            email="bench-dashboard@labelml.invalid",
            defaults={"first_name": "Banc", "last_name": "d'essai"},
        )
        if created:
            Membership.objects.create(user=user, structure=unml, role=Role.ADMIN_UNML)
            TOTP.activate(user, TOTP_SECRET)  # the middleware requires it of administrators
        client = Client()
        client.force_login(user)
        return client

    def _series(self, label: str, repeat: int) -> tuple[int, float]:
        url = reverse("pilotage:pilotage_dashboard")  # /pilotage/
        client = self._client()
        latest = Campagne.objects.order_by("-date_ouverture", "-pk").first()
        assert latest is not None, "le jeu national n'a créé aucune campagne"
        params = {"campagne": str(latest.pk)}  # the latest campaign, every region
        response = client.get(url, params)  # warm-up: templates, caches, connection
        if response.status_code != 200:
            raise RuntimeError(f"{url} a répondu {response.status_code}")
        times: list[float] = []
        sql: list[float] = []
        queries = 0
        for _ in range(repeat):
            gc.collect()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, params)
                times.append(time.perf_counter() - started)
            queries = len(ctx.captured_queries)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries))
        self.stdout.write(
            f"{label} : "
            + pluriel(Campagne.objects.count(), "{n} campagne", "{n} campagnes")
            + f", {Dossier.objects.count()} dossiers en base, "
            f"{Dossier.objects.filter(campagne=latest).count()} dans « {latest.nom} » ; "
            f"{queries} requêtes ; {[round(t, 4) for t in times]} s, "
            f"dont SQL {statistics.median(sql):.4f} s (médiane)"
        )
        return queries, statistics.median(times)

    def _measure(self, repeat: int, campaigns: int) -> dict[str, Any]:
        from labelml.demo.national import seed_national

        started = time.perf_counter()
        seed_national(campaigns=1, log=self.stdout.write)
        self.stdout.write(f"Jeu national (1 campagne) : {time.perf_counter() - started:.1f} s")
        queries_1x, seconds_1x = self._series("1×", repeat)

        started = time.perf_counter()
        seed_national(campaigns=campaigns, log=self.stdout.write)
        self.stdout.write(
            f"Jeu national ({campaigns} campagnes) : {time.perf_counter() - started:.1f} s"
        )
        queries_10x, seconds_10x = self._series(f"{campaigns}×", repeat)
        return {
            "queries_1x": queries_1x,
            "queries_10x": queries_10x,
            "seconds_1x": round(seconds_1x, 4),
            "seconds_10x": round(seconds_10x, 4),
            "time_ratio": round(seconds_10x / seconds_1x, 3),
        }
