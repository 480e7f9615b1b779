"""The dossier's path (parcours): the steps of the workflow, where the dossier stands, who must
act next, the dates passed and due, in plain French. Shown on every page of a dossier
(`{% dossier_path dossier %}`, campagnes/templatetags/campagnes_tags.py).

Driven by data: `STEPS` lists the steps in order, each with the states it covers; a new step
of the workflow is one line here (and its "who acts" phrases in `NEXT`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from . import hooks
from .models import Dossier, DossierTransition

E = Dossier.Statut


@dataclass(frozen=True)
class Step:
    title: str
    states: tuple[str, ...]


STEPS: list[Step] = [
    Step("Auto-évaluation", (E.AUTOEVALUATION,)),
    Step("Plan d'amélioration", (E.PLAN_AMELIORATION,)),
    Step("Planification de l'évaluation externe", (E.AUDIT_A_PLANIFIER,)),
    Step("Évaluation externe", (E.AUDIT_PLANIFIE, E.AUDIT_EN_COURS)),
    Step("Réponse aux écarts", (E.REPONSE_STRUCTURE,)),
    Step("Commission de labellisation", (E.EN_COMMISSION,)),
    Step("Décision", (E.LABELLISE, E.LABELLISE_SOUS_RESERVE, E.AJOURNE, E.REFUSE)),
]

# Who must act next, in each state.
NEXT: dict[str, str] = {
    E.AUTOEVALUATION: "Le référent qualité et les contributeurs remplissent l'auto-évaluation ; "
    "la direction la soumet.",
    E.PLAN_AMELIORATION: "La structure rédige son plan d'amélioration ; la direction le soumet "
    "puis demande l'évaluation externe.",
    E.AUDIT_A_PLANIFIER: "L'UNML désigne l'organisme d'évaluation et l'auditeur, et fixe les "
    "dates de l'évaluation sur site.",
    E.AUDIT_PLANIFIE: "L'auditeur désigné démarre l'évaluation externe sur site.",
    E.AUDIT_EN_COURS: "L'auditeur rédige son rapport ; l'auditeur référent de son organisme le "
    "relit et le valide.",
    E.REPONSE_STRUCTURE: "La direction de la structure répond aux écarts relevés ; l'UNML inscrit "
    "ensuite le dossier à l'ordre du jour de la commission.",
    E.EN_COMMISSION: "Les membres de la commission votent ; le ou la président(e) de séance "
    "clôt le vote et enregistre la décision.",
    E.LABELLISE: "Aucune action attendue : le label est accordé ; un audit de suivi a lieu à "
    "mi-parcours.",
    E.LABELLISE_SOUS_RESERVE: "La structure lève les réserves pendant la validité du label.",
    E.AJOURNE: "La structure reprend son plan d'amélioration avant un nouvel examen.",
    E.REFUSE: "Le parcours de labellisation est terminé pour cette campagne.",
}


@dataclass
class PathStep:
    title: str
    status: str  # "fait", "en_cours", "a_venir"
    state_label: str = ""  # the state within the step (a decision's outcome, a sub-step)
    started: dt.date | None = None
    ended: dt.date | None = None
    due: dt.date | None = None
    due_what: str = ""

    @property
    def current(self) -> bool:
        return self.status == "en_cours"

    @property
    def late(self) -> bool:
        return self.status != "fait" and self.due is not None and self.due < timezone.localdate()


@dataclass
class Path:
    steps: list[PathStep]
    current: PathStep
    next_actor: str


def step_index(statut: str) -> int:
    for i, step in enumerate(STEPS):
        if statut in step.states:
            return i
    raise ValueError(statut)


def next_actor(statut: str) -> str:
    return NEXT.get(statut, "")


def deadlines(dossier: Dossier) -> dict[str, tuple[dt.date, str]]:
    """The dates due by state: the closing of the self-assessments (the campaign's), then those
    the apps above know (`hooks.dossier_deadlines`)."""
    out: dict[str, tuple[dt.date, str]] = {
        E.AUTOEVALUATION: (
            dossier.campagne.date_cloture_autoevaluation,
            "clôture des auto-évaluations",
        )
    }
    for part in hooks.dossier_deadlines:
        out.update(part(dossier))
    return out


def dossier_path(dossier: Dossier) -> Path:
    """The path of `dossier`: one query for the dates of the journal, plus one at most per app
    that knows a deadline of the current step or those after it."""
    entered: dict[str, dt.datetime] = {}
    rows = (
        DossierTransition.objects.filter(subject="dossier", subject_id=dossier.pk)
        .exclude(from_state=F("to_state"))
        .order_by("at", "pk")
        .values_list("to_state", "at")
    )
    for to_state, at in rows:
        entered[to_state] = at  # the last time it entered each state
    due = deadlines(dossier)
    current = step_index(dossier.statut)
    steps: list[PathStep] = []
    for i, step in enumerate(STEPS):
        status = "fait" if i < current else "en_cours" if i == current else "a_venir"
        item = PathStep(title=step.title, status=status)
        if i <= current:
            times = [entered[s] for s in step.states if s in entered]
            if times:
                item.started = timezone.localdate(max(times))
            elif i == 0:
                item.started = timezone.localdate(dossier.created_at)
        if i == current:
            item.state_label = str(Dossier.Statut(dossier.statut).label)
            state_due = due.get(dossier.statut)
        else:
            state_due = next((due[s] for s in step.states if s in due), None)
        if i >= current and state_due is not None:
            item.due, item.due_what = state_due
        steps.append(item)
    for before, after in zip(steps, steps[1:], strict=False):
        if before.status == "fait":
            before.ended = after.started
    return Path(steps=steps, current=steps[current], next_actor=next_actor(dossier.statut))
