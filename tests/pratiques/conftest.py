"""Fixtures for the remarkable practices: the audit fixtures (ML A's dossier up to a running or
validated audit, its auditor, the UNML administrator, one member per role around ML A), a
"point fort" finding, and a practice at each step of its life through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from audits.commission.models import Decision, Label, PointOrdreDuJour, Seance
from audits.models import Constat
from audits.pratiques import services
from audits.pratiques.models import Pratique
from referentiel.models import Critere
from tests.audits import conftest as _audits
from tests.campagnes import conftest as _campagnes
from tests.factories import MembreCommissionFactory

admin = _audits.admin
filled_dossier = _campagnes.filled_dossier
campagne = _audits.campagne
dossier = _audits.dossier
other_dossier = _audits.other_dossier
people = _audits.people
body = _audits.body
auditeur = _audits.auditeur
collegue = _audits.collegue
lead = _audits.lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated

POINT_FORT_CRITERE = "2.1"
DESCRIPTION = (
    "Des entreprises du territoire parrainent des jeunes éloignés de l'emploi : "
    "l'insertion professionnelle passe par des immersions et un suivi partagé."
)


def critere(dossier: Any, code: str) -> Critere:
    return Critere.objects.get(referentiel=dossier.campagne.referentiel, code=code)


def propose(dossier: Any, actor: Any, titre: str = "Parrainage par les entreprises", **kw: Any):
    data: dict[str, Any] = {
        "titre": titre,
        "description": DESCRIPTION,
        "criteres": [critere(dossier, POINT_FORT_CRITERE)],
        "contact_nom": "Claire Martin",
        "contact_email": "claire.martin@example.org",
        "publics": ["jeunes", "entreprises"],
    }
    data.update(kw)
    return services.propose(dossier, actor, **data)


def publish(pratique: Pratique, direction: Any, admin: Any, consentement: str = "reseau"):
    services.consent(pratique, direction, consentement)
    return services.publish(pratique, admin)


@pytest.fixture
def point_fort(started) -> Constat:  # type: ignore[no-untyped-def]
    """A "point fort" finding on criterion 2.1 of ML A's running audit."""
    constat = _audits.constat(started, POINT_FORT_CRITERE)
    constat.niveau = _audits.audit_niveau(started.dossier, "point_fort")
    constat.observation = "Un réseau d'entreprises marraines très actif."
    constat.save()
    return constat


@pytest.fixture
def proposee(dossier, people) -> Pratique:  # type: ignore[no-untyped-def]
    return propose(dossier, people.referent)


@pytest.fixture
def publiee(proposee, people, admin) -> Pratique:  # type: ignore[no-untyped-def]
    return publish(proposee, people.direction, admin, "public")


def make_label(dossier: Any, numero: str = "LML-2026-00042") -> Label:
    """A label in force for the dossier's structure (the commission's rows, directly)."""
    seance = Seance.objects.create(date=timezone.now(), president=MembreCommissionFactory())
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=dossier, vote="clos")
    decision = Decision.objects.create(
        point=point, dossier=dossier, resultat="labellise", motivation="M"
    )
    today = timezone.localdate()
    return Label.objects.create(
        structure=dossier.structure,
        decision=decision,
        numero=numero,
        date_debut=today,
        date_fin=today + dt.timedelta(days=365),
    )
