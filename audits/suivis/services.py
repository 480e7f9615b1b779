"""Writes of the follow-up audit (SPEC §7b), one function per step.

Each step goes through the engine every workflow shares (labelml.core.transitions, `SUIVI`
here): one transaction with a row lock on the follow-up, the actor's right checked
(PermissionDenied → 403) then the state and preconditions (TransitionError, with a French
message and, when useful, the list of what is missing), writes with `update_fields`, a
journal row and its notifications queued (e-mailed after commit). Nothing half-applies.

Per-field saves (the structure's answers, the auditor's findings) are optimistic
(labelml.core.optimistic), as in the self-assessment: a save made on an outdated version is
refused and returns the stored value.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from audits.commission.models import Label
from audits.models import GAP_CODES, Audit, Constat
from audits.services import require_certified, require_independent
from campagnes.autoevaluations.models import Preuve
from campagnes.autoevaluations.preuves import check_upload
from campagnes.models import DossierTransition
from campagnes.plans.models import Action
from campagnes.plans.services import action_version
from labelml.accounts.models import User
from labelml.core.autosave import MAX_TEXT, SaveResult, clean_text
from labelml.core.ids import parse_id
from labelml.core.optimistic import refusal, save_if_current, stored_value
from labelml.core.pluriel import pluriel
from labelml.core.transitions import JournalTable, TransitionError, Workflow
from labelml.notifications.services import STRUCTURE_ROLES, notify
from labelml.structures.models import Auditeur
from labelml.structures.roles import Capability, Role

from .models import AuditSuivi, PointSuivi
from .selectors import (
    conclusion_missing_items,
    file_missing_items,
    horizon_days,
    mid_term_date,
    suivi_capabilities,
)

logger = logging.getLogger(__name__)
Statut = AuditSuivi.Statut

PISTE = "piste_de_progres"
NATURE_ORDER = {"ecart_majeur": 0, "ecart_mineur": 1, PISTE: 2}
ANSWER_FIELDS = ("reponse", "action")
FINDING_FIELDS = ("avis", "commentaire")

__all__ = [
    "MAX_TEXT",
    "TransitionError",
    "add_point_preuve",
    "answer_point",
    "clean_answer",
    "clean_finding",
    "assign_followup",
    "conclude",
    "record_finding",
    "save_bilan",
    "schedule_due_followups",
    "schedule_followup",
    "send_file",
    "set_visio_date",
    "start_review",
    "update_action_progress",
]


# --- helpers -------------------------------------------------------------------------------------


SUIVI = Workflow(
    AuditSuivi,
    "statut",
    "l'audit de suivi",
    JournalTable(DossierTransition, "suivi", "statut"),
    related=("label", "dossier__structure", "dossier__campagne", "auditeur__user", "organisme"),
    lock_of=("self",),
)


def _require_label_not_withdrawn(suivi: AuditSuivi, what: str) -> None:
    """A withdrawn label has nothing left to follow up (a suspended one has: the follow-up may
    be what lifts the suspension)."""
    if suivi.label.statut == Label.Statut.RETIRE:
        raise TransitionError(
            f"Impossible de {what} : le label n° {suivi.label.numero} a été retiré."
        )


def _require_auditor(actor: User, suivi: AuditSuivi, what: str) -> None:
    if Capability.REVIEW_SUIVI not in suivi_capabilities(actor, suivi):
        raise PermissionDenied(f"Seul l'auditeur désigné peut {what}.")


def _url(suivi: AuditSuivi, name: str = "suivis:suivi_detail") -> str:
    return reverse(name, args=[suivi.pk])


def _structure_people(suivi: AuditSuivi, include_arml: bool = False) -> list[Any]:
    """The structure's quality referents and direction (and its ARML's referents if asked)."""
    User = get_user_model()
    structure = suivi.dossier.structure
    users = list(
        User.objects.filter(
            memberships__structure=structure, memberships__role__in=STRUCTURE_ROLES
        ).distinct()
    )
    if include_arml and structure.parent_id:
        users += list(
            User.objects.filter(
                memberships__structure_id=structure.parent_id,
                memberships__role=Role.REFERENT_ARML,
            )
        )
    return users


def _national_admins() -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(
            memberships__role=Role.ADMIN_UNML, memberships__structure__type="unml"
        ).distinct()
    )


def _notify(users: list[Any], suivi: AuditSuivi, titre: str, message: str, url: str = "") -> None:
    notify(users, titre=titre[:200], message=message, url=url or _url(suivi), dossier=suivi.dossier)


# --- scheduling ----------------------------------------------------------------------------------


def _points_from_initial_audit(suivi: AuditSuivi) -> list[PointSuivi]:
    """One point per gap and per piste de progrès of the dossier's validated audit: gaps
    first, the most serious first, then in the référentiel's order."""
    constats = list(
        Constat.objects.filter(
            audit__dossier=suivi.dossier,
            audit__statut=Audit.Statut.VALIDE,
            niveau__code__in=(*GAP_CODES, PISTE),
        ).select_related("critere", "niveau")
    )
    constats.sort(key=lambda c: (NATURE_ORDER[c.niveau.code], c.critere.ordre))  # type: ignore[union-attr]
    return [
        PointSuivi(
            suivi=suivi,
            critere=c.critere,
            nature=c.niveau.code,  # type: ignore[union-attr]
            constat=c,
            observation_initiale=c.observation,
            ordre=i,
        )
        for i, c in enumerate(constats, start=1)
    ]


def schedule_followup(label: Label, *, today: dt.date | None = None) -> AuditSuivi | None:
    """Create the follow-up audit of `label` with its points (idempotent: None when it already
    has one), and tell the structure and the national administrators."""
    today = today or timezone.localdate()
    with transaction.atomic():
        label = (
            Label.objects.select_for_update(of=("self",))
            .select_related("decision__dossier__structure", "structure")
            .get(pk=label.pk)
        )
        if AuditSuivi.objects.filter(label=label).exists():
            return None
        if label.statut != Label.Statut.VALIDE or label.date_fin < today:
            raise TransitionError("Seul un label en cours de validité a un audit de suivi.")
        try:
            with transaction.atomic():
                suivi = AuditSuivi.objects.create(
                    label=label, dossier=label.decision.dossier, date_prevue=mid_term_date(label)
                )
        except IntegrityError:  # scheduled meanwhile by a concurrent run
            return None
        points = PointSuivi.objects.bulk_create(_points_from_initial_audit(suivi))
        gaps = sum(1 for p in points if p.is_gap)
        pistes = len(points) - gaps
        SUIVI.journal(
            suivi,
            None,
            "schedule",
            "",
            f"Mi-parcours du label {label.numero} : {suivi.date_prevue:%d/%m/%Y} ; "
            + pluriel(gaps, "{n} écart", "{n} écarts")
            + ", "
            + pluriel(pistes, "{n} piste de progrès", "{n} pistes de progrès")
            + " à suivre",
        )
        structure = label.structure
        _notify(
            _structure_people(suivi, include_arml=True),
            suivi,
            titre=f"Audit de suivi à mi-parcours du label — {structure.nom}",
            message=(
                f"Le label n° {label.numero} est à mi-parcours le "
                f"{suivi.date_prevue:%d/%m/%Y}. L'audit de suivi se fait sur dossier et en "
                "visioconférence : préparez votre dossier (avancement du plan d'amélioration, "
                "nouvelles preuves, réponses aux points de vigilance de l'audit initial), puis "
                "la direction le transmet à l'auditeur."
            ),
        )
        _notify(
            _national_admins(),
            suivi,
            titre=f"Audit de suivi à confier — {structure.nom}",
            message=(
                f"Mi-parcours du label n° {label.numero} le {suivi.date_prevue:%d/%m/%Y} : "
                "désignez l'organisme et l'auditeur."
            ),
            url=_url(suivi, "suivis:suivi_assign"),
        )
    return suivi


def due_labels(today: dt.date) -> list[Label]:
    """Valid labels without a follow-up whose mid-term date falls within the horizon (or has
    passed), not yet expired, and not already taken over by a newer label of the structure."""
    horizon = today + dt.timedelta(days=horizon_days())
    later = Label.objects.filter(
        structure=OuterRef("structure"),
        statut=Label.Statut.VALIDE,
        date_debut__gt=OuterRef("date_debut"),
    )
    candidates = (
        Label.objects.filter(
            statut=Label.Statut.VALIDE,
            date_fin__gte=today,
            date_debut__lte=horizon,
            audit_suivi__isnull=True,
        )
        .exclude(Exists(later))
        .order_by("date_debut", "pk")
    )
    return [label for label in candidates if mid_term_date(label) <= horizon]


def schedule_due_followups(today: dt.date | None = None) -> list[AuditSuivi]:
    """Daily (audits.suivis.tasks.schedule_followups): schedule every follow-up now due. Each one
    commits on its own; running it twice creates nothing more."""
    today = today or timezone.localdate()
    created = []
    for label in due_labels(today):
        try:
            suivi = schedule_followup(label, today=today)
        except TransitionError as exc:  # the label changed meanwhile
            logger.info("Label %s: %s", label.pk, exc)
            continue
        if suivi is not None:
            created.append(suivi)
    logger.info("Follow-up audits scheduled on %s: %d", today, len(created))
    return created


# --- administrator -------------------------------------------------------------------------------


def assign_followup(suivi: AuditSuivi, actor: User, *, auditeur: Auditeur) -> AuditSuivi:
    """A national administrator designates the auditor (and so the body), before the review.
    The auditor gets read access to the dossier of origin (self-assessment, plan, evidence)."""
    from guardian.shortcuts import assign_perm, remove_perm

    with transaction.atomic():
        suivi = SUIVI.lock(suivi.pk)
        if Capability.ADMINISTER not in suivi_capabilities(actor, suivi):
            raise PermissionDenied("Seuls les administrateurs UNML désignent l'auditeur.")
        SUIVI.require_state(
            suivi,
            (Statut.PLANIFIE, Statut.DOSSIER_EN_COURS, Statut.TRANSMIS),
            "désigner l'auditeur",
        )
        _require_label_not_withdrawn(suivi, "désigner l'auditeur")
        structure = suivi.dossier.structure
        require_independent(auditeur, structure)
        require_certified(auditeur, None)
        previous = suivi.auditeur
        if previous is not None and previous.pk == auditeur.pk:
            raise TransitionError(f"{auditeur.user} est déjà l'auditeur de ce suivi.")
        suivi.auditeur = auditeur
        suivi.organisme = auditeur.organisme
        suivi.save(update_fields=["auditeur", "organisme"])
        assign_perm("campagnes.view_dossier", auditeur.user, suivi.dossier)
        if (
            previous is not None
            and not Audit.objects.filter(
                dossier=suivi.dossier, auditeur__user_id=previous.user_id
            ).exists()
        ):
            remove_perm("campagnes.view_dossier", previous.user, suivi.dossier)
        reason = f"{auditeur.user} ({auditeur.organisme})"
        if previous is not None:
            reason += f", à la place de {previous.user}"
        SUIVI.log_step(suivi, actor, "assign", reason)
        _notify(
            [auditeur.user],
            suivi,
            titre=f"Audit de suivi : {structure.nom}",
            message=(
                f"Vous êtes désigné(e) pour l'audit de suivi du label n° {suivi.label.numero} "
                f"(mi-parcours le {suivi.date_prevue:%d/%m/%Y}) : revue du dossier documentaire "
                "puis visioconférence, sur les points de vigilance de l'audit initial."
            ),
            url=_url(suivi, "suivis:suivi_review"),
        )
        _notify(
            _structure_people(suivi),
            suivi,
            titre="Audit de suivi : auditeur désigné",
            message=f"Auditeur : {auditeur.user} ({auditeur.organisme}).",
        )
    return suivi


# --- the structure's file ------------------------------------------------------------------------


def _lock_for_structure(suivi_id: int, actor: User) -> AuditSuivi:
    """Lock the follow-up and check, under the lock, that `actor` may still edit its file."""
    suivi = SUIVI.lock(suivi_id)
    if Capability.ANSWER_SUIVI not in suivi_capabilities(actor, suivi):
        raise PermissionDenied(
            "Seuls la direction et le référent qualité préparent le dossier de suivi."
        )
    if not suivi.open_for_structure:
        raise PermissionDenied("Le dossier de suivi est transmis : il n'est plus modifiable.")
    return suivi


def _started(suivi: AuditSuivi, actor: User) -> None:
    """The structure's first save opens the file."""
    if suivi.statut == Statut.PLANIFIE:
        SUIVI.move(suivi, actor, "start_file", Statut.DOSSIER_EN_COURS)


def save_bilan(*, suivi: AuditSuivi, actor: User, valeur: str, version: int) -> SaveResult:
    stored = clean_text(valeur)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_for_structure(suivi.pk, actor)
        if locked.version == version and locked.bilan == stored:
            return SaveResult(True, version, stored, locked.updated_by, locked.updated_at)
        updated = save_if_current(
            AuditSuivi, locked.pk, version, bilan=stored, updated_by=actor, updated_at=now
        )
        if updated:
            _started(locked, actor)
    if updated:
        return SaveResult(True, version + 1, stored, actor, now)
    return refusal(AuditSuivi, suivi.pk, "bilan", SaveResult)


def _save_point(
    point: PointSuivi,
    suivi: AuditSuivi,
    actor: User,
    champ: str,
    stored: str,
    version: int,
    **changes: Any,
) -> SaveResult | None:
    """Save one field of a point of `suivi` (locked by the caller) if `version` is still the
    point's current one; None when somebody saved it since. The value already there again (a
    `change` event after the typing was saved, say) succeeds without a new version."""
    current = PointSuivi.objects.select_related("updated_by").get(pk=point.pk)
    if current.version == version and stored_value(current, champ) == stored:
        return SaveResult(True, version, stored, current.updated_by, current.updated_at)
    now = timezone.now()
    rows = PointSuivi.objects.filter(suivi=suivi)
    if not save_if_current(rows, point.pk, version, **changes, updated_by=actor, updated_at=now):
        return None
    return SaveResult(True, version + 1, stored, actor, now)


def clean_answer(suivi: AuditSuivi, champ: str, valeur: str) -> tuple[dict[str, Any], str]:
    """The columns to write for one field of an answer, and the value stored (ValidationError
    on bad input). The views check every field of a plain form post first, so that a form
    with one bad field saves nothing."""
    if champ not in ANSWER_FIELDS:
        raise ValidationError("Champ inconnu.")
    if champ == "action":
        action = None
        if valeur:
            action = Action.objects.filter(
                pk=parse_id(valeur) or 0, plan__dossier=suivi.dossier
            ).first()
            if action is None:
                raise ValidationError("Cette action n'appartient pas au plan d'amélioration.")
        return {"action": action}, str(action.pk) if action else ""
    stored = clean_text(valeur)
    return {champ: stored}, stored


def clean_finding(champ: str, valeur: str) -> str:
    """The value stored for one field of a finding (ValidationError on bad input)."""
    if champ not in FINDING_FIELDS:
        raise ValidationError("Champ inconnu.")
    if champ == "avis":
        if valeur and valeur not in PointSuivi.Avis.values:
            raise ValidationError("Constat de suivi inconnu.")
        return valeur
    return clean_text(valeur)


def answer_point(
    *, point: PointSuivi, actor: User, champ: str, valeur: str, version: int
) -> SaveResult:
    """The direction or the quality referent answers a point: text, and optionally the plan
    action that carries it."""
    with transaction.atomic():
        suivi = _lock_for_structure(point.suivi_id, actor)
        update, stored = clean_answer(suivi, champ, valeur)
        saved = _save_point(point, suivi, actor, champ, stored, version, **update)
        if saved is not None and saved.version != version:  # written, not the same value again
            _started(suivi, actor)
    return saved if saved is not None else refusal(PointSuivi, point.pk, champ, SaveResult)


def add_point_preuve(
    *,
    point: PointSuivi,
    actor: User,
    titre: str,
    upload: Any,
    date_effet: dt.date | None = None,
) -> Preuve:
    """New evidence for a point: an evidence file of the dossier on the point's criterion
    (checked by content exactly like the self-assessment's), linked to the point."""
    titre = (titre or "").strip()
    errors: dict[str, list[str]] = {}
    if not titre:
        errors["titre"] = ["Donnez un titre à la preuve."]
    elif len(titre) > 200:
        errors["titre"] = ["Le titre ne doit pas dépasser 200 caractères."]
    checked = None
    if upload is None:
        errors["fichier"] = ["Choisissez le fichier à joindre."]
    else:
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            errors["fichier"] = list(exc.messages)
    # Rights first: a refused person learns nothing about the file.
    with transaction.atomic():
        suivi = _lock_for_structure(point.suivi_id, actor)
        if errors or checked is None:
            raise ValidationError(errors)
        preuve = Preuve(
            dossier=suivi.dossier,
            critere=point.critere,
            titre=titre,
            nom_original=checked.nom,
            type_mime=checked.format.mime,
            taille=checked.taille,
            empreinte=checked.empreinte,
            date_effet=date_effet or timezone.localdate(),
            ajoute_par=actor,
        )
        preuve.fichier.save(
            f"preuve{PurePosixPath(checked.nom).suffix.lower()}", upload, save=False
        )
        stored = preuve.fichier.name or ""
        try:
            with transaction.atomic():
                preuve.save()
                point.preuves.add(preuve)
                _started(suivi, actor)
        except Exception:
            preuve.fichier.storage.delete(stored)
            raise
    return preuve


def update_action_progress(
    *,
    suivi: AuditSuivi,
    actor: User,
    action: Action,
    statut: str,
    avancement: int,
    expected_version: str = "",
) -> Action:
    """The plan lives on after the label: the structure updates the status and progress of its
    actions in the follow-up file. A save made on an outdated version is refused."""
    if statut not in Action.Statut.values:
        raise ValidationError({"statut": ["Statut inconnu."]})
    if not 0 <= avancement <= 100:
        raise ValidationError({"avancement": ["L'avancement est un pourcentage de 0 à 100."]})
    with transaction.atomic():
        locked = _lock_for_structure(suivi.pk, actor)
        current = (
            Action.objects.select_for_update(of=("self",))
            .filter(pk=action.pk, plan__dossier=locked.dossier)
            .first()
        )
        if current is None:
            raise ValidationError("Cette action n'appartient pas au plan d'amélioration.")
        if expected_version and expected_version != action_version(current):
            raise ValidationError(
                f"L'action « {current.titre} » a été modifiée entre-temps "
                f"({current.get_statut_display()}, {current.avancement} %) : rechargez la page."
            )
        before = f"{current.get_statut_display()} {current.avancement} %"
        current.statut, current.avancement = statut, avancement
        current.save(update_fields=["statut", "avancement", "updated_at"])
        _started(locked, actor)
        SUIVI.log_step(
            locked,
            actor,
            "action_progress",
            f"« {current.titre} » : {before} → {current.get_statut_display()} {avancement} %",
        )
    return current


def send_file(suivi: AuditSuivi, actor: User) -> AuditSuivi:
    """The direction sends the complete file (an answer on every point) to the auditor."""
    with transaction.atomic():
        suivi = SUIVI.lock(suivi.pk)
        if Capability.SUBMIT not in suivi_capabilities(actor, suivi):
            raise PermissionDenied("Seule la direction transmet le dossier de suivi.")
        SUIVI.require_state(
            suivi, (Statut.PLANIFIE, Statut.DOSSIER_EN_COURS), "transmettre le dossier de suivi"
        )
        _require_label_not_withdrawn(suivi, "transmettre le dossier de suivi")
        missing = file_missing_items(suivi)
        if missing:
            raise TransitionError(
                "Le dossier de suivi n'est pas complet : "
                + pluriel(missing, "{n} point sans réponse.", "{n} points sans réponse."),
                missing,
            )
        SUIVI.move(suivi, actor, "send_file", Statut.TRANSMIS, transmis_le=timezone.now())
        structure = suivi.dossier.structure
        if suivi.auditeur is not None:
            _notify(
                [suivi.auditeur.user],
                suivi,
                titre=f"Dossier de suivi transmis : {structure.nom}",
                message=f"{actor} a transmis le dossier de l'audit de suivi : à vous de le revoir.",
                url=_url(suivi, "suivis:suivi_review"),
            )
        else:
            _notify(
                _national_admins(),
                suivi,
                titre=f"Dossier de suivi transmis sans auditeur : {structure.nom}",
                message="La structure a transmis son dossier : désignez l'auditeur.",
                url=_url(suivi, "suivis:suivi_assign"),
            )
        _notify(
            _structure_people(suivi),
            suivi,
            titre="Dossier de suivi transmis",
            message=f"{actor} a transmis le dossier de l'audit de suivi à l'auditeur.",
        )
    return suivi


# --- the auditor ---------------------------------------------------------------------------------


def set_visio_date(suivi: AuditSuivi, actor: User, when: dt.datetime) -> AuditSuivi:
    """The assigned auditor records (or moves) the date of the videoconference."""
    with transaction.atomic():
        suivi = SUIVI.lock(suivi.pk)
        _require_auditor(actor, suivi, "fixer la visioconférence")
        SUIVI.require_state(
            suivi,
            (Statut.PLANIFIE, Statut.DOSSIER_EN_COURS, Statut.TRANSMIS, Statut.EN_REVUE),
            "fixer la visioconférence",
        )
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        suivi.date_visio = when
        suivi.save(update_fields=["date_visio"])
        local = timezone.localtime(when)
        SUIVI.log_step(suivi, actor, "set_visio", f"{local:%d/%m/%Y %H:%M}")
        _notify(
            _structure_people(suivi),
            suivi,
            titre=f"Audit de suivi : visioconférence le {local:%d/%m/%Y à %H:%M}",
            message=f"{actor} a fixé la visioconférence de l'audit de suivi au "
            f"{local:%d/%m/%Y à %H:%M}.",
        )
    return suivi


def start_review(suivi: AuditSuivi, actor: User) -> AuditSuivi:
    with transaction.atomic():
        suivi = SUIVI.lock(suivi.pk)
        _require_auditor(actor, suivi, "revoir le dossier de suivi")
        SUIVI.require_state(suivi, (Statut.TRANSMIS,), "commencer la revue")
        _require_label_not_withdrawn(suivi, "commencer la revue")
        SUIVI.move(suivi, actor, "start_review", Statut.EN_REVUE)
    return suivi


def record_finding(
    *, point: PointSuivi, actor: User, champ: str, valeur: str, version: int
) -> SaveResult:
    """The assigned auditor's finding on one point, during the review only."""
    stored = clean_finding(champ, valeur)
    with transaction.atomic():
        suivi = SUIVI.lock(point.suivi_id)
        _require_auditor(actor, suivi, "saisir les constats de suivi")
        if suivi.statut != Statut.EN_REVUE:
            raise PermissionDenied(
                "Les constats de suivi se saisissent pendant la revue, une fois le dossier "
                "transmis et avant la conclusion."
            )
        saved = _save_point(point, suivi, actor, champ, stored, version, **{champ: stored})
    return saved if saved is not None else refusal(PointSuivi, point.pk, champ, SaveResult)


def conclude(suivi: AuditSuivi, actor: User, *, conclusion: str, motivation: str) -> AuditSuivi:
    """The auditor concludes: maintien, maintien avec observations (observations required) or
    saisine de la commission (motivation required; the national administrators are told so
    that the commission takes the case up)."""
    motivation = clean_text(motivation).strip()
    with transaction.atomic():
        suivi = SUIVI.lock(suivi.pk)
        _require_auditor(actor, suivi, "conclure l'audit de suivi")
        SUIVI.require_state(suivi, (Statut.EN_REVUE,), "conclure l'audit de suivi")
        _require_label_not_withdrawn(suivi, "conclure l'audit de suivi")
        if conclusion not in AuditSuivi.Conclusion.values:
            raise TransitionError("Choisissez la conclusion de l'audit de suivi.")
        if conclusion != AuditSuivi.Conclusion.MAINTIEN and not motivation:
            raise TransitionError(
                "Rédigez vos observations : elles sont obligatoires pour un maintien avec "
                "observations ou une saisine de la commission."
            )
        missing = conclusion_missing_items(suivi, timezone.localdate())
        if missing:
            raise TransitionError(
                "L'audit de suivi ne peut pas encore être conclu : "
                + pluriel(missing, "{n} point à compléter.", "{n} points à compléter."),
                missing,
            )
        label = AuditSuivi.Conclusion(conclusion).label
        SUIVI.move(
            suivi,
            actor,
            "conclude",
            Statut.CONCLU,
            f"{label}" + (f" — {motivation}" if motivation else ""),
            conclusion=conclusion,
            motivation=motivation,
            conclu_le=timezone.now(),
        )
        structure = suivi.dossier.structure
        _notify(
            _structure_people(suivi, include_arml=True),
            suivi,
            titre=f"Audit de suivi conclu : {label}",
            message=motivation or "L'auditeur a conclu l'audit de suivi au maintien du label.",
        )
        if conclusion == AuditSuivi.Conclusion.SAISINE_COMMISSION:
            _notify(
                _national_admins(),
                suivi,
                titre=f"Saisine de la commission — audit de suivi de {structure.nom}",
                message=f"{actor} saisit la commission de labellisation à l'issue de l'audit "
                f"de suivi du label n° {suivi.label.numero} : {motivation}",
            )
    return suivi
