"""Builders of the auditor's workspace tests: a dossier taken to the audit request (submitted
self-assessment with a recognisable justification on one criterion, a plan action and an
evidence file on it), the assignment, and a complete report."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile

from audits.models import Audit, Constat
from audits.services import assign_audit
from campagnes.autoevaluations.models import Preuve, Reponse, SyntheseCritere
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Dossier
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.plans.services import request_audit, submit_plan
from referentiel.models import Critere, Niveau
from tests.campagnes.conftest import fill_dossier

JUSTIFICATION_1_1 = "Statuts révisés en 2019 : les quatre collèges siègent au conseil."
SYNTHESE_1_1 = "Gouvernance partagée, financement à diversifier."
ACTION_1_1 = "Diversifier les financements de la structure"
PREUVE_1_1 = "Statuts de l'association"


def add_preuve(dossier: Dossier, code: str, titre: str, author: Any = None) -> Preuve:
    content = f"%PDF-1.4 {titre}".encode()
    return Preuve.objects.create(
        dossier=dossier,
        critere=Critere.objects.get(referentiel=dossier.campagne.referentiel, code=code),
        titre=titre,
        fichier=ContentFile(content, name="preuve.pdf"),
        nom_original=f"{titre}.pdf",
        type_mime="application/pdf",
        taille=len(content),
        empreinte=hashlib.sha256(content).hexdigest(),
        date_effet=dt.date(2024, 3, 1),
        ajoute_par=author,
    )


def add_action(dossier: Dossier, titre: str, *codes: str, author: Any = None) -> Action:
    plan, _ = PlanAmelioration.objects.get_or_create(dossier=dossier)
    action = Action.objects.create(plan=plan, titre=titre, created_by=author)
    action.criteres.add(
        *Critere.objects.filter(referentiel=dossier.campagne.referentiel, code__in=codes)
    )
    return action


def to_audit_request(dossier: Dossier, direction: Any, critere_code: str = "1.1") -> Dossier:
    """Fill and submit the self-assessment, write and submit the plan, request the audit. The
    criterion `critere_code` gets a recognisable justification, synthesis, evidence and action."""
    fill_dossier(dossier)
    Reponse.objects.filter(
        autoevaluation__dossier=dossier, element__critere__code=critere_code
    ).update(justification=JUSTIFICATION_1_1)
    SyntheseCritere.objects.filter(
        autoevaluation__dossier=dossier, critere__code=critere_code
    ).update(synthese=SYNTHESE_1_1)
    add_preuve(dossier, critere_code, PREUVE_1_1, direction)
    submit_autoevaluation(dossier, direction)
    add_action(dossier, ACTION_1_1, critere_code, author=direction)
    submit_plan(dossier, direction)
    return request_audit(dossier, direction)


def assign(dossier: Dossier, admin: Any, auditeur: Any) -> Audit:
    assign_audit(
        dossier,
        admin,
        auditeur=auditeur,
        date_debut=dt.date(2025, 10, 6),
        date_fin=dt.date(2025, 10, 7),
        sites="Siège de Lille ; antenne de Roubaix",
    )
    return Audit.objects.get(dossier=dossier)


def audit_niveau(dossier: Dossier, code: str) -> Niveau:
    return Niveau.objects.get(echelle_id=dossier.campagne.referentiel.echelle_audit_id, code=code)


def constat_of(audit: Audit, code: str) -> Constat:
    return Constat.objects.select_related("critere").get(audit=audit, critere__code=code)


def complete_report(audit: Audit, niveau_code: str = "conforme") -> None:
    """Every criterion gets a finding and the report its opening and recommendation (ORM)."""
    niveau = audit_niveau(audit.dossier, niveau_code)
    Constat.objects.filter(audit=audit).update(niveau=niveau, observation="Constaté sur site.")
    Audit.objects.filter(pk=audit.pk).update(
        points_forts="Une équipe engagée auprès des jeunes.",
        progres="Le plan d'action a été lancé.",
        avis_global="Structure solide.",
        recommandation=Audit.Recommandation.FAVORABLE,
    )
