"""Builders of the follow-up audit tests: a labelled dossier through the real workflow (self-
assessment, plan, audit with a major gap on 1.1, a minor gap on 1.2 and a piste de progrès on
2.1, answered gaps, commission vote and decision), and the dates of its label."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.commission import services as commission
from audits.commission.models import Label
from audits.models import Audit, Constat
from audits.services import answer_gap, file_demande
from labelml.structures.models import MembreCommission
from tests.audits.conftest import audit_niveau
from tests.factories import MembreCommissionFactory

PISTE_CRITERE = "2.1"
OBS_MAJEUR = "Aucune procédure écrite."
OBS_MINEUR = "Procédure incomplète."
OBS_PISTE = "Formaliser l'accueil sans rendez-vous des antennes."


def add_piste(audit: Audit) -> None:
    Constat.objects.filter(audit=audit, critere__code=PISTE_CRITERE).update(
        niveau=audit_niveau(audit.dossier, "piste_de_progres"), observation=OBS_PISTE
    )


def label_dossier(audit: Audit, admin: Any, direction: Any) -> Label:
    """From a validated report: the direction answers the gaps, three members vote, the chair
    decides (an open major gap gives « labellisé sous réserve »)."""
    dossier = audit.dossier
    for constat in Constat.objects.filter(
        audit=audit, niveau__code__in=("ecart_mineur", "ecart_majeur")
    ):
        answer_gap(
            constat=constat,
            actor=direction,
            action_corrective="Procédure rédigée et présentée aux équipes.",
            envoyer=True,
        )
    file_demande(dossier, direction)
    members: list[MembreCommission] = [MembreCommissionFactory() for _ in range(3)]
    seance = commission.create_seance(
        actor=admin, date=timezone.now(), president=members[0], membres=members[1:]
    )
    point = commission.add_to_agenda(actor=admin, seance=seance, dossier=dossier)
    for m in members:
        commission.cast_vote(point=point, user=m.user, choix="favorable")
    commission.close_vote(point=point, user=members[0].user)
    commission.decide(point=point, user=members[0].user, motivation="Démarche solide.")
    return Label.objects.get(decision__dossier=dossier)


def set_label_dates(label: Label, debut: dt.date, years: int = 3) -> Label:
    """Move the label's validity (the decision is dated today by the commission)."""
    Label.objects.filter(pk=label.pk).update(
        date_debut=debut, date_fin=debut.replace(year=debut.year + years) - dt.timedelta(days=1)
    )
    label.refresh_from_db()
    return label


def due_in(label: Label, days: int, today: dt.date | None = None) -> Label:
    """Dates the label so that its mid-term falls `days` after today (3-year validity)."""
    today = today or timezone.localdate()
    target = today + dt.timedelta(days=days)
    # mid = debut + round(span / 2) with span = 3 years − 1 day ≈ 1095 days → 548 days.
    debut = target - dt.timedelta(days=548)
    label = set_label_dates(label, debut)
    from audits.suivis.selectors import mid_term_date

    shift = (mid_term_date(label) - target).days
    if shift:
        label = set_label_dates(label, debut - dt.timedelta(days=shift))
    assert mid_term_date(label) == target
    return label


def pdf_upload(name: str = "procedure.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
