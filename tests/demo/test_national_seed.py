"""`seed_demo --scale national` (issue 7): the national network and a campaign whose dossiers
went through every state of the workflow, written in bulk but exactly as the workflow writes
them. Seeded once per test (it takes a few seconds), then checked from every side."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from audits.commission.models import Decision, Label, PointOrdreDuJour
from audits.commission.services import current_tally
from audits.models import Audit, Constat
from campagnes.autoevaluations.models import Reponse, Snapshot
from campagnes.autoevaluations.selectors import missing_items
from campagnes.autoevaluations.services import snapshot_content
from campagnes.models import Campagne, Dossier, DossierTransition, DossierUserObjectPermission
from campagnes.plans.models import Action
from labelml.demo.national import (
    REGIONS,
    SeedRefused,
    national_ml_codes,
    seed_national,
)
from labelml.demo.national.data import NATIONAL_ML_COUNT, de_ville
from labelml.demo.network import ACCOUNTS, MLS
from labelml.structures.models import Membership, Region, Structure
from labelml.structures.roles import Role

pytestmark = pytest.mark.django_db

Statut = Dossier.Statut
DEMO_MLS = {ml[0] for ml in MLS}
AT_OR_PAST_AUDIT = {
    Statut.AUDIT_PLANIFIE,
    Statut.AUDIT_EN_COURS,
    Statut.REPONSE_STRUCTURE,
    Statut.EN_COMMISSION,
    Statut.LABELLISE,
    Statut.LABELLISE_SOUS_RESERVE,
    Statut.REFUSE,
}


class _Rollback(Exception):
    pass


def fingerprint() -> tuple:
    """What must not depend on the run: the states, the levels, the findings, the outcomes."""
    levels = hashlib.sha256()
    for row in (
        Reponse.objects.filter(niveau__isnull=False)
        .order_by("autoevaluation__dossier__structure__code", "element__ordre")
        .values_list("autoevaluation__dossier__structure__code", "element__code", "niveau__code")
    ):
        levels.update("|".join(row).encode())
    return (
        sorted(Counter(Dossier.objects.values_list("statut", flat=True)).items()),
        Reponse.objects.filter(niveau__valeur__isnull=False).aggregate(a=Avg("niveau__valeur"))[
            "a"
        ],
        levels.hexdigest(),
        sorted(Counter(Constat.objects.values_list("niveau__code", flat=True)).items(), key=str),
        sorted(Counter(Decision.objects.values_list("resultat", flat=True)).items()),
        DossierTransition.objects.count(),
    )


def row_counts() -> tuple:
    User = get_user_model()
    return (
        Structure.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Campagne.objects.count(),
        Dossier.objects.count(),
        Reponse.objects.count(),
        Snapshot.objects.count(),
        Action.objects.count(),
        Audit.objects.count(),
        Constat.objects.count(),
        Decision.objects.count(),
        Label.objects.count(),
        DossierTransition.objects.count(),
    )


def test_the_network_data_is_complete_and_consistent():
    codes = national_ml_codes()
    assert len(codes) == len(set(codes)) == NATIONAL_ML_COUNT
    assert DEMO_MLS <= set(codes)
    assert sum(r.missions_locales for r in REGIONS) == NATIONAL_ML_COUNT
    assert len({r.region for r in REGIONS}) == len(REGIONS) == 15
    assert all(r.region in Region.values for r in REGIONS)
    by_region = {Region(r.region).label: r.missions_locales for r in REGIONS}
    assert by_region["Île-de-France"] == 70 and by_region["Auvergne-Rhône-Alpes"] == 46
    assert [de_ville(v) for v in ("Brest", "Amiens", "Le Havre", "Les Mureaux", "La Rochelle")] == [
        "de Brest",
        "d'Amiens",
        "du Havre",
        "des Mureaux",
        "de La Rochelle",
    ]


def test_national_seed():
    # Deterministic: a first run, rolled back, and the real one give the same data.
    with pytest.raises(_Rollback), transaction.atomic():
        seed_national()
        first = fingerprint()
        raise _Rollback
    assert not Dossier.objects.exists()
    messages: list[str] = []
    result = seed_national(log=messages.append)
    assert fingerprint() == first
    assert result["structures"] == {"unml": 1, "arml": 15, "mission_locale": 436}
    assert any("430 dossiers créés" in m for m in messages)

    # The network: 15 ARMLs on distinct real regions, 436 MLs under the ARML of their region.
    assert Structure.objects.filter(type="unml").count() == 1
    armls = list(Structure.objects.filter(type="arml"))
    assert len(armls) == 15
    assert len({a.region for a in armls}) == 15 and {a.region for a in armls} <= set(Region.values)
    mls = list(Structure.objects.filter(type="mission_locale").select_related("parent"))
    assert len(mls) == 436
    assert all(
        ml.parent and ml.parent.type == "arml" and ml.parent.region == ml.region for ml in mls
    )
    assert len({ml.nom for ml in mls}) == 436
    assert all(ml.nom.startswith("Mission Locale ") for ml in mls)
    per_region = Counter(ml.region for ml in mls)
    assert per_region[Region.ILE_DE_FRANCE] == 70 and per_region[Region.CORSE] == 3

    # Its people: a direction and a quality referent per ML, a labelling referent per ARML.
    roles = Counter(
        Membership.objects.filter(structure__type="mission_locale").values_list(
            "structure_id", "role"
        )
    )
    for ml in mls:
        assert roles[(ml.pk, Role.DIRECTION)] >= 1 and roles[(ml.pk, Role.REFERENT_QUALITE)] >= 1
    for arml in armls:
        assert Membership.objects.filter(
            structure=arml, role=Role.REFERENT_ARML, user__email=f"{arml.code}@demo.labelml.fr"
        ).exists()
    # The documented demo accounts still work, and the small demo's dossiers are kept.
    User = get_user_model()
    for account in ACCOUNTS:
        assert User.objects.get(email=account.email).check_password("labelml-demo")
    assert User.objects.get(email="direction.brest@demo.labelml.fr").check_password("labelml-demo")
    paris = Dossier.objects.get(structure__code="ml-paris-est")
    assert paris.statut == Statut.AUTOEVALUATION
    assert not Membership.objects.filter(
        structure=paris.structure, user__email__startswith="direction."
    ).exists()

    # One campaign, 436 dossiers, every state the workflow reaches. `ajourne` is an outcome:
    # record_decision (audits.commission.services) sends the dossier back to the improvement plan.
    assert Campagne.objects.count() == 1
    dossiers = list(Dossier.objects.select_related("structure"))
    assert len(dossiers) == 436
    states = Counter(d.statut for d in dossiers)
    assert set(states) == set(Statut.values) - {Statut.AJOURNE}
    assert states[Statut.AUTOEVALUATION] > states[Statut.LABELLISE] > states[Statut.REFUSE] > 0
    adjourned = Decision.objects.filter(resultat="ajourne").select_related("dossier")
    assert adjourned.exists()
    assert {d.dossier.statut for d in adjourned} == {Statut.PLAN_AMELIORATION}
    assert set(Decision.objects.values_list("resultat", flat=True)) == set(Decision.Resultat.values)

    # The history: an unbroken chain of transitions from the opening to the current state.
    chains: dict[int, list[DossierTransition]] = {}
    for t in DossierTransition.objects.order_by("dossier_id", "at", "pk"):
        chains.setdefault(t.dossier_id, []).append(t)
    now = timezone.now()
    for d in dossiers:
        chain = chains[d.pk]
        assert chain[0].action == "open" and chain[0].from_state == ""
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_state == before.to_state and after.at > before.at, d
        assert chain[-1].to_state == d.statut and chain[-1].at <= now
    submissions = Counter(
        t.at.isocalendar()[:2]
        for t in DossierTransition.objects.filter(action="submit_autoevaluation")
    )
    assert len(submissions) > 20  # spread over the campaign's weeks

    # Past the self-assessment: a complete, frozen self-assessment.
    national = [d for d in dossiers if d.structure.code not in DEMO_MLS]
    with_snapshot = set(Snapshot.objects.values_list("dossier_id", flat=True))
    for d in dossiers:
        if d.statut != Statut.AUTOEVALUATION:
            assert d.pk in with_snapshot, d
    sample = [d for d in national[::25] if d.statut != Statut.AUTOEVALUATION]
    last_snapshots = {  # the last one of each (ordered by number: the last one wins)
        s.dossier_id: s for s in Snapshot.objects.filter(dossier__in=sample).order_by("numero")
    }
    for d in sample:
        assert missing_items(d) == []
        assert last_snapshots[d.pk].contenu == snapshot_content(d)
    progress = Counter(
        Reponse.objects.filter(
            autoevaluation__dossier__statut=Statut.AUTOEVALUATION, niveau__isnull=False
        ).values_list("autoevaluation_id", flat=True)
    )
    assert len(set(progress.values())) > 10  # self-assessments at every stage of progress
    # Levels differ by section: the dashboards have something to compare.
    by_section = dict(
        Reponse.objects.filter(niveau__valeur__isnull=False)
        .values_list("element__critere__section__code")
        .annotate(a=Avg("niveau__valeur"))
    )
    assert max(by_section.values()) - min(by_section.values()) > 0.3

    # Audits exist exactly for the dossiers at or past the audit (and the adjourned ones).
    audited = set(Audit.objects.values_list("dossier_id", flat=True))
    expected = {d.pk for d in dossiers if d.statut in AT_OR_PAST_AUDIT} | {
        d.dossier_id for d in adjourned
    }
    assert audited == expected
    assert set(DossierUserObjectPermission.objects.values_list("content_object_id", flat=True)) >= (
        audited - {d.pk for d in dossiers if d.structure.code in DEMO_MLS}
    )
    criteres = Dossier.objects.first().campagne.referentiel.criteres.count()
    for audit in Audit.objects.filter(statut=Audit.Statut.VALIDE).annotate(
        n=Count("constats"), rated=Count("constats__niveau")
    ):
        assert audit.n == audit.rated == criteres
    gaps = Counter(
        Constat.objects.filter(niveau__code__in=["ecart_mineur", "ecart_majeur"]).values_list(
            "critere__code", flat=True
        )
    ).most_common()
    assert gaps[0][1] > 2 * gaps[-1][1]  # some criteria are gap-prone

    # Decisions follow the votes; labels are valid, numbered once, and last three years.
    for point in PointOrdreDuJour.objects.filter(vote="clos").select_related(
        "seance", "decision", "dossier__campagne"
    ):
        outcome = current_tally(point).outcome
        if (
            outcome == "labellise"
            and Constat.objects.filter(
                audit__dossier=point.dossier, niveau__code="ecart_majeur"
            ).exists()
        ):
            outcome = "labellise_sous_reserve"
        assert outcome == point.decision.resultat
    today = timezone.localdate()
    labelled = [
        d for d in dossiers if d.statut in (Statut.LABELLISE, Statut.LABELLISE_SOUS_RESERVE)
    ]
    labels = {
        label.decision.dossier_id: label
        for label in Label.objects.select_related("decision", "structure")
    }
    assert set(labels) == {d.pk for d in labelled}
    assert len({label.numero for label in labels.values()}) == len(labels)
    for d in labelled:
        label = labels[d.pk]
        assert label.decision.resultat == d.statut and label.structure_id == d.structure_id
        assert re.fullmatch(r"LML-\d{4}-\d{5}", label.numero)
        assert label.statut_le(today) == "valide"
        assert label.date_fin == label.date_debut.replace(
            year=label.date_debut.year + 3
        ) - dt.timedelta(days=1)
        if d.statut == Statut.LABELLISE_SOUS_RESERVE:
            assert label.reserves
            assert Action.objects.filter(plan__dossier=d, origine="reserve").exists()
    for d in dossiers:
        if d.statut in (Statut.EN_COMMISSION, Statut.LABELLISE, Statut.LABELLISE_SOUS_RESERVE):
            assert not Constat.objects.filter(
                audit__dossier=d, niveau__code__in=["ecart_mineur", "ecart_majeur"]
            ).exclude(reponse_ecart__envoye_le__isnull=False)

    # Idempotent: a second run creates nothing.
    before = row_counts()
    again = seed_national()
    assert row_counts() == before
    assert again["utilisateurs_crees"] == 0 and again["campagnes"][0]["dossiers_crees"] == 0

    # An earlier campaign (one label validity before) is over, and its labels expire now.
    # Not for the small demo's six, first-time structures in the current campaign.
    more = seed_national(campaigns=2)
    assert [c["dossiers_crees"] for c in more["campagnes"]] == [0, 430]
    previous = Campagne.objects.get(nom="Campagne nationale de labellisation 2023")
    # Added after the current campaign: nothing to renew then (a label granted in 2026 is not
    # renewed by a campaign opened before it), and the dossiers already written stay as they are.
    assert not Dossier.objects.filter(renouvellement_de__isnull=False).exists()
    assert set(previous.dossiers.values_list("statut", flat=True)) <= {
        Statut.AUTOEVALUATION,
        Statut.PLAN_AMELIORATION,
        Statut.LABELLISE,
        Statut.LABELLISE_SOUS_RESERVE,
        Statut.REFUSE,
    }
    assert Label.objects.filter(
        decision__dossier__campagne=previous,
        date_fin__gte=today,
        date_fin__lte=today + dt.timedelta(days=183),
    ).exists()
    assert Dossier.objects.filter(campagne__nom__endswith="2026").count() == 436


def test_the_command_prints_a_french_summary(monkeypatch):
    from labelml.demo import national

    calls = {}

    def fake(**kwargs):  # type: ignore[no-untyped-def]
        calls.update(kwargs)
        return {
            "structures": {"unml": 1, "arml": 15, "mission_locale": 436},
            "utilisateurs_crees": 911,
            "campagnes": [
                {
                    "nom": "Campagne nationale de labellisation 2026",
                    "dossiers_crees": 430,
                    "dossiers": 436,
                    "statuts": {"autoevaluation": 108, "labellise": 45},
                    "decisions": {"labellise": 45, "ajourne": 12},
                    "labels": 45,
                    "duree": 3.0,
                }
            ],
            "duree": 6.0,
        }

    monkeypatch.setattr(national, "seed_national", fake)
    out = io.StringIO()
    call_command("seed_demo", "--scale", "national", "--campaigns", "3", stdout=out)
    text = out.getvalue()
    assert calls["campaigns"] == 3 and calls["seed"] == 2026
    assert "436 Missions Locales" in text and "Auto-évaluation" in text and "Durée" in text
    assert "arml-bretagne@demo.labelml.fr" in text and "admin@demo.labelml.fr" in text


def test_refused_in_production(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", "--scale", "national", stdout=io.StringIO())
    with pytest.raises(SeedRefused):
        seed_national()
    assert not Structure.objects.exists()
