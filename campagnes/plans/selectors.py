"""Scoped reads of the improvement plan (SPEC §5).

Every read starts from a dossier already fetched through `campagnes.selectors.
get_dossier_for_user` (404 outside the user's scope); actions are then reached through that
dossier's plan only, so an action id of another dossier answers 404 like a missing one.
Each function runs a fixed number of queries, whatever the number of actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from campagnes.autoevaluations.models import Reponse
from campagnes.autoevaluations.selectors import rated_q
from campagnes.models import Dossier
from labelml.core.ids import parse_id
from labelml.structures.home import WorkItem
from referentiel.models import Critere, Element

from .models import Action, PlanAmelioration

# Self-assessment levels that call for an improvement action (SPEC §5), and the priority
# suggested for each.
SUGGESTION_LEVELS = {"1": Action.Priorite.HAUTE, "2": Action.Priorite.MOYENNE}
OPEN_STATUSES = (Action.Statut.A_FAIRE, Action.Statut.EN_COURS)
NO_OWNER = "aucun"


def get_plan(dossier: Dossier) -> PlanAmelioration | None:
    """The dossier's plan (created with the dossier when the campaign opens)."""
    return PlanAmelioration.objects.filter(dossier=dossier).select_related("soumis_par").first()


def actions_qs(dossier: Dossier) -> QuerySet[Action]:
    """The dossier's actions with what a list shows: two queries whatever their number."""
    return (
        Action.objects.filter(plan__dossier=dossier)
        .select_related("responsable", "element_source", "created_by")
        .prefetch_related(
            Prefetch("criteres", queryset=Critere.objects.only("pk", "code", "titre", "ordre"))
        )
        .order_by(F("echeance").asc(nulls_last=True), "pk")
    )


def get_action(dossier: Dossier, action_pk: int) -> Action:
    """An action of this dossier's plan; 404 for any other id (missing or another dossier's)."""
    action = actions_qs(dossier).filter(pk=action_pk).first()
    if action is None:
        raise Http404("Action introuvable.")
    return action


def plan_criteres(dossier: Dossier) -> QuerySet[Critere]:
    """The criteria an action of this dossier may be linked to: the campaign's référentiel."""
    return Critere.objects.filter(referentiel_id=dossier.campagne.referentiel_id).order_by("ordre")


def plan_elements(dossier: Dossier) -> QuerySet[Element]:
    return Element.objects.filter(referentiel_id=dossier.campagne.referentiel_id)


def structure_members(dossier: Dossier) -> QuerySet[Any]:
    """Who may own an action: the members of the dossier's structure, whatever their role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__structure_id=dossier.structure_id)
        .order_by("last_name", "first_name", "email")
    )  # one membership per user and structure: no duplicates, no DISTINCT needed


# Filters of the plan page --------------------------------------------------------------------


@dataclass
class PlanFilters:
    """The GET filters of the plan page. Unknown values are ignored (they filter nothing)."""

    critere: str = ""
    responsable: str = ""
    statut: str = ""
    priorite: str = ""
    en_retard: bool = False

    @classmethod
    def from_query(cls, params: Any) -> PlanFilters:
        responsable = (params.get("responsable") or "").strip()
        if responsable != NO_OWNER and parse_id(responsable) is None:
            responsable = ""
        statut = params.get("statut") or ""
        priorite = params.get("priorite") or ""
        return cls(
            critere=(params.get("critere") or "").strip()[:20],
            responsable=responsable,
            statut=statut if statut in Action.Statut.values else "",
            priorite=priorite if priorite in Action.Priorite.values else "",
            en_retard=params.get("en_retard") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(
            self.critere or self.responsable or self.statut or self.priorite or self.en_retard
        )

    def apply(self, qs: QuerySet[Action], today: date | None = None) -> QuerySet[Action]:
        if self.critere:
            qs = qs.filter(
                Exists(
                    Action.criteres.through.objects.filter(
                        action_id=OuterRef("pk"), critere__code=self.critere
                    )
                )
            )
        if self.responsable == NO_OWNER:
            qs = qs.filter(responsable__isnull=True)
        elif self.responsable:
            qs = qs.filter(responsable_id=int(self.responsable))
        if self.statut:
            qs = qs.filter(statut=self.statut)
        if self.priorite:
            qs = qs.filter(priorite=self.priorite)
        if self.en_retard:
            qs = qs.filter(overdue_q(today or timezone.localdate()))
        return qs


def overdue_q(today: date) -> Q:
    return Q(echeance__lt=today, statut__in=OPEN_STATUSES)


def is_overdue(action: Action, today: date) -> bool:
    return (
        action.echeance is not None and action.echeance < today and action.statut in OPEN_STATUSES
    )


# Counts and progress -------------------------------------------------------------------------


@dataclass
class PlanSummary:
    total: int = 0
    a_faire: int = 0
    en_cours: int = 0
    fait: int = 0
    abandonne: int = 0
    en_retard: int = 0
    sans_echeance: int = 0
    sans_responsable: int = 0
    avancement: int = 0  # mean progress of the actions that were not abandoned, in %

    @property
    def actives(self) -> int:
        return self.total - self.abandonne


def plan_summary(dossier: Dossier, today: date | None = None) -> PlanSummary:
    """Counts by status and overall progress of the whole plan: one aggregate query."""
    today = today or timezone.localdate()
    S = Action.Statut
    row = Action.objects.filter(plan__dossier=dossier).aggregate(
        total=Count("pk"),
        a_faire=Count("pk", filter=Q(statut=S.A_FAIRE)),
        en_cours=Count("pk", filter=Q(statut=S.EN_COURS)),
        fait=Count("pk", filter=Q(statut=S.FAIT)),
        abandonne=Count("pk", filter=Q(statut=S.ABANDONNE)),
        en_retard=Count("pk", filter=overdue_q(today)),
        sans_echeance=Count("pk", filter=Q(echeance__isnull=True) & ~Q(statut=S.ABANDONNE)),
        sans_responsable=Count("pk", filter=Q(responsable__isnull=True) & ~Q(statut=S.ABANDONNE)),
        avancement=Avg("avancement", filter=~Q(statut=S.ABANDONNE)),
    )
    mean = row.pop("avancement")
    return PlanSummary(**row, avancement=round(mean) if mean is not None else 0)


# Suggestions from the self-assessment --------------------------------------------------------


@dataclass
class Suggestion:
    element: Element
    reponse: Reponse

    @property
    def critere(self) -> Critere:
        return self.element.critere

    @property
    def priorite(self) -> str:
        return SUGGESTION_LEVELS[self.reponse.niveau.code]  # type: ignore[union-attr]

    @property
    def priorite_label(self) -> str:
        return str(Action.Priorite(self.priorite).label)


def _suggested_reponses(dossier: Dossier) -> QuerySet[Reponse]:
    with_action = Action.objects.filter(
        plan__dossier=dossier, element_source_id=OuterRef("element_id")
    )
    return (
        Reponse.objects.filter(
            rated_q(),
            autoevaluation__dossier=dossier,
            niveau__code__in=list(SUGGESTION_LEVELS),
        )
        .exclude(Exists(with_action))
        .select_related("element", "element__critere", "niveau")
        .order_by("element__ordre")
    )


def suggestions(dossier: Dossier) -> list[Suggestion]:
    """Elements rated 1 or 2 in the self-assessment (and confirmed) that no action of the plan
    addresses yet, in the référentiel's order, with their sous-éléments. Two queries."""
    reponses = _suggested_reponses(dossier).prefetch_related("element__sous_elements")
    return [Suggestion(r.element, r) for r in reponses]


def suggestion_count(dossier: Dossier) -> int:
    return _suggested_reponses(dossier).count()


def get_suggestion(dossier: Dossier, element_pk: int) -> Suggestion | None:
    """The suggestion for this element, or None when it is not (or no longer) one."""
    reponse = _suggested_reponses(dossier).filter(element_id=element_pk).first()
    return Suggestion(reponse.element, reponse) if reponse else None


def reponse_for(dossier: Dossier, element: Element) -> Reponse | None:
    return (
        Reponse.objects.filter(autoevaluation__dossier=dossier, element=element)
        .select_related("niveau")
        .first()
    )


# Timeline ------------------------------------------------------------------------------------


@dataclass
class TimelineData:
    dated: list[Action] = field(default_factory=list)
    undated: list[Action] = field(default_factory=list)


def timeline_actions(dossier: Dossier) -> TimelineData:
    """Actions split into those with a due date (sorted by it) and those without. Two queries."""
    data = TimelineData()
    for action in actions_qs(dossier):
        (data.dated if action.echeance else data.undated).append(action)
    return data


def dossier_home(dossier: Dossier) -> dict[str, Any]:
    """campagnes.hooks.dossier_home: the plan (its actions and whether it is submitted)."""
    return {"plan": getattr(dossier, "plan", None)}


# The home's worklist (labelml.structures.home.register_worklist) ------------------------------


def worklist(user: Any) -> list[WorkItem]:
    """What the improvement plan gives the home's "À faire": while the dossier is at its plan,
    writing it (référent qualité), submitting it then asking for the external audit
    (direction); in any dossier still running, the open actions the user is responsible for,
    while it can be edited, with their deadline. Two queries at most (after the roles)."""
    from django.urls import reverse

    from campagnes.selectors import EDITABLE_PLAN, member_roles
    from labelml.structures.roles import ROLE_CAPABILITIES, Capability

    if not user.is_authenticated:
        return []
    roles = member_roles(user)
    writers = [
        pk
        for pk, role in roles.items()
        if Capability.EDIT_PLAN in ROLE_CAPABILITIES.get(role, frozenset())
    ]
    submitters = {
        pk
        for pk, role in roles.items()
        if Capability.SUBMIT in ROLE_CAPABILITIES.get(role, frozenset())
    }
    items: list[WorkItem] = []
    if writers:
        plans = PlanAmelioration.objects.filter(
            dossier__structure_id__in=writers, dossier__statut=Dossier.Statut.PLAN_AMELIORATION
        ).select_related("dossier__structure", "dossier__campagne")
        for plan in plans.order_by("dossier__structure__nom"):
            d = plan.dossier
            where = f"{d.structure.nom} · {d.campagne.nom}"
            if plan.soumis_le is None and d.structure_id in submitters:
                items.append(
                    WorkItem(
                        "Relire et soumettre le plan d'amélioration",
                        reverse("plans:plan_detail", args=[d.pk]),
                        detail=where,
                        group="Plan d'amélioration",
                    )
                )
            elif plan.soumis_le is None:
                items.append(
                    WorkItem(
                        "Rédiger le plan d'amélioration à partir des éléments à améliorer",
                        reverse("plans:plan_detail", args=[d.pk]),
                        detail=where,
                        group="Plan d'amélioration",
                    )
                )
            elif d.structure_id in submitters:
                items.append(
                    WorkItem(
                        "Le plan est soumis : demander l'évaluation externe",
                        reverse("campagnes:dossier_detail", args=[d.pk]),
                        detail=where,
                        group="Plan d'amélioration",
                    )
                )
    if roles:
        mine = (
            Action.objects.filter(
                responsable_id=user.pk,
                statut__in=OPEN_STATUSES,
                plan__dossier__statut__in=EDITABLE_PLAN,
            )
            .select_related("plan__dossier__structure")
            .order_by(F("echeance").asc(nulls_last=True), "pk")[:10]
        )
        for a in mine:
            items.append(
                WorkItem(
                    f"Action du plan dont vous êtes responsable : {a.titre}",
                    reverse("plans:plan_action_edit", args=[a.plan.dossier_id, a.pk]),
                    due=a.echeance,
                    detail=f"{a.plan.dossier.structure.nom} · {a.get_statut_display()}, "
                    f"{a.avancement} %",
                    group="Plan d'amélioration",
                )
            )
    return items
