"""Writes on the improvement plan (SPEC §5).

Every write locks the dossier row and checks, under that lock, that the actor may still edit
the plan (Capability.EDIT_PLAN: referent or direction, while the dossier is in
`autoevaluation` or `plan_amelioration`). So a write racing with the audit request either lands
before it or is refused: it never slips into a plan that has become read-only. The rules on an
action's content are checked here too, whatever the caller (forms check them first to give
field-level messages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities
from campagnes.workflow import locked_dossier, log_step, move, require_capability, require_state
from labelml.accounts.models import User
from labelml.core.pluriel import pluriel
from labelml.core.transitions import TransitionError
from labelml.notifications.services import notify, notify_national_admins, notify_structure
from labelml.structures.models import Membership
from labelml.structures.roles import Capability
from referentiel.models import Critere, Element

from .models import Action, PlanAmelioration
from .selectors import SUGGESTION_LEVELS, get_suggestion, reponse_for
from .text import shorten

TITLE_MAX = 200
SUGGESTED_TITLE_CHARS = 150
DESCRIPTION_MAX = 5000


class ActionConflict(Exception):
    """Somebody saved the action since the form was opened: nothing was written."""

    def __init__(self, current: Action) -> None:
        super().__init__("L'action a été modifiée entre-temps.")
        self.current = current


def action_version(action: Action) -> str:
    """The token an edit form carries to detect a concurrent save (optimistic concurrency)."""
    return action.updated_at.isoformat() if action.updated_at else ""


def suggested_title(element: Element) -> str:
    """An action title from an element's text: its first sentence or line, cut on a word
    boundary when too long."""
    first = re.split(r"(?<=[.!?])\s|\n", (element.texte or "").strip(), maxsplit=1)[0]
    first = " ".join(first.split()).rstrip(" :;,.")
    return shorten(first, SUGGESTED_TITLE_CHARS) or element.code


def suggested_description(element: Element, niveau_label: str) -> str:
    return _(
        "Élément d'appréciation {code}, évalué « {niveau} » lors de l'auto-évaluation :\n{texte}"
    ).format(code=element.code, niveau=niveau_label, texte=element.texte.strip())


def ensure_plan(dossier: Dossier) -> PlanAmelioration:
    plan, _created = PlanAmelioration.objects.get_or_create(dossier=dossier)
    return plan


def _lock_for_edit(actor: User, dossier: Dossier) -> tuple[Dossier, PlanAmelioration]:
    """Lock the dossier and check, under the lock, that `actor` may edit its plan."""
    locked = (
        Dossier.objects.select_for_update()
        .select_related("structure", "campagne")
        .get(pk=dossier.pk)
    )
    if Capability.EDIT_PLAN not in dossier_capabilities(actor, locked):
        if locked.statut not in (Dossier.Statut.AUTOEVALUATION, Dossier.Statut.PLAN_AMELIORATION):
            raise PermissionDenied(
                _("Le plan d'amélioration n'est plus modifiable à l'étape « {statut} ».").format(
                    statut=locked.get_statut_display()
                )
            )
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier le plan d'amélioration."))
    return locked, ensure_plan(locked)


def _validate(
    dossier: Dossier,
    *,
    titre: str,
    description: str,
    criteres: list[Critere],
    responsable: Any,
    priorite: str,
    statut: str,
    avancement: int | None,
    element_source: Element | None,
) -> None:
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not titre.strip():
        error("titre", _("Donnez un titre à l'action."))
    elif len(titre) > TITLE_MAX:
        error("titre", _("Le titre tient en {n} caractères au plus.").format(n=TITLE_MAX))
    if len(description) > DESCRIPTION_MAX:
        error(
            "description",
            _("La description tient en {n} caractères au plus.").format(n=DESCRIPTION_MAX),
        )
    referentiel_id = dossier.campagne.referentiel_id
    if not criteres:
        error("criteres", _("Rattachez l'action à au moins un critère du référentiel."))
    for critere in criteres:
        if critere.referentiel_id != referentiel_id:
            error(
                "criteres",
                _("Le critère {code} n'appartient pas au référentiel de la campagne.").format(
                    code=critere.code
                ),
            )
    if (
        responsable is not None
        and not Membership.objects.filter(
            user_id=responsable.pk, structure_id=dossier.structure_id
        ).exists()
    ):
        error(
            "responsable",
            _("Le responsable doit être membre de {structure}.").format(
                structure=dossier.structure.nom
            ),
        )
    if priorite not in Action.Priorite.values:
        error("priorite", _("Priorité inconnue."))
    if statut not in Action.Statut.values:
        error("statut", _("Statut inconnu."))
    if avancement is not None and not 0 <= avancement <= 100:
        error("avancement", _("L'avancement est un pourcentage entre 0 et 100."))
    if element_source is not None:
        if element_source.referentiel_id != referentiel_id:
            error(
                "element_source",
                _("Cet élément d'appréciation n'appartient pas au référentiel de la campagne."),
            )
        elif element_source.critere_id not in {c.pk for c in criteres}:
            error(
                "criteres",
                _(
                    "L'action répond à l'élément {element} : gardez son critère parmi les "
                    "critères concernés."
                ).format(element=element_source.code),
            )
    if errors:
        raise ValidationError(errors)


def _progress(statut: str, avancement: int | None, previous: Action | None) -> int:
    """A given progress is kept. Otherwise an action that becomes "fait" is at 100 %, a new
    one starts at 0 and an edited one keeps its progress."""
    if avancement is not None:
        return avancement
    if statut == Action.Statut.FAIT and (previous is None or previous.statut != statut):
        return 100
    return previous.avancement if previous is not None else 0


def _notify_owner(actor: User, dossier: Dossier, action: Action) -> None:
    if action.responsable is None or action.responsable.pk == actor.pk:
        return
    url = reverse("plans:plan_detail", args=[dossier.pk]) + f"?responsable={action.responsable.pk}"
    echeance = (
        _(" Échéance : {date}.").format(date=action.echeance.strftime("%d/%m/%Y"))
        if action.echeance
        else ""
    )
    notify(
        [action.responsable],
        titre=_("Action du plan d'amélioration confiée : {titre}").format(titre=action.titre)[:200],
        message=_("{actor} vous a confié l'action « {titre} ».").format(
            actor=actor, titre=action.titre
        )
        + echeance,
        url=url,
        dossier=dossier,
    )


@transaction.atomic
def create_action(
    *,
    actor: User,
    dossier: Dossier,
    titre: str,
    criteres: Iterable[Critere],
    description: str = "",
    responsable: Any = None,
    echeance: date | None = None,
    priorite: str = Action.Priorite.MOYENNE,
    statut: str = Action.Statut.A_FAIRE,
    avancement: int | None = None,
    element_source: Element | None = None,
    origine: str = Action.Origine.MANUELLE,
) -> Action:
    locked, plan = _lock_for_edit(actor, dossier)
    return _create_action(
        actor=actor,
        locked=locked,
        plan=plan,
        titre=titre,
        criteres=criteres,
        description=description,
        responsable=responsable,
        echeance=echeance,
        priorite=priorite,
        statut=statut,
        avancement=avancement,
        element_source=element_source,
        origine=origine,
    )


def _create_action(
    *,
    actor: User,
    locked: Dossier,
    plan: PlanAmelioration,
    titre: str,
    criteres: Iterable[Critere],
    description: str = "",
    responsable: Any = None,
    echeance: date | None = None,
    priorite: str = Action.Priorite.MOYENNE,
    statut: str = Action.Statut.A_FAIRE,
    avancement: int | None = None,
    element_source: Element | None = None,
    origine: str = Action.Origine.MANUELLE,
) -> Action:
    """create_action, the dossier locked and the plan at hand (`_lock_for_edit`)."""
    titre, description, criteres = _cleaned(
        locked,
        titre,
        description,
        criteres,
        responsable=responsable,
        priorite=priorite,
        statut=statut,
        avancement=avancement,
        element_source=element_source,
    )
    action = Action.objects.create(
        plan=plan,
        titre=titre,
        description=description,
        element_source=element_source,
        responsable=responsable,
        echeance=echeance,
        priorite=priorite,
        statut=statut,
        avancement=_progress(statut, avancement, None),
        origine=origine,
        created_by=actor,
    )
    action.criteres.set(criteres)
    _notify_owner(actor, locked, action)
    return action


def _cleaned(
    locked: Dossier, titre: str, description: str, criteres: Iterable[Critere], **fields: Any
) -> tuple[str, str, list[Critere]]:
    """Trimmed texts and the criteria as a list, validated together (create and update)."""
    titre, description, criteres = titre.strip(), description.strip(), list(criteres)
    _validate(locked, titre=titre, description=description, criteres=criteres, **fields)
    return titre, description, criteres


@transaction.atomic
def update_action(
    *,
    actor: User,
    dossier: Dossier,
    action: Action,
    titre: str,
    criteres: Iterable[Critere],
    description: str = "",
    responsable: Any = None,
    echeance: date | None = None,
    priorite: str = Action.Priorite.MOYENNE,
    statut: str = Action.Statut.A_FAIRE,
    avancement: int | None = None,
    element_source: Element | None = None,
    expected_version: str | None = None,
) -> Action:
    """Save the edited action. With `expected_version` (the token of `action_version` sent by
    the form), a save made by somebody else in between raises ActionConflict instead of being
    overwritten."""
    locked, plan = _lock_for_edit(actor, dossier)
    current = (
        Action.objects.select_for_update(of=("self",))
        .select_related("responsable")
        .filter(pk=action.pk, plan=plan)
        .first()
    )
    if current is None:
        raise ValidationError(_("Cette action n'existe plus : elle a été supprimée."))
    if expected_version and expected_version != action_version(current):
        raise ActionConflict(current)
    titre, description, criteres = _cleaned(
        locked,
        titre,
        description,
        criteres,
        responsable=responsable,
        priorite=priorite,
        statut=statut,
        avancement=avancement,
        element_source=element_source,
    )
    previous_owner = current.responsable_id
    current.avancement = _progress(statut, avancement, current)
    current.titre, current.description = titre, description
    current.responsable, current.echeance = responsable, echeance
    current.priorite, current.statut = priorite, statut
    current.element_source = element_source
    current.save()
    current.criteres.set(criteres)
    if current.responsable_id != previous_owner:
        _notify_owner(actor, locked, current)
    return current


@transaction.atomic
def delete_action(*, actor: User, dossier: Dossier, action: Action) -> None:
    _locked, plan = _lock_for_edit(actor, dossier)
    Action.objects.filter(pk=action.pk, plan=plan).delete()


@transaction.atomic
def accept_suggestion(*, actor: User, dossier: Dossier, element: Element) -> Action:
    """Create the action suggested by an element rated 1 or 2: titled from the element, linked
    to its criterion, high priority for level 1 and medium for level 2. Under the dossier lock,
    so that a double click creates one action, not two."""
    locked, plan = _lock_for_edit(actor, dossier)
    suggestion = get_suggestion(locked, element.pk)
    if suggestion is None:
        if Action.objects.filter(plan=plan, element_source=element).exists():
            raise ValidationError(
                _("Une action répond déjà à l'élément {code}.").format(code=element.code)
            )
        raise ValidationError(
            _(
                "L'élément {code} n'appelle pas d'action suggérée : il n'est pas évalué "
                "« 1 » ou « 2 » dans l'auto-évaluation."
            ).format(code=element.code)
        )
    niveau = suggestion.reponse.niveau
    assert niveau is not None
    # Already locked and checked above: not a second _lock_for_edit.
    return _create_action(
        actor=actor,
        locked=locked,
        plan=plan,
        titre=suggested_title(element),
        description=suggested_description(element, niveau.libelle),
        criteres=[suggestion.critere],
        priorite=SUGGESTION_LEVELS[niveau.code],
        element_source=element,
        origine=Action.Origine.SUGGESTION,
    )


@transaction.atomic
def add_followup_action(
    *,
    dossier: Dossier,
    titre: str,
    criteres: Iterable[Critere],
    origine: str,
    echeance: date | None = None,
    description: str = "",
    actor: User | None = None,
) -> Action:
    """A follow-up action added by the workflow after the plan's editing window (SPEC §3, §5):
    the answer to an audit gap (`origine="ecart"`) or the lifting of a reservation
    (`origine="reserve"`). For the audit and commission services, which check their own
    actor's rights: no EDIT_PLAN check here."""
    if origine not in (Action.Origine.ECART, Action.Origine.RESERVE):
        raise ValueError(f"Origine de suivi inconnue : {origine!r}")
    locked = (
        Dossier.objects.select_for_update()
        .select_related("structure", "campagne")
        .get(pk=dossier.pk)
    )
    plan = ensure_plan(locked)
    criteres = list(criteres)
    titre, description = titre.strip(), description.strip()
    _validate(
        locked,
        titre=titre,
        description=description,
        criteres=criteres,
        responsable=None,
        priorite=Action.Priorite.HAUTE,
        statut=Action.Statut.A_FAIRE,
        avancement=0,
        element_source=None,
    )
    action = Action.objects.create(
        plan=plan,
        titre=titre,
        description=description,
        echeance=echeance,
        priorite=Action.Priorite.HAUTE,
        origine=origine,
        created_by=actor,
    )
    action.criteres.set(criteres)
    return action


def prefill_from_query(dossier: Dossier, params: Any) -> dict[str, Any]:
    """Initial values of the new-action form from `?critere=<code>&element=<code>` (the
    "Personnaliser" link of a suggestion). Unknown codes are ignored."""
    from .selectors import plan_criteres, plan_elements

    initial: dict[str, Any] = {}
    element_code = (params.get("element") or "").strip()
    critere_code = (params.get("critere") or "").strip()
    element = (
        plan_elements(dossier).select_related("critere").filter(code=element_code).first()
        if element_code
        else None
    )
    critere = element.critere if element else None
    if critere is None and critere_code:
        critere = plan_criteres(dossier).filter(code=critere_code).first()
    if critere is not None:
        initial["criteres"] = [critere.pk]
    if element is not None:
        initial["element_source"] = element.pk
        initial["titre"] = suggested_title(element)
        reponse = reponse_for(dossier, element)
        niveau = reponse.niveau if reponse else None
        if niveau is not None:
            initial["description"] = suggested_description(element, niveau.libelle)
            if niveau.code in SUGGESTION_LEVELS:
                initial["priorite"] = SUGGESTION_LEVELS[niveau.code]
    return initial


def open_plan(dossier: Dossier, previous: Dossier | None, actor: User) -> str:
    """campagnes.hooks.dossier_opened: the dossier's plan; a renewal carries over the open
    actions of the previous one."""
    PlanAmelioration.objects.create(dossier=dossier)
    if previous is None:
        return ""
    carried = carry_over_actions(dossier=dossier, previous=previous, actor=actor)
    return pluriel(carried, "{n} action du plan reprise", "{n} actions du plan reprises")


def carry_over_actions(*, dossier: Dossier, previous: Dossier, actor: User | None = None) -> int:
    """On a renewal (SPEC §7b), the actions of the previous plan still open (à faire, en
    cours) carry over into the new plan with their progress, as "reprise du plan précédent"
    (`reprise_de` points to the original, which stays in the previous dossier as it was).
    Criteria and the source element are matched by code in the new référentiel; an action none
    of whose criteria still exists is not carried. The owner stays if still a member. Called by
    the renewal opening, inside its transaction; returns the number of actions carried."""
    plan = ensure_plan(dossier)
    referentiel_id = dossier.campagne.referentiel_id
    criteres = {c.code: c for c in Critere.objects.filter(referentiel_id=referentiel_id)}
    elements = {e.code: e for e in Element.objects.filter(referentiel_id=referentiel_id)}
    members = set(
        Membership.objects.filter(structure_id=dossier.structure_id).values_list(
            "user_id", flat=True
        )
    )
    carried = 0
    # The criteria of the new actions, written at once (not one set() per action).
    links: list[Any] = []
    for old in (
        Action.objects.filter(
            plan__dossier=previous, statut__in=[Action.Statut.A_FAIRE, Action.Statut.EN_COURS]
        )
        .select_related("element_source")
        .prefetch_related("criteres")
        .order_by("echeance", "pk")
    ):
        kept = [criteres[c.code] for c in old.criteres.all() if c.code in criteres]
        if not kept:
            continue
        source = elements.get(old.element_source.code) if old.element_source else None
        if source is not None and source.critere_id not in {c.pk for c in kept}:
            source = None
        action = Action.objects.create(
            plan=plan,
            titre=old.titre,
            description=old.description,
            element_source=source,
            responsable_id=old.responsable_id if old.responsable_id in members else None,
            echeance=old.echeance,
            priorite=old.priorite,
            statut=old.statut,
            avancement=old.avancement,
            origine=Action.Origine.REPRISE,
            reprise_de=old,
            created_by=actor,
        )
        links.extend(Action.criteres.through(action=action, critere=c) for c in kept)
        carried += 1
    Action.criteres.through.objects.bulk_create(links)
    return carried


def submit_plan(dossier: Dossier, actor: User) -> Dossier:
    """The direction validates the improvement plan (it stays editable until the audit is
    requested)."""
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.SUBMIT, "soumettre le plan d'amélioration")
        require_state(
            dossier, [Dossier.Statut.PLAN_AMELIORATION], "soumettre le plan d'amélioration"
        )
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
        log_step(
            dossier, actor, "submit_plan", pluriel(counts["total"], "{n} action", "{n} actions")
        )
    return dossier


def request_audit(dossier: Dossier, actor: User) -> Dossier:
    """The direction asks for the external audit once the plan is submitted."""
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.SUBMIT, "demander l'évaluation externe")
        require_state(dossier, [Dossier.Statut.PLAN_AMELIORATION], "demander l'évaluation externe")
        plan = PlanAmelioration.objects.filter(dossier=dossier).first()
        if plan is None or plan.soumis_le is None:
            raise TransitionError(
                "Soumettez d'abord le plan d'amélioration avant de demander l'évaluation externe."
            )
        move(dossier, actor, "request_audit", Dossier.Statut.AUDIT_A_PLANIFIER)
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


# --- Lifting the reservations of a "labellisé sous réserve" decision (SPEC §7) -----------------

RESERVE_ACTION_UPDATED = "action_reserve"


def update_reserve_action(
    *,
    actor: User,
    dossier: Dossier,
    action: Action,
    responsable: Any = None,
    echeance: date | None = None,
    statut: str = Action.Statut.A_FAIRE,
    avancement: int | None = None,
    realisation: str = "",
) -> Action:
    """While the label runs, the structure (référent qualité or direction) gives a reservation
    action its owner, its date, what was done with its proofs, and marks it done; the UNML then
    records that the reservations are lifted. The rest of the plan stays read-only."""
    with transaction.atomic():
        locked = locked_dossier(dossier)
        require_capability(actor, locked, Capability.EDIT_PLAN, "lever les réserves")
        require_state(
            locked,
            [Dossier.Statut.LABELLISE_SOUS_RESERVE],
            "modifier une action de levée des réserves",
        )
        # Through the structure's labels (audits.commission): this app does not import it.
        if locked.structure.labels.filter(
            decision__dossier=locked, reserves_levees_le__isnull=False
        ).exists():
            raise TransitionError(_("Les réserves sont levées : ces actions sont closes."))
        current = (
            Action.objects.select_for_update(of=("self",))
            .filter(pk=action.pk, plan__dossier=locked, origine=Action.Origine.RESERVE)
            .first()
        )
        if current is None:
            raise ValidationError(_("Cette action ne lève pas une réserve de la commission."))
        realisation = realisation.strip()
        errors: dict[str, list[str]] = {}
        if (
            responsable is not None
            and not Membership.objects.filter(
                user_id=responsable.pk, structure_id=locked.structure_id
            ).exists()
        ):
            errors["responsable"] = [
                _("Le responsable doit être membre de {structure}.").format(
                    structure=locked.structure.nom
                )
            ]
        if statut not in Action.Statut.values:
            errors["statut"] = [_("Statut inconnu.")]
        if len(realisation) > DESCRIPTION_MAX:
            errors["realisation"] = [
                _("Ce texte tient en {n} caractères au plus.").format(n=DESCRIPTION_MAX)
            ]
        if statut == Action.Statut.FAIT and not realisation:
            errors["realisation"] = [
                _("Décrivez ce qui a été fait et ses justificatifs avant de la marquer « Fait ».")
            ]
        if errors:
            raise ValidationError(errors)
        previous_owner, previous_statut = current.responsable_id, current.statut
        current.avancement = _progress(statut, avancement, current)
        current.responsable, current.echeance = responsable, echeance
        current.statut, current.realisation = statut, realisation
        current.save(
            update_fields=[
                "avancement",
                "responsable",
                "echeance",
                "statut",
                "realisation",
                "updated_at",
            ]
        )
        if current.responsable_id != previous_owner:
            _notify_owner(actor, locked, current)
        if statut != previous_statut:
            log_step(
                locked,
                actor,
                RESERVE_ACTION_UPDATED,
                f"{current.titre} : {current.get_statut_display()}",
            )
            if statut == Action.Statut.FAIT:
                notify_national_admins(
                    locked,
                    titre=_("Réserve à lever : action réalisée — {structure}").format(
                        structure=locked.structure.nom
                    ),
                    message=current.titre,
                )
    return current
