"""Se situer: a structure's levels next to its region's and the nation's distributions (median
and quartiles) of the same campaign — never an aggregate over fewer than five structures, never
another structure's name; the same figures on the ARML's and the UNML's dashboards; a constant
number of queries at 1× and 10× the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from audits.models import Audit, Constat
from audits.pratiques.positionnement import MIN_STRUCTURES, Distribution, positionnement
from campagnes.autoevaluations.models import Snapshot
from campagnes.services import open_campagne
from tests.audits.conftest import audit_niveau
from tests.campagnes.conftest import fill_dossier
from tests.conftest import client_for
from tests.factories import MissionLocaleFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def submitted_dossiers(admin: Any, campagne: Any, parent: Any, levels: list[str]) -> list[Any]:
    """One Mission Locale per level, its self-assessment filled at that level and submitted."""
    structures = [
        MissionLocaleFactory(parent=parent, region=parent.region, nom=f"Voisine secrète {i}")
        for i in range(len(levels))
    ]
    dossiers = open_campagne(actor=admin, campagne=campagne, structures=structures).created
    for d, level in zip(sorted(dossiers, key=lambda d: d.structure_id), levels, strict=True):
        fill_dossier(d, level)
        Snapshot.objects.create(dossier=d, numero=1, contenu={}, empreinte="x")
    return dossiers


def validated_audits(dossiers: list[Any], auditeur: Any, code: str = "conforme") -> None:
    for d in dossiers:
        audit = Audit.objects.create(
            dossier=d,
            organisme=auditeur.organisme,
            auditeur=auditeur,
            date_debut=dt.date(2025, 9, 1),
            date_fin=dt.date(2025, 9, 2),
            statut=Audit.Statut.VALIDE,
        )
        niveau = audit_niveau(d, code)
        Constat.objects.bulk_create(
            Constat(audit=audit, critere=c, niveau=niveau)
            for c in d.campagne.referentiel.criteres.all()
        )


def test_quartiles_need_five_structures():
    assert not Distribution.of([Decimal(1)] * (MIN_STRUCTURES - 1)).shown
    assert Distribution.of([Decimal(1)] * (MIN_STRUCTURES - 1)).mediane is None
    d = Distribution.of([Decimal(v) for v in (1, 2, 3, 4, 4)])
    assert d.shown and (d.q1, d.mediane, d.q3) == (Decimal(2), Decimal(3), Decimal(4))


def test_below_five_structures_nothing_is_shown_and_the_page_says_so(
    filled_dossier, campagne, admin, network, people
):
    submitted_dossiers(admin, campagne, network["arml_a"], ["4", "4", "4"])
    html = page_queries(
        client_for(people.direction),
        reverse("pratiques:dossier_positionnement", args=[filled_dossier.pk]),
    ).html
    assert "Moins de 5 structures" in html
    assert "(3 structures)" not in html and "médiane" in html
    data = positionnement(campagne, region="11", dossier=filled_dossier)
    assert all(
        not side.regional.shown and side.regional.mediane is None and side.national.q1 is None
        for row in data.rows
        for side in (row.autoevaluation, row.audit)
    )
    # Its own levels are shown even before its submission.
    assert data.criteres[0].autoevaluation.own == Decimal("3.00")


def test_from_five_structures_the_quartiles_show_without_any_name(
    filled_dossier, campagne, admin, network, people, auditeur
):
    others = submitted_dossiers(admin, campagne, network["arml_a"], ["1", "2", "3", "4", "4"])
    validated_audits(others, auditeur)
    client = client_for(people.direction)
    html = page_queries(
        client, reverse("pratiques:dossier_positionnement", args=[filled_dossier.pk])
    ).html
    assert "(5 structures)" in html
    for d in others:
        assert d.structure.nom not in html
    data = positionnement(campagne, region="11", dossier=filled_dossier)
    first = data.criteres[0]
    # ML A's own dossier is not submitted: its levels are not in the distributions.
    assert first.autoevaluation.national.n == 5
    assert first.autoevaluation.regional.mediane == Decimal("3.00")
    assert first.audit.national.shown and first.audit.own is None
    # Another region has none of them.
    assert not positionnement(campagne, region="84").criteres[0].autoevaluation.regional.shown


def test_the_dashboards_show_the_same_distributions_without_names(
    filled_dossier, campagne, admin, network, people
):
    others = submitted_dossiers(admin, campagne, network["arml_a"], ["1", "2", "3", "4", "4"])
    url = reverse("pilotage:pilotage_repartition")
    for user in (admin, people.arml):
        client = client_for(user)
        dashboard = page_queries(client, reverse("pilotage:pilotage_dashboard")).html
        assert url in dashboard  # loaded into the dashboard (htmx), and its own page
        for html in (
            page_queries(client, url).html,
            client.get(url, headers={"HX-Request": "true"}).content.decode(),
        ):
            assert "(5 structures)" in html
            for d in others:
                assert d.structure.nom not in html
    assert client_for(people.direction).get(url).status_code == 404


def test_who_sees_se_situer(dossier, people):
    url = reverse("pratiques:dossier_positionnement", args=[dossier.pk])
    assert client_for(people.outsider).get(url).status_code == 404
    for user in (people.lecteur, people.direction, people.arml):
        assert client_for(user).get(url).status_code == 200


def test_se_situer_and_the_catalogue_run_the_same_queries_at_1x_and_10x(
    filled_dossier, campagne, admin, network, people, auditeur
):
    from audits.pratiques import services

    from .conftest import propose

    def measure() -> tuple[int, int, int]:
        return (
            page_queries(
                client_for(people.direction),
                reverse("pratiques:dossier_positionnement", args=[filled_dossier.pk]),
            ).count,
            page_queries(
                client_for(people.outsider), reverse("pratiques:pratique_catalogue")
            ).count,
            page_queries(
                client_for(people.outsider), reverse("pratiques:public_pratique_catalogue")
            ).count,
        )

    def grow(n: int) -> None:
        others = submitted_dossiers(admin, campagne, network["arml_a"], ["3"] * n)
        validated_audits(others, auditeur)
        for i in range(n):
            p = propose(filled_dossier, people.referent, f"Pratique {i}")
            services.consent(p, people.direction, "public")
            services.publish(p, admin)

    grow(5)
    small = measure()
    grow(45)
    large = measure()
    assert small == large
