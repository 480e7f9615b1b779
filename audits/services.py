"""Writes of the external audit: findings (optimistic per-field saves, like the
self-assessment), the report's global fields, and the structure's answers to gaps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities, lock_state_for_write
from campagnes.workflow import locked_dossier, log_step, move, require_capability, require_state
from labelml.accounts.models import User
from labelml.core.autosave import MAX_TEXT, SaveResult, clean_text
from labelml.core.ids import parse_id
from labelml.core.optimistic import refusal, save_if_current
from labelml.core.pluriel import pluriel
from labelml.core.transitions import MissingItem, TransitionError
from labelml.notifications.services import notify, notify_national_admins, notify_structure
from labelml.structures.models import Membership
from labelml.structures.roles import Capability
from referentiel.models import Niveau

from .models import GAP_CODES, Audit, Constat, ReponseEcart, Revue
from .selectors import (
    DEMANDE_ACTION,
    EXTENSION_ACTION,
    EXTENSION_MAX_DAYS,
    assignment_capabilities,
    audit_capabilities,
    demande_filed,
    gap_deadline,
    report_missing_items,
    unanswered_gaps,
)

CONSTAT_FIELDS = {"niveau", "observation", "preuves_examinees"}
AUDIT_FIELDS = {"points_forts", "progres", "avis_global", "recommandation"}

__all__ = [
    "MAX_TEXT",
    "answer_gap",
    "assign_audit",
    "extend_gap_deadline",
    "file_demande",
    "return_audit_report",
    "save_audit_field",
    "save_constat_field",
    "start_audit",
    "submit_audit_report",
    "validate_audit_report",
]


OPEN_STATUTS = (Audit.Statut.PLANIFIE, Audit.Statut.EN_COURS, Audit.Statut.A_REVOIR)


def _refuse_if_locked(audit_id: int, dossier_id: int) -> None:
    """Checked under a shared lock on the dossier (see lock_state_for_write), which the report's
    transitions lock for update: a save that read the finding just before the submission (an
    offline draft replayed late, say) is refused, it never slips into a locked report."""
    dossier_statut = lock_state_for_write(dossier_id)
    audit_statut = Audit.objects.filter(pk=audit_id).values_list("statut", flat=True).first()
    if dossier_statut != Dossier.Statut.AUDIT_EN_COURS or audit_statut not in OPEN_STATUTS:
        raise PermissionDenied("Le rapport est soumis : les constats ne peuvent plus changer.")


def ensure_can_record(actor: User, audit: Audit) -> None:
    if Capability.RECORD_FINDINGS not in dossier_capabilities(actor, audit.dossier):
        raise PermissionDenied("Seul l'auditeur désigné saisit les constats, pendant l'évaluation.")
    if audit.locked:
        raise PermissionDenied("Le rapport est soumis : les constats ne peuvent plus changer.")


def save_constat_field(
    *, constat: Constat, actor: User, champ: str, valeur: str, version: int
) -> SaveResult:
    if champ not in CONSTAT_FIELDS:
        raise ValidationError("Champ inconnu.")
    audit = constat.audit
    ensure_can_record(actor, audit)
    if champ == "niveau":
        niveau = None
        if valeur:
            niveau = Niveau.objects.filter(
                pk=parse_id(valeur) or 0,
                echelle_id=audit.dossier.campagne.referentiel.echelle_audit_pk,
            ).first()
            if niveau is None:
                raise ValidationError("Constat inconnu pour l'échelle d'évaluation externe.")
        return _save(constat, actor, version, champ, niveau, str(niveau.pk) if niveau else "")
    stored = clean_text(valeur)
    return _save(constat, actor, version, champ, stored, stored)


def save_audit_field(
    *, audit: Audit, actor: User, champ: str, valeur: str, version: int
) -> SaveResult:
    if champ not in AUDIT_FIELDS:
        raise ValidationError("Champ inconnu.")
    ensure_can_record(actor, audit)
    if champ == "recommandation":
        if valeur and valeur not in Audit.Recommandation.values:
            raise ValidationError("Recommandation inconnue.")
        stored = valeur
    else:
        stored = clean_text(valeur)
    return _save(audit, actor, version, champ, stored, stored)


def _save(
    row: Constat | Audit, actor: User, version: int, champ: str, value: Any, stored: str
) -> SaveResult:
    """Set `champ` of a finding or the report to `value` (posted as `stored`) if `version` is
    still current and the report open. A finding records who saved it, and when."""
    audit = row if isinstance(row, Audit) else row.audit
    now = timezone.now()
    changes = {champ: value}
    if isinstance(row, Constat):
        changes.update(updated_by=actor, updated_at=now)
    with transaction.atomic():
        _refuse_if_locked(audit.pk, audit.dossier_id)
        updated = save_if_current(type(row), row.pk, version, **changes)
    if updated:
        return SaveResult(True, version + 1, stored, actor, now)
    return refusal(type(row), row.pk, champ, SaveResult)


@transaction.atomic
def answer_gap(
    *,
    constat: Constat,
    actor: User,
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
    action_corrective = clean_text(action_corrective).strip()
    if not action_corrective:
        raise ValidationError("Décrivez l'action corrective.")
    if action_plan is not None and action_plan.plan.dossier_id != dossier.pk:
        raise ValidationError("Cette action n'appartient pas au plan de ce dossier.")
    reponse, _ = ReponseEcart.objects.update_or_create(
        constat=constat,
        defaults={
            "action_corrective": action_corrective,
            "preuves": clean_text(preuves),
            "action_plan": action_plan,
            "auteur": actor,
            "envoye_le": timezone.now() if envoyer else None,
        },
    )
    return reponse


# --- The audit's steps (SPEC §6) ------------------------------------------------------------------


def require_independent(auditeur: Any, structure: Any) -> None:
    """An auditor (an audit's or a follow-up's) never evaluates a structure they belong to."""
    structures = [pk for pk in (structure.pk, structure.parent_id) if pk]
    if Membership.objects.filter(user_id=auditeur.user_id, structure_id__in=structures).exists():
        raise TransitionError(
            f"{auditeur.user} est membre de {structure.nom} ou de son ARML : "
            "un auditeur ne peut pas évaluer une structure à laquelle il appartient."
        )


def require_certified(auditeur: Any, until: Any) -> None:
    """Only a certified auditor is assigned (source document 000: "auditeurs certifiés"): the
    certification must be valid today and still on the last day on site."""
    day = max(timezone.localdate(), until) if until else timezone.localdate()
    if not auditeur.certifie_le(day):
        if auditeur.certification_etat == "absente":
            why = "n'a pas de certification enregistrée"
        elif auditeur.certifie_jusqu_au < timezone.localdate():
            why = f"a une certification expirée depuis le {auditeur.certifie_jusqu_au:%d/%m/%Y}"
        else:
            why = (
                f"est certifié jusqu'au {auditeur.certifie_jusqu_au:%d/%m/%Y} seulement, "
                "avant la fin de la mission"
            )
        raise TransitionError(
            f"{auditeur.user} {why} : seul un auditeur certifié peut être désigné. "
            "L'administrateur UNML met à jour sa certification."
        )


def _audit_locked(dossier: Dossier) -> Audit:
    audit = Audit.objects.select_for_update().filter(dossier=dossier).first()
    if audit is None:
        raise TransitionError("Aucune évaluation externe n'est planifiée pour ce dossier.")
    return audit


def assign_audit(
    dossier: Dossier,
    actor: User,
    *,
    auditeur: Any,
    date_debut: Any,
    date_fin: Any,
    sites: str = "",
) -> Dossier:
    """An administrator assigns the auditing body, the auditor, the dates and the sites. The
    auditor gets read access to this dossier only (a guardian object permission)."""
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.ADMINISTER, "planifier l'évaluation externe")
        require_state(dossier, [Dossier.Statut.AUDIT_A_PLANIFIER], "planifier l'évaluation externe")
        require_independent(auditeur, dossier.structure)
        require_certified(auditeur, date_fin)
        if date_fin < date_debut:
            raise TransitionError("Le dernier jour sur site doit suivre le premier.")
        audit = Audit.objects.create(
            dossier=dossier,
            organisme=auditeur.organisme,
            auditeur=auditeur,
            date_debut=date_debut,
            date_fin=date_fin,
            sites=sites,
        )
        Constat.objects.bulk_create(
            Constat(audit=audit, critere=c) for c in dossier.campagne.referentiel.criteres.all()
        )
        assign_perm("campagnes.view_dossier", auditeur.user, dossier)
        move(
            dossier,
            actor,
            "assign_audit",
            Dossier.Statut.AUDIT_PLANIFIE,
            f"{auditeur.user} ({auditeur.organisme}), du {date_debut:%d/%m/%Y} au "
            f"{date_fin:%d/%m/%Y}",
        )
        notify(
            [auditeur.user],
            titre=f"Nouvelle mission : {dossier.structure.nom}",
            message=f"Évaluation externe sur site du {date_debut:%d/%m/%Y} au "
            f"{date_fin:%d/%m/%Y}. Sites : {sites or 'à préciser'}.",
            url=reverse("audits:audit_overview", args=[dossier.pk]),
            dossier=dossier,
        )
        notify_structure(
            dossier,
            titre="Évaluation externe planifiée",
            message=f"Auditeur : {auditeur.user} ({auditeur.organisme}), du "
            f"{date_debut:%d/%m/%Y} au {date_fin:%d/%m/%Y}.",
            include_arml=True,
        )
    return dossier


def start_audit(dossier: Dossier, actor: User) -> Dossier:
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        audit = _audit_locked(dossier)
        if Capability.CONDUCT_AUDIT not in assignment_capabilities(actor, audit):
            raise PermissionDenied("Seul l'auditeur désigné démarre l'évaluation.")
        require_state(dossier, [Dossier.Statut.AUDIT_PLANIFIE], "démarrer l'évaluation")
        audit.statut = Audit.Statut.EN_COURS
        audit.save(update_fields=["statut"])
        move(dossier, actor, "start_audit", Dossier.Statut.AUDIT_EN_COURS)
    return dossier


def submit_audit_report(dossier: Dossier, actor: User) -> Dossier:
    """The auditor submits the report to the lead auditor of the body; the findings lock."""
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        audit = _audit_locked(dossier)
        if Capability.CONDUCT_AUDIT not in assignment_capabilities(actor, audit):
            raise PermissionDenied("Seul l'auditeur désigné soumet le rapport.")
        require_state(dossier, [Dossier.Statut.AUDIT_EN_COURS], "soumettre le rapport")
        if audit.statut not in (Audit.Statut.EN_COURS, Audit.Statut.A_REVOIR):
            raise TransitionError("Le rapport est déjà soumis à l'auditeur référent.")
        missing = report_missing_items(audit)
        if missing:
            raise TransitionError(
                "Le rapport n'est pas complet : "
                + pluriel(missing, "{n} point à compléter.", "{n} points à compléter."),
                missing,
            )
        audit.statut = Audit.Statut.SOUMIS
        audit.soumis_le = timezone.now()
        audit.save(update_fields=["statut", "soumis_le"])
        log_step(dossier, actor, "submit_audit_report")
        leads = [
            a.user
            for a in audit.organisme.auditeurs.filter(est_referent=True).select_related("user")
        ]
        notify(
            leads,
            titre=f"Rapport à relire : {dossier.structure.nom}",
            message=f"{actor} a soumis son rapport d'évaluation externe.",
            url=reverse("audits:audit_review", args=[dossier.pk]),
            dossier=dossier,
        )
    return dossier


def _require_lead(actor: User, dossier: Dossier, audit: Audit) -> None:
    if Capability.CONDUCT_AUDIT in assignment_capabilities(actor, audit):
        raise PermissionDenied("Un auditeur ne relit pas son propre rapport.")
    if Capability.REVIEW_AUDIT not in audit_capabilities(actor, dossier):
        raise PermissionDenied("Seul un auditeur référent de l'organisme relit les rapports.")


def return_audit_report(dossier: Dossier, actor: User, remarques: str) -> Dossier:
    """The lead auditor returns the report with remarks; the auditor can edit it again."""
    remarques = (remarques or "").strip()
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        audit = _audit_locked(dossier)
        _require_lead(actor, dossier, audit)
        if audit.statut != Audit.Statut.SOUMIS:
            raise TransitionError("Seul un rapport soumis peut être renvoyé.")
        if not remarques:
            raise TransitionError(
                "Indiquez vos remarques : l'auditeur en a besoin pour reprendre son rapport."
            )
        audit.statut = Audit.Statut.A_REVOIR
        audit.save(update_fields=["statut"])
        Revue.objects.create(
            audit=audit, decision=Revue.Decision.RENVOYE, remarques=remarques, par=actor
        )
        # The remarks stay between the auditors (SPEC §7, in the Revue row): the dossier's
        # journal, which the structure reads, only records that the report went back.
        log_step(dossier, actor, "return_audit_report")
        notify(
            [audit.auditeur.user],
            titre=f"Rapport renvoyé : {dossier.structure.nom}",
            message=remarques,
            url=reverse("audits:audit_overview", args=[dossier.pk]),
            dossier=dossier,
        )
    return dossier


def validate_audit_report(dossier: Dossier, actor: User) -> Dossier:
    """The lead auditor validates: the findings are final and the structure answers the gaps."""
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        audit = _audit_locked(dossier)
        _require_lead(actor, dossier, audit)
        require_state(dossier, [Dossier.Statut.AUDIT_EN_COURS], "valider le rapport")
        if audit.statut != Audit.Statut.SOUMIS:
            raise TransitionError("Seul un rapport soumis peut être validé.")
        audit.statut = Audit.Statut.VALIDE
        audit.valide_le = timezone.now()
        audit.valide_par = actor
        audit.save(update_fields=["statut", "valide_le", "valide_par"])
        Revue.objects.create(audit=audit, decision=Revue.Decision.VALIDE, par=actor)
        move(dossier, actor, "validate_audit_report", Dossier.Statut.REPONSE_STRUCTURE)
        delai = dossier.campagne.delai_reponse_jours
        notify_structure(
            dossier,
            titre="Rapport d'évaluation externe disponible",
            message=f"Répondez aux écarts dans les {delai} jours.",
            include_arml=True,
        )
        notify(
            [audit.auditeur.user],
            titre=f"Rapport validé : {dossier.structure.nom}",
            url=reverse("audits:audit_overview", args=[dossier.pk]),
            dossier=dossier,
        )
    return dossier


# --- The structure's demande de labellisation (source 000: "… et enfin demande de labellisation")


def file_demande(dossier: Dossier, actor: User, message: str = "") -> Dossier:
    """The direction files the demande de labellisation once every gap of the validated report
    is answered (sent): a step of the dossier's workflow that keeps its state (the dossier
    waits for the commission); only then can the UNML place it on an agenda."""
    what = "déposer la demande de labellisation"
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.ANSWER_CONSTATS, what)
        require_state(dossier, [Dossier.Statut.REPONSE_STRUCTURE], what)
        audit = Audit.objects.filter(dossier=dossier, statut=Audit.Statut.VALIDE).first()
        if audit is None:
            raise TransitionError("Le rapport d'évaluation externe n'est pas validé.")
        if demande_filed(dossier):
            raise TransitionError("La demande de labellisation est déjà déposée.")
        missing = unanswered_gaps(audit)
        if missing:
            raise TransitionError(
                "Répondez d'abord à chaque écart et envoyez la réponse.",
                [
                    MissingItem(
                        f"Écart du critère {c.critere.code} : réponse à envoyer",
                        reverse("audits:audit_gaps", args=[dossier.pk]) + f"#constat-{c.pk}",
                    )
                    for c in missing
                ],
            )
        log_step(dossier, actor, DEMANDE_ACTION, clean_text(message or "").strip()[:2000])
        notify_national_admins(
            dossier,
            titre=f"Demande de labellisation : {dossier.structure.nom}",
            message="Le dossier peut être inscrit à l'ordre du jour d'une séance.",
        )
    return dossier


def extend_gap_deadline(dossier: Dossier, actor: User, *, until: Any, motif: str) -> Audit:
    """A UNML administrator gives the structure until `until` to answer the gaps (after the
    campaign's delay has run out, the dossier could otherwise never reach the commission). The
    reason is kept in the dossier's journal and the structure is told."""
    what = "prolonger le délai de réponse aux écarts"
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.ADMINISTER, what)
        require_state(dossier, [Dossier.Statut.REPONSE_STRUCTURE], what)
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("dossier__campagne")
            .filter(dossier=dossier, statut=Audit.Statut.VALIDE)
            .first()
        )
        if audit is None:
            raise TransitionError("Le rapport d'évaluation externe n'est pas validé.")
        if not unanswered_gaps(audit):
            raise TransitionError("Chaque écart a déjà sa réponse envoyée : rien à prolonger.")
        today = timezone.localdate()
        current = gap_deadline(audit)
        latest = today + dt.timedelta(days=EXTENSION_MAX_DAYS)
        if until <= max(today, current or today):
            raise ValidationError(
                f"Choisissez une date postérieure à l'échéance actuelle ({current:%d/%m/%Y}) et "
                "à aujourd'hui."
            )
        if until > latest:
            raise ValidationError(
                f"Un délai se prolonge de {EXTENSION_MAX_DAYS} jours au plus : au plus tard le "
                f"{latest:%d/%m/%Y}."
            )
        motif = clean_text(motif or "").strip()
        if not motif:
            raise ValidationError("Indiquez le motif de la prolongation.")
        audit.echeance_ecarts_prolongee = until
        audit.save(update_fields=["echeance_ecarts_prolongee"])
        log_step(dossier, actor, EXTENSION_ACTION, f"Jusqu'au {until:%d/%m/%Y} : {motif[:2000]}")
        notify_structure(
            dossier,
            titre="Délai de réponse aux écarts prolongé",
            message=f"Vous pouvez répondre aux écarts jusqu'au {until:%d/%m/%Y}. Motif : {motif}",
        )
    return audit
