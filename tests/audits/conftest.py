"""Fixtures for the external audit (SPEC §6).

`planifiable` is the dossier of network["ml_a"] brought to `audit_a_planifier` through the real
workflow (self-assessment filled and submitted by the direction, one plan action, plan
submitted, audit requested). Around it: an auditing body (`body`) with the auditor who gets the
mission (`auditeur`), a colleague (`collegue`) and its lead auditor (`lead`); and the lead auditor
of another body (`other_lead`). Every auditor has TOTP configured, as the middleware requires.

`assigned`, `started`, `submitted` and `validated` return the `Audit` at each later step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from audits.services import assign_audit, start_audit, submit_audit_report, validate_audit_report
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Dossier, DossierTransition
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.plans.services import request_audit, submit_plan
from labelml.notifications.models import Notification
from referentiel.models import Critere, Niveau
from tests.campagnes import conftest as _campagnes
from tests.conftest import with_totp
from tests.factories import AuditeurFactory, OrganismeAuditeurFactory

DATE_DEBUT = dt.date(2025, 9, 15)
DATE_FIN = dt.date(2025, 9, 17)

# The fixtures of tests/campagnes, made available to this package.
admin = _campagnes.admin
campagne = _campagnes.campagne
dossier = _campagnes.dossier
other_dossier = _campagnes.other_dossier
people = _campagnes.people
fill_dossier = _campagnes.fill_dossier

GAP_CRITERE = "1.1"  # rated ecart_majeur in a complete report
MINOR_GAP_CRITERE = "1.2"  # rated ecart_mineur
CONFORME_CRITERE = "2.1"


# --- helpers -------------------------------------------------------------------------------


def audit_niveau(dossier: Any, code: str) -> Niveau:
    """A level of the audit scale (point_fort, conforme, piste_de_progres, ecart_*)."""
    return Niveau.objects.get(echelle_id=dossier.campagne.referentiel.echelle_audit_id, code=code)


def autoeval_niveau(dossier: Any, code: str) -> Niveau:
    return Niveau.objects.get(
        echelle_id=dossier.campagne.referentiel.echelle_autoevaluation_id, code=code
    )


def add_action(dossier: Any, author: Any, titre: str = "Formaliser l'accueil") -> Action:
    plan = PlanAmelioration.objects.get(dossier=dossier)
    action = Action.objects.create(plan=plan, titre=titre, created_by=author)
    action.criteres.add(Critere.objects.get(referentiel=dossier.campagne.referentiel, code="1.1"))
    return action


def to_audit_a_planifier(dossier: Any, direction: Any) -> Any:
    """The real workflow up to the audit request."""
    fill_dossier(dossier)
    submit_autoevaluation(dossier, direction)
    add_action(dossier, direction)
    submit_plan(dossier, direction)
    request_audit(dossier, direction)
    dossier.refresh_from_db()
    assert dossier.statut == Dossier.Statut.AUDIT_A_PLANIFIER
    return dossier


def assign(dossier: Any, admin: Any, auditeur: Any) -> Any:
    from audits.models import Audit

    assign_audit(
        dossier,
        admin,
        auditeur=auditeur,
        date_debut=DATE_DEBUT,
        date_fin=DATE_FIN,
        sites="Siège et antenne de Meaux",
    )
    return Audit.objects.get(dossier=dossier)


def complete_report(audit: Any) -> None:
    """Fill every finding through the ORM: 1.1 a major gap, 1.2 a minor gap (both motivated),
    the rest conforme; strengths and a recommendation."""
    from audits.models import Audit, Constat

    dossier = audit.dossier
    constats = Constat.objects.filter(audit=audit)
    constats.update(niveau=audit_niveau(dossier, "conforme"), observation="Vu sur site.")
    constats.filter(critere__code=GAP_CRITERE).update(
        niveau=audit_niveau(dossier, "ecart_majeur"), observation="Aucune procédure écrite."
    )
    constats.filter(critere__code=MINOR_GAP_CRITERE).update(
        niveau=audit_niveau(dossier, "ecart_mineur"), observation="Procédure incomplète."
    )
    Audit.objects.filter(pk=audit.pk).update(
        points_forts="Une équipe engagée.",
        progres="Le plan d'action est suivi.",
        avis_global="Structure solide.",
        recommandation=Audit.Recommandation.RESERVE,
    )


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def constat(audit: Any, code: str) -> Any:
    from audits.models import Constat

    return Constat.objects.select_related("audit__dossier").get(audit=audit, critere__code=code)


def footprint(dossier: Any) -> dict[str, Any]:
    """Everything the audit steps may touch, read fresh from the database."""
    from audits.models import Audit, Constat, ReponseEcart, Revue
    from campagnes.models import DossierUserObjectPermission

    return {
        "statut": Dossier.objects.get(pk=dossier.pk).statut,
        "transitions": list(
            DossierTransition.objects.filter(dossier=dossier)
            .order_by("pk")
            .values_list("pk", "action", "from_state", "to_state", "reason")
        ),
        "audits": list(Audit.objects.filter(dossier=dossier).values().order_by("pk")),
        "audit_count": Audit.objects.count(),
        "constats": list(
            Constat.objects.filter(audit__dossier=dossier)
            .order_by("pk")
            .values_list(
                "pk", "niveau_id", "observation", "preuves_examinees", "version", "updated_at"
            )
        ),
        "constat_count": Constat.objects.count(),
        "revues": list(Revue.objects.filter(audit__dossier=dossier).values().order_by("pk")),
        "reponses": list(
            ReponseEcart.objects.filter(constat__audit__dossier=dossier).values().order_by("pk")
        ),
        "reponse_count": ReponseEcart.objects.count(),
        "notifications": Notification.objects.count(),
        "grants": list(
            DossierUserObjectPermission.objects.order_by("pk").values_list(
                "pk", "user_id", "content_object_id"
            )
        ),
    }


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def body(db):  # type: ignore[no-untyped-def]
    return OrganismeAuditeurFactory(nom="Qualicert")


@pytest.fixture
def auditeur(body):  # type: ignore[no-untyped-def]
    a = AuditeurFactory(organisme=body)
    with_totp(a.user)
    return a


@pytest.fixture
def collegue(body):  # type: ignore[no-untyped-def]
    """Another (non-lead) auditor of the same body."""
    a = AuditeurFactory(organisme=body)
    with_totp(a.user)
    return a


@pytest.fixture
def lead(body):  # type: ignore[no-untyped-def]
    a = AuditeurFactory(organisme=body, est_referent=True)
    with_totp(a.user)
    return a


@pytest.fixture
def other_lead(db):  # type: ignore[no-untyped-def]
    """The lead auditor of ANOTHER auditing body."""
    a = AuditeurFactory(
        organisme=OrganismeAuditeurFactory(nom="Autre organisme"), est_referent=True
    )
    with_totp(a.user)
    return a


@pytest.fixture
def planifiable(dossier, people):  # type: ignore[no-untyped-def]
    return to_audit_a_planifier(dossier, people.direction)


@pytest.fixture
def assigned(planifiable, admin, auditeur, lead):  # type: ignore[no-untyped-def]
    return assign(planifiable, admin, auditeur)


@pytest.fixture
def started(assigned, auditeur):  # type: ignore[no-untyped-def]
    start_audit(assigned.dossier, auditeur.user)
    return fresh(assigned)


@pytest.fixture
def submitted(started, auditeur):  # type: ignore[no-untyped-def]
    complete_report(started)
    submit_audit_report(started.dossier, auditeur.user)
    return fresh(started)


@pytest.fixture
def validated(submitted, lead):  # type: ignore[no-untyped-def]
    validate_audit_report(submitted.dossier, lead.user)
    return fresh(submitted)
