"""Writes of the external audit: findings (optimistic per-field saves, like the
self-assessment), the report's global fields, and the structure's answers to gaps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campagnes.autoevaluations.services import MAX_TEXT, SaveResult, _clean_text
from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities, lock_state_for_write
from labelml.core.ids import parse_id
from labelml.structures.roles import Capability
from referentiel.models import Niveau

from .models import GAP_CODES, Audit, Constat, ReponseEcart
from .selectors import gap_deadline

CONSTAT_FIELDS = {"niveau", "observation", "preuves_examinees"}
AUDIT_FIELDS = {"points_forts", "progres", "avis_global", "recommandation"}

__all__ = ["MAX_TEXT", "answer_gap", "save_audit_field", "save_constat_field"]


OPEN_STATUTS = (Audit.Statut.PLANIFIE, Audit.Statut.EN_COURS, Audit.Statut.A_REVOIR)


def _refuse_if_locked(audit_id: int, dossier_id: int) -> None:
    """Checked under a shared lock on the dossier (see lock_state_for_write), which the report's
    transitions lock for update: a save that read the finding just before the submission (an
    offline draft replayed late, say) is refused, it never slips into a locked report."""
    etat = lock_state_for_write(dossier_id)
    statut = Audit.objects.filter(pk=audit_id).values_list("statut", flat=True).first()
    if etat != Dossier.Etat.AUDIT_EN_COURS or statut not in OPEN_STATUTS:
        raise PermissionDenied("Le rapport est soumis : les constats ne peuvent plus changer.")


def ensure_can_record(actor: Any, audit: Audit) -> None:
    if Capability.RECORD_FINDINGS not in dossier_capabilities(actor, audit.dossier):
        raise PermissionDenied("Seul l'auditeur désigné saisit les constats, pendant l'évaluation.")
    if audit.locked:
        raise PermissionDenied("Le rapport est soumis : les constats ne peuvent plus changer.")


def save_constat_field(
    *, constat: Constat, actor: Any, champ: str, valeur: str, version: int
) -> SaveResult:
    if champ not in CONSTAT_FIELDS:
        raise ValidationError("Champ inconnu.")
    audit = constat.audit
    ensure_can_record(actor, audit)
    update: dict[str, Any]
    if champ == "niveau":
        niveau = None
        if valeur:
            niveau = Niveau.objects.filter(
                pk=parse_id(valeur) or 0,
                echelle_id=audit.dossier.campagne.referentiel.echelle_audit_pk,
            ).first()
            if niveau is None:
                raise ValidationError("Constat inconnu pour l'échelle d'évaluation externe.")
        update = {"niveau": niveau}
        stored = str(niveau.pk) if niveau else ""
    else:
        stored = _clean_text(valeur)
        update = {champ: stored}
    now = timezone.now()
    with transaction.atomic():
        _refuse_if_locked(audit.pk, audit.dossier_id)
        updated = Constat.objects.filter(pk=constat.pk, version=version).update(
            **update, version=F("version") + 1, updated_by=actor, updated_at=now
        )
    if updated:
        return SaveResult(True, version + 1, stored, actor, now)
    current = Constat.objects.select_related("updated_by").get(pk=constat.pk)
    value = str(current.niveau_id or "") if champ == "niveau" else getattr(current, champ)
    return SaveResult(False, current.version, value, current.updated_by, current.updated_at)


def save_audit_field(
    *, audit: Audit, actor: Any, champ: str, valeur: str, version: int
) -> SaveResult:
    if champ not in AUDIT_FIELDS:
        raise ValidationError("Champ inconnu.")
    ensure_can_record(actor, audit)
    if champ == "recommandation":
        if valeur and valeur not in Audit.Recommandation.values:
            raise ValidationError("Recommandation inconnue.")
        stored = valeur
    else:
        stored = _clean_text(valeur)
    with transaction.atomic():
        _refuse_if_locked(audit.pk, audit.dossier_id)
        updated = Audit.objects.filter(pk=audit.pk, version=version).update(
            **{champ: stored}, version=F("version") + 1
        )
    now = timezone.now()
    if updated:
        return SaveResult(True, version + 1, stored, actor, now)
    current = Audit.objects.get(pk=audit.pk)
    return SaveResult(False, current.version, getattr(current, champ))


@transaction.atomic
def answer_gap(
    *,
    constat: Constat,
    actor: Any,
    action_corrective: str,
    preuves: str = "",
    action_plan: Any = None,
    envoyer: bool = False,
) -> ReponseEcart:
    """The direction answers a gap (draft, then sent). Refused after the campaign's delay and
    once sent."""
    constat = (
        Constat.objects.select_for_update(of=("self",))
        .select_related("audit__dossier__campagne", "niveau")
        .get(pk=constat.pk)
    )
    audit = constat.audit
    dossier: Dossier = audit.dossier
    if Capability.ANSWER_CONSTATS not in dossier_capabilities(actor, dossier):
        raise PermissionDenied("Seule la direction répond aux écarts, après validation du rapport.")
    if not (constat.niveau and constat.niveau.code in GAP_CODES):
        raise ValidationError("Ce constat n'est pas un écart.")
    deadline = gap_deadline(audit)
    if deadline is None or timezone.localdate() > deadline:
        raise ValidationError(
            f"Le délai de réponse aux écarts est dépassé (échéance : {deadline:%d/%m/%Y})."
            if deadline
            else "Le rapport n'est pas encore validé."
        )
    existing = ReponseEcart.objects.filter(constat=constat).first()
    if existing is not None and existing.envoye_le is not None:
        raise ValidationError("Cette réponse a été envoyée : elle n'est plus modifiable.")
    action_corrective = _clean_text(action_corrective).strip()
    if not action_corrective:
        raise ValidationError("Décrivez l'action corrective.")
    if action_plan is not None and action_plan.plan.dossier_id != dossier.pk:
        raise ValidationError("Cette action n'appartient pas au plan de ce dossier.")
    reponse, _ = ReponseEcart.objects.update_or_create(
        constat=constat,
        defaults={
            "action_corrective": action_corrective,
            "preuves": _clean_text(preuves),
            "action_plan": action_plan,
            "auteur": actor,
            "envoye_le": timezone.now() if envoyer else None,
        },
    )
    return reponse
