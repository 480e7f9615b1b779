"""`make bench-pratiques`: "Se situer" (a Mission Locale's levels next to the regional and
national distributions) and the network's catalogue of remarkable practices, on the national
seed with its published practices (1×: one campaign, 48 practices) and on ten campaigns of it
with a practice for every Mission Locale of the current campaign (10×). Prints one JSON object
as the last line (docs/benchmarks.md): queries and seconds of each page at both sizes, and the
time ratios (10× over 1×; goal ≤ 2).

Runs in a throwaway test database (created and destroyed here): the working database is never
touched. The pages are requested through Django's test client, logged in as the Mission
Locale's direction (Se situer) and as a quality referent of another one (the catalogue)."""

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

from audits.pratiques.models import Pratique
from campagnes.models import Dossier
from labelml.structures.models import Membership
from labelml.structures.roles import Role


class Command(BaseCommand):
    help = "Mesure « Se situer » et le catalogue des pratiques à 1 et 10 fois le jeu national."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=5, help="Mesures par série (médiane)")
        parser.add_argument(
            "--campaigns", type=int, default=10, help="Campagnes de la seconde série (10)"
        )

    def handle(self, *args: Any, repeat: int, campaigns: int, **options: Any) -> None:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        setup_test_environment()
        try:
            result = self._measure(repeat, campaigns)
        finally:
            teardown_test_environment()
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write(json.dumps(result))

    def _pages(self) -> list[tuple[str, Any, str]]:
        from django.test import Client

        from labelml.demo.dossiers import CAMPAGNE

        dossier = (
            Dossier.objects.filter(campagne__nom=CAMPAGNE, structure__code="ml-lyon-rhone")
            .select_related("structure")
            .get()
        )
        direction = Membership.objects.filter(
            structure=dossier.structure, role=Role.DIRECTION
        ).first()
        reader = (
            Membership.objects.filter(role=Role.REFERENT_QUALITE, structure__type="mission_locale")
            .exclude(structure=dossier.structure)
            .first()
        )
        assert direction is not None and reader is not None
        clients = []
        for membership in (direction, reader):
            client = Client()
            client.force_login(membership.user)
            clients.append(client)
        return [
            (
                "se_situer",
                clients[0],
                reverse("pratiques:dossier_positionnement", args=[dossier.pk]),
            ),
            ("catalogue", clients[1], reverse("pratiques:pratique_catalogue")),
            (
                "catalogue_search",
                clients[1],
                reverse("pratiques:pratique_catalogue") + "?q=insertion",
            ),
        ]

    def _series(self, label: str, repeat: int) -> dict[str, tuple[int, float]]:
        out: dict[str, tuple[int, float]] = {}
        for name, client, url in self._pages():
            response = client.get(url)  # warm-up: templates, caches, connection
            if response.status_code != 200:
                raise RuntimeError(f"{url} a répondu {response.status_code}")
            times: list[float] = []
            queries = 0
            for _ in range(repeat):
                gc.collect()
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    client.get(url)
                    times.append(time.perf_counter() - started)
                queries = len(ctx.captured_queries)
            out[name] = (queries, statistics.median(times))
            self.stdout.write(
                f"{label} {name} : {Dossier.objects.count()} dossiers, "
                f"{Pratique.objects.count()} pratiques ; {queries} requêtes ; "
                f"{statistics.median(times):.4f} s (médiane)"
            )
        return out

    def _measure(self, repeat: int, campaigns: int) -> dict[str, Any]:
        from labelml.demo.national import seed_national
        from labelml.demo.pratiques import NATIONAL_COUNT, seed_pratiques

        started = time.perf_counter()
        seed_national(campaigns=1, log=self.stdout.write)
        seed_pratiques(limit=NATIONAL_COUNT)
        self.stdout.write(f"Jeu national (1 campagne) : {time.perf_counter() - started:.1f} s")
        small = self._series("1×", repeat)

        started = time.perf_counter()
        seed_national(campaigns=campaigns, log=self.stdout.write)
        seed_pratiques(limit=10 * NATIONAL_COUNT)
        self.stdout.write(
            f"Jeu national ({campaigns} campagnes) : {time.perf_counter() - started:.1f} s"
        )
        large = self._series(f"{campaigns}×", repeat)
        result: dict[str, Any] = {}
        for name in small:
            result[f"{name}_queries_1x"] = small[name][0]
            result[f"{name}_queries_10x"] = large[name][0]
            result[f"{name}_seconds_1x"] = round(small[name][1], 4)
            result[f"{name}_seconds_10x"] = round(large[name][1], 4)
            result[f"{name}_time_ratio"] = round(large[name][1] / small[name][1], 3)
        result["pratiques_1x"] = NATIONAL_COUNT
        result["pratiques_10x"] = Pratique.objects.count()
        return result
