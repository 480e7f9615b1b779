"""The UNML and ARML dashboards (SPEC §9, issue 7): who sees what, the figures on a hand-built
data set, and a constant number of queries whatever the size of the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campagnes.models import Dossier, DossierTransition
from labelml.pilotage import selectors
from labelml.pilotage.scope import Filters, Scope
from labelml.structures.roles import Role
from tests.campagnes.conftest import fill_dossier, open_dossier
from tests.conftest import client_for, member, with_totp
from tests.factories import AuditeurFactory, MembreCommissionFactory, MissionLocaleFactory

pytestmark = pytest.mark.django_db

URL = "/pilotage/"
E = Dossier.Statut


# --- A hand-built data set ---------------------------------------------------------------------


class Builder:
    """Dossiers lived through the ORM (fast, deterministic): answers at one level, a validated
    audit with chosen findings, a decision and a label, and dated workflow steps."""

    def __init__(self, admin: Any, campagne: Any) -> None:
        from audits.commission.models import Seance

        self.admin = admin
        self.campagne = campagne
        self.auditeur = AuditeurFactory()
        president = MembreCommissionFactory()
        self.seance = Seance.objects.create(date=timezone.now(), president=president)
        self.criteres = list(campagne.referentiel.criteres.order_by("ordre"))
        self.n = 0

    def step(self, dossier: Any, action: str, when: dt.datetime, to: str = "") -> None:
        t = DossierTransition.objects.create(
            dossier=dossier,
            subject="dossier",
            subject_id=dossier.pk,
            action=action,
            from_state="",
            to_state=to or dossier.statut,
        )
        DossierTransition.objects.filter(pk=t.pk).update(at=when)

    def dossier(
        self,
        structure: Any,
        *,
        statut: str,
        auto: str = "3",
        submitted: dt.datetime | None = None,
        audit: dict[str, str] | None = None,
        audit_default: str = "conforme",
        audit_statut: str = "valide",
        validated: dt.datetime | None = None,
        decided: dt.datetime | None = None,
        label_end: dt.date | None = None,
        label_statut: str = "valide",
    ) -> Any:
        from audits.commission.models import Decision, Label, PointOrdreDuJour
        from audits.models import Audit, Constat
        from referentiel.models import Niveau

        self.n += 1
        dossier = open_dossier(self.admin, self.campagne, structure)
        fill_dossier(dossier, auto)
        if submitted:
            self.step(dossier, "submit_autoevaluation", submitted, E.PLAN_AMELIORATION)
        if audit is not None:
            a = Audit.objects.create(
                dossier=dossier,
                organisme=self.auditeur.organisme,
                auditeur=self.auditeur,
                date_debut=dt.date(2025, 3, 3),
                date_fin=dt.date(2025, 3, 4),
                statut=audit_statut,
            )
            niveaux = {
                n.code: n
                for n in Niveau.objects.filter(
                    echelle_id=self.campagne.referentiel.echelle_audit_id
                )
            }
            Constat.objects.bulk_create(
                Constat(audit=a, critere=c, niveau=niveaux[audit.get(c.code, audit_default)])
                for c in self.criteres
            )
            if validated:
                self.step(dossier, "validate_audit_report", validated, E.REPONSE_STRUCTURE)
        if decided:
            point = PointOrdreDuJour.objects.create(seance=self.seance, dossier=dossier)
            decision = Decision.objects.create(
                point=point, dossier=dossier, resultat="labellise", motivation="Conforme."
            )
            self.step(dossier, "decision_labellise", decided, E.LABELLISE)
            if label_end:
                Label.objects.create(
                    structure=structure,
                    decision=decision,
                    numero=f"LBL-TEST-{self.n:04d}",
                    date_debut=label_end - dt.timedelta(days=3 * 365),
                    date_fin=label_end,
                    statut=label_statut,
                )
        Dossier.objects.filter(pk=dossier.pk).update(statut=statut)
        return dossier


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


# Three Mondays of the campaign.
W1, W2, W3 = dt.date(2025, 2, 3), dt.date(2025, 2, 10), dt.date(2025, 3, 10)
# Two criteria with gaps (codes of the shipped référentiel).
X, Y = "1.1", "2.1"


@pytest.fixture
def data(admin, campagne, network):  # type: ignore[no-untyped-def]
    """Region 11: ML A (level 3, audit conforme with a minor gap on X and a major one on Y,
    labelled, label ending in 30 days) and ML A2 (level 4, an audit still in progress full of
    major gaps — not counted — and a label ending in 400 days). Region 84: ML B (level 1, audit
    point fort with a major gap on X, label ending in 60 days)."""
    network["ml_b"].nom = "Mission Locale de Villeurbanne-Secret"
    network["ml_b"].save()
    today = timezone.localdate()
    b = Builder(admin, campagne)
    a = b.dossier(
        network["ml_a"],
        statut=E.LABELLISE,
        auto="3",
        submitted=at(W1 + dt.timedelta(days=1)),
        audit={X: "ecart_mineur", Y: "ecart_majeur"},
        validated=at(W2 + dt.timedelta(days=2)),
        decided=at(W3),
        label_end=today + dt.timedelta(days=30),
    )
    a2 = b.dossier(
        network["ml_a2"],
        statut=E.AUDIT_EN_COURS,
        auto="4",
        submitted=at(W2),
        audit={},
        audit_default="ecart_majeur",
        audit_statut="en_cours",
    )
    # A2's label of an earlier life: valid well beyond six months.
    from audits.commission.models import Decision, Label, PointOrdreDuJour

    point = PointOrdreDuJour.objects.create(seance=b.seance, dossier=a2)
    decision = Decision.objects.create(
        point=point, dossier=a2, resultat="labellise", motivation="."
    )
    Label.objects.create(
        structure=network["ml_a2"],
        decision=decision,
        numero="LBL-LOIN-0001",
        date_debut=today,
        date_fin=today + dt.timedelta(days=400),
    )
    bb = b.dossier(
        network["ml_b"],
        statut=E.LABELLISE,
        auto="1",
        submitted=at(W1 + dt.timedelta(days=3)),
        audit={X: "ecart_majeur"},
        audit_default="point_fort",
        validated=at(W2 + dt.timedelta(days=3)),
        decided=at(W3 + dt.timedelta(days=1)),
        label_end=today + dt.timedelta(days=60),
    )
    return {"a": a, "a2": a2, "b": bb}


NATIONAL = Scope(national=True, regions=("11", "84", "53"))


def arml_scope(network: Any) -> Scope:
    return Scope(national=False, armls=(network["arml_a"].pk,), regions=("11",))


def filters(campagne: Any, region: str | None = None) -> Filters:
    return Filters(campagne=campagne, region=region)


# --- The figures -----------------------------------------------------------------------------


def test_counts_by_state_and_region(data, campagne, network):  # type: ignore[no-untyped-def]
    statuts = selectors.counts_by_state(NATIONAL, filters(campagne))
    assert statuts.total == 3
    assert statuts.count(E.LABELLISE) == 2
    assert statuts.en_audit == 1
    assert [r.statut for r in statuts.rows] == list(E.values)  # every state, zeros included

    regions = selectors.counts_by_region(NATIONAL, filters(campagne))
    by_region = {r.region: r for r in regions.rows}
    assert set(by_region) == {"11", "84", "53"}  # every region of the scope, zeros included
    col = [code for code, _ in regions.statuts].index(E.LABELLISE)
    assert by_region["11"].total == 2 and by_region["11"].counts[col] == 1
    assert by_region["84"].total == 1 and by_region["84"].counts[col] == 1
    assert by_region["53"].total == 0
    assert regions.total == 3

    arml = arml_scope(network)
    assert selectors.counts_by_state(arml, filters(campagne)).total == 2
    rows = selectors.counts_by_region(arml, filters(campagne)).rows
    assert [r.region for r in rows] == ["11"]
    # The national scope filtered on one region.
    assert selectors.counts_by_state(NATIONAL, filters(campagne, "84")).total == 1


def test_progress_over_time_per_week(data, campagne, network):  # type: ignore[no-untyped-def]
    weeks = selectors.progress_over_time(NATIONAL, filters(campagne))
    assert [w.semaine for w in weeks] == [W1, W2, W3]
    assert [(w.autoevaluations, w.audits, w.decisions) for w in weeks] == [
        (2, 0, 0),
        (1, 2, 0),
        (0, 0, 2),
    ]
    assert (weeks[-1].autoevaluations_cumul, weeks[-1].audits_cumul) == (3, 2)
    assert weeks[-1].decisions_cumul == 2

    weeks = selectors.progress_over_time(arml_scope(network), filters(campagne))
    assert [(w.autoevaluations, w.audits, w.decisions) for w in weeks] == [
        (1, 0, 0),
        (1, 1, 0),
        (0, 0, 1),
    ]


def test_average_levels_side_by_side(data, campagne, network):  # type: ignore[no-untyped-def]
    levels = selectors.average_levels(NATIONAL, filters(campagne))
    by_code = {c.code: c for c in levels.criteres}
    assert len(by_code) == 24
    # Self-assessment: A at 3, A2 at 4, B at 1 on every element.
    assert by_code["3.1"].autoevaluation == Decimal("2.67")
    # Audit (validated reports only): A conforme (4), B point fort (5); X: 2 and 1; Y: 1 and 5.
    assert by_code["3.1"].audit == Decimal("4.50")
    assert by_code[X].audit == Decimal("1.50")
    assert by_code[Y].audit == Decimal("3.00")
    assert by_code[X].audit_n == 2  # A2's report in progress does not count
    assert "Non engagé" in levels.echelle_autoevaluation
    assert "Point fort" in levels.echelle_audit

    sections = {s.code: s for s in levels.sections}
    assert sections["1"].autoevaluation == Decimal("2.67")
    assert sections["4"].depth == 0 and sections["4.1"].depth == 1
    # A parent section is the mean of the criteria of its sub-sections.
    assert sections["4"].audit == Decimal("4.50")

    arml = selectors.average_levels(arml_scope(network), filters(campagne))
    by_code = {c.code: c for c in arml.criteres}
    assert by_code["3.1"].autoevaluation == Decimal("3.50")
    assert by_code[X].audit == Decimal("2.00")
    assert by_code[Y].audit == Decimal("1.00")
    assert {s.code: s for s in arml.sections}["1"].autoevaluation == Decimal("3.50")


def test_frequent_gaps(data, campagne, network):  # type: ignore[no-untyped-def]
    gaps = selectors.frequent_gaps(NATIONAL, filters(campagne))
    assert [(g.code, g.mineurs, g.majeurs, g.total) for g in gaps] == [
        (X, 1, 1, 2),
        (Y, 0, 1, 1),
    ]
    gaps = selectors.frequent_gaps(arml_scope(network), filters(campagne))
    # Ties: major gaps first.
    assert [(g.code, g.mineurs, g.majeurs) for g in gaps] == [(Y, 0, 1), (X, 1, 0)]
    assert selectors.frequent_gaps(NATIONAL, filters(campagne), limit=1)[0].code == X


def test_labels_expiring(data, campagne, network):  # type: ignore[no-untyped-def]
    from audits.commission.models import Label

    expiring = selectors.labels_expiring(NATIONAL, filters(campagne))
    assert [(r.structure, r.jours) for r in expiring.rows] == [
        (network["ml_a"].nom, 30),
        ("Mission Locale de Villeurbanne-Secret", 60),
    ]
    assert expiring.total == 2
    assert selectors.labels_expiring(NATIONAL, filters(campagne), limit=1).total == 2
    arml = selectors.labels_expiring(arml_scope(network), filters(campagne))
    assert [r.structure for r in arml.rows] == [network["ml_a"].nom]
    # A suspended label is not "expiring".
    Label.objects.filter(structure=network["ml_a"]).update(statut=Label.Statut.SUSPENDU)
    assert selectors.labels_expiring(arml_scope(network), filters(campagne)).total == 0


def test_no_campaign_yields_empty_figures(network):  # type: ignore[no-untyped-def]
    empty = selectors.dashboard(NATIONAL, Filters(campagne=None, region=None))
    assert empty.statuts.total == 0
    assert empty.niveaux.criteres == []
    assert empty.ecarts == [] and empty.semaines == []


# --- Who sees what -----------------------------------------------------------------------------


def test_national_admin_sees_every_region(data, admin, campagne):  # type: ignore[no-untyped-def]
    response = client_for(admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tableau de bord national" in html
    for region in ("Île-de-France", "Auvergne-Rhône-Alpes", "Bretagne", "Mayotte"):
        assert region in html
    assert "Mission Locale de Villeurbanne-Secret" in html
    assert "chart.umd.min.js" in html and "pilotage.js" in html
    assert 'id="pilotage-data"' in html
    assert response.context["data"].statuts.total == 3
    # The region filter narrows the figures.
    response = client_for(admin).get(URL, {"region": "84", "campagne": campagne.pk})
    assert response.status_code == 200
    assert response.context["data"].statuts.total == 1


def test_arml_sees_only_its_region(data, people, campagne, network):  # type: ignore[no-untyped-def]
    client = client_for(people.arml)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tableau de bord régional" in html and "Île-de-France" in html
    # Nothing of region 84 on the page: not its name, its ML, its label or its region row.
    assert "Auvergne-Rhône-Alpes" not in html
    assert "Villeurbanne-Secret" not in html
    assert "LBL-TEST-0003" not in html
    d = response.context["data"]
    assert d.statuts.total == 2
    assert [r.region for r in d.regions.rows] == ["11"]
    assert sum(w.autoevaluations for w in d.semaines) == 2
    assert {c.code: c for c in d.niveaux.criteres}["3.1"].autoevaluation == Decimal("3.50")
    assert {g.code: g.total for g in d.ecarts} == {X: 1, Y: 1}
    assert [r.numero for r in d.echeances.rows] == ["LBL-TEST-0001"]
    charts = response.context["charts"]
    assert charts["regions"]["labels"] == ["Île-de-France"]
    # Its own region explicitly: fine. Another region, an unknown campaign: 404.
    assert client.get(URL, {"region": "11"}).status_code == 200
    assert client.get(URL, {"region": "84"}).status_code == 404
    assert client.get(URL, {"region": "zz"}).status_code == 404
    assert client.get(URL, {"campagne": campagne.pk + 1000}).status_code == 404
    assert client.get(URL, {"campagne": "abc"}).status_code == 404


def test_arml_b_sees_region_84_only(data, network):  # type: ignore[no-untyped-def]
    referent_b = member(network["arml_b"], Role.REFERENT_ARML)
    response = client_for(referent_b).get(URL)
    assert response.status_code == 200
    d = response.context["data"]
    assert d.statuts.total == 1
    assert [r.numero for r in d.echeances.rows] == ["LBL-TEST-0003"]
    assert client_for(referent_b).get(URL, {"region": "11"}).status_code == 404


def test_others_get_404(data, people, network):  # type: ignore[no-untyped-def]
    auditeur = with_totp(AuditeurFactory().user)
    lecteur_arml = member(network["arml_a"], Role.LECTEUR)
    for user in (people.referent, people.direction, people.lecteur, auditeur, lecteur_arml):
        assert client_for(user).get(URL).status_code == 404, user


def test_anonymous_is_sent_to_login(client):  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_home_links_to_the_dashboard(admin, people):  # type: ignore[no-untyped-def]
    assert "Tableau de bord national" in client_for(admin).get("/").content.decode()
    assert "Tableau de bord régional" in client_for(people.arml).get("/").content.decode()
    html = client_for(people.referent).get("/").content.decode()
    assert URL not in html


# --- A constant number of queries -------------------------------------------------------------


def _queries(client: Any, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_constant(data, admin, people, campagne, network):  # type: ignore[no-untyped-def]
    national, arml = client_for(admin), client_for(people.arml)
    small = (_queries(national), _queries(arml), _queries(national, region="11"))

    # Nine more Missions Locales in both regions, with answers, audits, decisions and labels.
    b = Builder(admin, campagne)
    b.n = 500
    today = timezone.localdate()
    for i in range(9):
        arml_structure = network["arml_a"] if i % 2 else network["arml_b"]
        ml = MissionLocaleFactory(parent=arml_structure, region=arml_structure.region)
        b.dossier(
            ml,
            statut=E.LABELLISE if i % 3 else E.REPONSE_STRUCTURE,
            auto=str(1 + i % 4),
            submitted=at(W1 + dt.timedelta(days=7 * i)),
            audit={X: "ecart_mineur"} if i % 2 else {Y: "ecart_majeur"},
            validated=at(W2 + dt.timedelta(days=7 * i)),
            decided=at(W3 + dt.timedelta(days=7 * i)) if i % 3 else None,
            label_end=today + dt.timedelta(days=10 * i + 1) if i % 3 else None,
        )
    assert Dossier.objects.count() == 12
    large = (_queries(national), _queries(arml), _queries(national, region="11"))
    assert small == large
    assert max(large) <= 20
