"""The dossier workflow (SPEC §3), in one place.

Every transition is a function that takes the dossier and the actor and: locks the dossier row,
checks the actor's right (PermissionDenied → 403) and the state and preconditions
(TransitionError, with a French message), applies the change with `update_fields`, writes a
`DossierTransition` row (who, when, from, to, reason) and schedules notifications after commit.
Nothing half-applies: all of it runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for

from .models import Dossier, DossierTransition

Etat = Dossier.Etat


@dataclass
class MissingItem:
    label: str
    url: str = ""
    # "a_confirmer": a copied answer or synthesis of a renewal nobody confirmed yet.
    kind: str = ""


@dataclass
class TransitionError(Exception):
    """An illegal transition or an unmet precondition. Nothing was changed."""

    message: str
    missing: list[MissingItem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def _locked(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update()
        .select_related("structure", "campagne")
        .get(pk=dossier.pk)
    )


def _require(actor: Any, dossier: Dossier, capability: Capability, what: str) -> None:
    if capability not in capabilities_for(actor, dossier.structure):
        raise PermissionDenied(f"Votre rôle ne permet pas de {what}.")


def _require_state(dossier: Dossier, allowed: Iterable[str], what: str) -> None:
    if dossier.etat not in set(allowed):
        raise TransitionError(
            f"Impossible de {what} : le dossier est à l'étape « {dossier.get_etat_display()} »."
        )


def _move(dossier: Dossier, actor: Any, action: str, to: str, reason: str = "") -> Dossier:
    previous = dossier.etat
    dossier.etat = to
    dossier.save(update_fields=["etat", "updated_at"])
    DossierTransition.objects.create(
        dossier=dossier,
        action=action,
        from_etat=previous,
        to_etat=to,
        actor=actor,
        reason=reason,
    )
    return dossier


def _log(dossier: Dossier, actor: Any, action: str, reason: str = "") -> None:
    """An audit-trail entry for a step that does not change the state (e.g. plan submitted)."""
    DossierTransition.objects.create(
        dossier=dossier,
        action=action,
        from_etat=dossier.etat,
        to_etat=dossier.etat,
        actor=actor,
        reason=reason,
    )


def submit_autoevaluation(dossier: Dossier, actor: Any) -> Dossier:
    """The direction submits a complete self-assessment: it is frozen as a new snapshot and the
    dossier moves on to the improvement plan."""
    from campagnes.autoevaluations.selectors import missing_items
    from campagnes.autoevaluations.services import take_snapshot
    from labelml.notifications.services import notify_structure

    with transaction.atomic():
        dossier = _locked(dossier)
        _require(actor, dossier, Capability.SUBMIT, "soumettre l'auto-évaluation")
        _require_state(dossier, [Etat.AUTOEVALUATION], "soumettre l'auto-évaluation")
        missing = missing_items(dossier)
        if missing:
            to_confirm = sum(1 for m in missing if m.kind == "a_confirmer")
            raise TransitionError(
                f"L'auto-évaluation n'est pas complète : {len(missing)} point(s) à compléter"
                + (
                    f", dont {to_confirm} réponse(s) reprise(s) du dossier précédent à "
                    "confirmer (confirmez-les telles quelles ou modifiez-les)."
                    if to_confirm
                    else "."
                ),
                missing,
            )
        snapshot = take_snapshot(dossier, actor)
        _move(
            dossier,
            actor,
            "submit_autoevaluation",
            Etat.PLAN_AMELIORATION,
            reason=f"Version {snapshot.numero} soumise (empreinte {snapshot.empreinte[:12]}…)",
        )
        notify_structure(
            dossier,
            titre=f"Auto-évaluation soumise — {dossier.structure.nom}",
            message=f"{actor} a soumis l'auto-évaluation. Prochaine étape : le plan "
            "d'amélioration.",
            include_arml=True,
        )
    return dossier


def submit_plan(dossier: Dossier, actor: Any) -> Dossier:
    """The direction validates the improvement plan (it stays editable until the audit is
    requested)."""
    from campagnes.plans.models import Action, PlanAmelioration

    with transaction.atomic():
        dossier = _locked(dossier)
        _require(actor, dossier, Capability.SUBMIT, "soumettre le plan d'amélioration")
        _require_state(dossier, [Etat.PLAN_AMELIORATION], "soumettre le plan d'amélioration")
        plan, _ = PlanAmelioration.objects.select_for_update().get_or_create(dossier=dossier)
        counts = plan.actions.aggregate(
            total=Count("pk"), live=Count("pk", filter=~Q(statut=Action.Statut.ABANDONNE))
        )
        if not counts["total"]:
            raise TransitionError("Le plan d'amélioration ne contient encore aucune action.")
        if not counts["live"]:
            # A plan is what the structure commits to: one made only of dropped actions is none.
            raise TransitionError(
                "Toutes les actions du plan sont abandonnées : le plan soumis doit porter au "
                "moins une action à mener."
            )
        plan.soumis_le = timezone.now()
        plan.soumis_par = actor
        plan.save(update_fields=["soumis_le", "soumis_par"])
        _log(dossier, actor, "submit_plan", f"{counts['total']} action(s)")
    return dossier


def request_audit(dossier: Dossier, actor: Any) -> Dossier:
    """The direction asks for the external audit once the plan is submitted."""
    from campagnes.plans.models import PlanAmelioration
    from labelml.notifications.services import notify_national_admins, notify_structure

    with transaction.atomic():
        dossier = _locked(dossier)
        _require(actor, dossier, Capability.SUBMIT, "demander l'évaluation externe")
        _require_state(dossier, [Etat.PLAN_AMELIORATION], "demander l'évaluation externe")
        plan = PlanAmelioration.objects.filter(dossier=dossier).first()
        if plan is None or plan.soumis_le is None:
            raise TransitionError(
                "Soumettez d'abord le plan d'amélioration avant de demander l'évaluation externe."
            )
        _move(dossier, actor, "request_audit", Etat.AUDIT_A_PLANIFIER)
        notify_structure(
            dossier,
            titre=f"Évaluation externe demandée — {dossier.structure.nom}",
            message="L'UNML va désigner un organisme d'évaluation et un auditeur.",
            include_arml=True,
        )
        notify_national_admins(
            dossier,
            titre=f"Évaluation externe à planifier — {dossier.structure.nom}",
            message=f"{actor} demande l'évaluation externe du dossier.",
        )
    return dossier


def reopen_autoevaluation(dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """An administrator sends the dossier back to the self-assessment; the reason is logged.
    The submitted snapshot stays as it was; the next submission creates a new one."""
    from labelml.notifications.services import notify_structure

    reason = (reason or "").strip()
    with transaction.atomic():
        dossier = _locked(dossier)
        _require(actor, dossier, Capability.ADMINISTER, "rouvrir l'auto-évaluation")
        _require_state(
            dossier, [Etat.PLAN_AMELIORATION, Etat.AUDIT_A_PLANIFIER], "rouvrir l'auto-évaluation"
        )
        if not reason:
            raise TransitionError("Indiquez le motif de la réouverture : il est conservé.")
        _move(dossier, actor, "reopen_autoevaluation", Etat.AUTOEVALUATION, reason)
        notify_structure(
            dossier,
            titre=f"Auto-évaluation rouverte — {dossier.structure.nom}",
            message=f"Motif : {reason}",
        )
    return dossier


# --- External audit (SPEC §6) -----------------------------------------------------------------


def _audit_locked(dossier: Dossier) -> Any:
    from audits.models import Audit

    audit = Audit.objects.select_for_update().filter(dossier=dossier).first()
    if audit is None:
        raise TransitionError("Aucune évaluation externe n'est planifiée pour ce dossier.")
    return audit


def assign_audit(
    dossier: Dossier,
    actor: Any,
    *,
    auditeur: Any,
    date_debut: Any,
    date_fin: Any,
    sites: str = "",
) -> Dossier:
    """An administrator assigns the auditing body, the auditor, the dates and the sites. The
    auditor gets read access to this dossier only (a guardian object permission)."""
    from guardian.shortcuts import assign_perm

    from audits.models import Audit, Constat
    from labelml.notifications.services import notify, notify_structure
    from labelml.structures.models import Membership

    with transaction.atomic():
        dossier = _locked(dossier)
        _require(actor, dossier, Capability.ADMINISTER, "planifier l'évaluation externe")
        _require_state(dossier, [Etat.AUDIT_A_PLANIFIER], "planifier l'évaluation externe")
        structures = [pk for pk in (dossier.structure_id, dossier.structure.parent_id) if pk]
        if Membership.objects.filter(
            user_id=auditeur.user_id, structure_id__in=structures
        ).exists():
            raise TransitionError(
                f"{auditeur.user} est membre de {dossier.structure.nom} ou de son ARML : "
                "un auditeur ne peut pas évaluer une structure à laquelle il appartient."
            )
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
        _move(
            dossier,
            actor,
            "assign_audit",
            Etat.AUDIT_PLANIFIE,
            f"{auditeur.user} ({auditeur.organisme}), du {date_debut:%d/%m/%Y} au "
            f"{date_fin:%d/%m/%Y}",
        )
        notify(
            [auditeur.user],
            titre=f"Nouvelle mission : {dossier.structure.nom}",
            message=f"Évaluation externe sur site du {date_debut:%d/%m/%Y} au "
            f"{date_fin:%d/%m/%Y}. Sites : {sites or 'à préciser'}.",
            url=f"/dossiers/{dossier.pk}/audit/",
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


def start_audit(dossier: Dossier, actor: Any) -> Dossier:
    from audits.models import Audit

    with transaction.atomic():
        dossier = _locked(dossier)
        audit = _audit_locked(dossier)
        if audit.auditeur.user_id != getattr(actor, "pk", None):
            raise PermissionDenied("Seul l'auditeur désigné démarre l'évaluation.")
        _require_state(dossier, [Etat.AUDIT_PLANIFIE], "démarrer l'évaluation")
        audit.statut = Audit.Statut.EN_COURS
        audit.save(update_fields=["statut"])
        _move(dossier, actor, "start_audit", Etat.AUDIT_EN_COURS)
    return dossier


def submit_audit_report(dossier: Dossier, actor: Any) -> Dossier:
    """The auditor submits the report to the lead auditor of the body; the findings lock."""
    from audits.models import Audit
    from audits.selectors import report_missing_items
    from labelml.notifications.services import notify

    with transaction.atomic():
        dossier = _locked(dossier)
        audit = _audit_locked(dossier)
        if audit.auditeur.user_id != getattr(actor, "pk", None):
            raise PermissionDenied("Seul l'auditeur désigné soumet le rapport.")
        _require_state(dossier, [Etat.AUDIT_EN_COURS], "soumettre le rapport")
        if audit.statut not in (Audit.Statut.EN_COURS, Audit.Statut.A_REVOIR):
            raise TransitionError("Le rapport est déjà soumis à l'auditeur référent.")
        missing = report_missing_items(audit)
        if missing:
            raise TransitionError(
                f"Le rapport n'est pas complet : {len(missing)} point(s) à compléter.", missing
            )
        audit.statut = Audit.Statut.SOUMIS
        audit.soumis_le = timezone.now()
        audit.save(update_fields=["statut", "soumis_le"])
        _log(dossier, actor, "submit_audit_report")
        leads = [
            a.user
            for a in audit.organisme.auditeurs.filter(est_referent=True).select_related("user")
        ]
        notify(
            leads,
            titre=f"Rapport à relire : {dossier.structure.nom}",
            message=f"{actor} a soumis son rapport d'évaluation externe.",
            url=f"/dossiers/{dossier.pk}/audit/revue/",
            dossier=dossier,
        )
    return dossier


def _require_lead(actor: Any, audit: Any) -> None:
    if audit.auditeur.user_id == getattr(actor, "pk", None):
        raise PermissionDenied("Un auditeur ne relit pas son propre rapport.")
    if not audit.organisme.auditeurs.filter(
        user_id=getattr(actor, "pk", None), est_referent=True
    ).exists():
        raise PermissionDenied("Seul un auditeur référent de l'organisme relit les rapports.")


def return_audit_report(dossier: Dossier, actor: Any, remarques: str) -> Dossier:
    """The lead auditor returns the report with remarks; the auditor can edit it again."""
    from audits.models import Audit, Revue
    from labelml.notifications.services import notify

    remarques = (remarques or "").strip()
    with transaction.atomic():
        dossier = _locked(dossier)
        audit = _audit_locked(dossier)
        _require_lead(actor, audit)
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
        _log(dossier, actor, "return_audit_report", remarques)
        notify(
            [audit.auditeur.user],
            titre=f"Rapport renvoyé : {dossier.structure.nom}",
            message=remarques,
            url=f"/dossiers/{dossier.pk}/audit/",
            dossier=dossier,
        )
    return dossier


def validate_audit_report(dossier: Dossier, actor: Any) -> Dossier:
    """The lead auditor validates: the findings are final and the structure answers the gaps."""
    from audits.models import Audit, Revue
    from labelml.notifications.services import notify, notify_structure

    with transaction.atomic():
        dossier = _locked(dossier)
        audit = _audit_locked(dossier)
        _require_lead(actor, audit)
        _require_state(dossier, [Etat.AUDIT_EN_COURS], "valider le rapport")
        if audit.statut != Audit.Statut.SOUMIS:
            raise TransitionError("Seul un rapport soumis peut être validé.")
        audit.statut = Audit.Statut.VALIDE
        audit.valide_le = timezone.now()
        audit.valide_par = actor
        audit.save(update_fields=["statut", "valide_le", "valide_par"])
        Revue.objects.create(audit=audit, decision=Revue.Decision.VALIDE, par=actor)
        _move(dossier, actor, "validate_audit_report", Etat.REPONSE_STRUCTURE)
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
            url=f"/dossiers/{dossier.pk}/audit/",
            dossier=dossier,
        )
    return dossier


# --- Commission (SPEC §7) ---------------------------------------------------------------------


def place_on_agenda(dossier: Dossier, actor: Any) -> Dossier:
    """An administrator puts a dossier whose audit report and gap answers are complete on a
    séance's agenda (the séance itself is handled by audits.commission.services)."""
    from audits.models import Audit, Constat

    with transaction.atomic():
        dossier = _locked(dossier)
        _require(actor, dossier, Capability.ADMINISTER, "inscrire le dossier à l'ordre du jour")
        _require_state(
            dossier,
            [Etat.REPONSE_STRUCTURE, Etat.EN_COMMISSION],
            "inscrire le dossier à l'ordre du jour",
        )
        audit = Audit.objects.filter(dossier=dossier, statut=Audit.Statut.VALIDE).first()
        if audit is None:
            raise TransitionError("Le rapport d'évaluation externe n'est pas validé.")
        unanswered = Constat.objects.filter(
            audit=audit, niveau__code__in=("ecart_mineur", "ecart_majeur")
        ).exclude(reponse_ecart__envoye_le__isnull=False)
        if unanswered.exists() and dossier.etat == Etat.REPONSE_STRUCTURE:
            codes = ", ".join(unanswered.values_list("critere__code", flat=True))
            raise TransitionError(f"La structure n'a pas encore répondu aux écarts ({codes}).")
        if dossier.etat == Etat.REPONSE_STRUCTURE:
            _move(dossier, actor, "place_on_agenda", Etat.EN_COMMISSION)
        else:
            _log(dossier, actor, "place_on_agenda")
    return dossier


def record_decision(dossier: Dossier, actor: Any, resultat: str, motivation: str) -> Dossier:
    """The commission's decision moves the dossier (called by audits.commission.services.decide,
    which
    checks the chair, the vote and the quorum). `ajourne` sends it back to the plan."""
    target = {
        "labellise": Etat.LABELLISE,
        "labellise_sous_reserve": Etat.LABELLISE_SOUS_RESERVE,
        "refuse": Etat.REFUSE,
        "ajourne": Etat.PLAN_AMELIORATION,
    }[resultat]
    dossier = _locked(dossier)
    _require_state(dossier, [Etat.EN_COMMISSION], "enregistrer la décision")
    _move(dossier, actor, f"decision_{resultat}", target, motivation)
    return dossier
