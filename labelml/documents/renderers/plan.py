"""The improvement plan, printed for a board: counts by status and priority, then every action
under the part and criterion of the référentiel it serves (an action linked to several criteria
is listed under the first, in the référentiel's order, and names the others), then the schedule
by quarter of due date.

The plan stays alive after its submission (follow-up of gaps and reservations): the document is
the plan as it stands at the generation time, which the cover and every page carry. Before the
submission it is a working draft and says so. Always printable, even empty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from campagnes.models import Dossier
from campagnes.plans.models import Action
from campagnes.plans.selectors import actions_qs, get_plan, is_overdue, plan_summary
from referentiel.models import Critere, Section

from .common import TocEntry, common_context


def unavailable(dossier: Dossier) -> str | None:
    return None  # an empty or draft plan can always be printed


@dataclass
class PlanItem:
    action: Action
    criteres: list[Critere]  # in the référentiel's order; the first one files the action
    overdue: bool

    @property
    def others(self) -> list[Critere]:
        return self.criteres[1:]


@dataclass
class CritereGroup:
    critere: Critere
    items: list[PlanItem] = field(default_factory=list)


@dataclass
class SectionGroup:
    section: Section | None  # None: actions linked to no criterion
    criteres: list[CritereGroup] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)  # the actions without criterion

    @property
    def count(self) -> int:
        return len(self.items) + sum(len(g.items) for g in self.criteres)


@dataclass
class Quarter:
    label: str
    items: list[PlanItem]


def _quarter_label(day: dt.date) -> str:
    n = (day.month - 1) // 3 + 1
    return f"{n}{'er' if n == 1 else 'e'} trimestre {day.year}"


def schedule(items: list[PlanItem]) -> list[Quarter]:
    """Dated actions by quarter of their due date (chronological), then the undated ones."""
    quarters: list[Quarter] = []
    undated = []
    for item in sorted(items, key=lambda i: (i.action.echeance or dt.date.max, i.action.pk)):
        if item.action.echeance is None:
            undated.append(item)
            continue
        label = _quarter_label(item.action.echeance)
        if not quarters or quarters[-1].label != label:
            quarters.append(Quarter(label, []))
        quarters[-1].items.append(item)
    if undated:
        quarters.append(Quarter("Sans échéance", undated))
    return quarters


def by_status_and_priority(actions: list[Action]) -> dict[str, Any]:
    """Counts per status (rows) and priority (columns), with totals."""
    priorities = list(Action.Priorite)
    rows = []
    for statut in Action.Statut:
        counts = [
            sum(1 for a in actions if a.statut == statut and a.priorite == p) for p in priorities
        ]
        rows.append({"label": statut.label, "counts": counts, "total": sum(counts)})
    totals = [sum(1 for a in actions if a.priorite == p) for p in priorities]
    return {
        "priorities": [p.label for p in priorities],
        "rows": rows,
        "totals": totals,
        "total": len(actions),
    }


def context(dossier: Dossier) -> dict[str, Any]:
    ctx = common_context(dossier, title="Plan d'amélioration")
    dossier = ctx["dossier"]
    today = timezone.localdate(ctx["generated_at"])
    plan = get_plan(dossier)
    actions = list(actions_qs(dossier)) if plan is not None else []
    # The prefetched criteria only carry code and title: their sections come from here.
    criteres = {
        c.pk: c
        for c in Critere.objects.filter(referentiel_id=dossier.campagne.referentiel_id)
        .select_related("section")
        .order_by("ordre")
    }
    items = [
        PlanItem(
            action=a,
            criteres=sorted(
                (criteres[c.pk] for c in a.criteres.all() if c.pk in criteres),
                key=lambda c: c.ordre,
            ),
            overdue=is_overdue(a, today),
        )
        for a in actions
    ]
    filed: dict[int, list[PlanItem]] = {}
    unfiled: list[PlanItem] = []
    for item in items:
        if item.criteres:
            filed.setdefault(item.criteres[0].pk, []).append(item)
        else:
            unfiled.append(item)
    groups: list[SectionGroup] = []
    for critere in criteres.values():  # référentiel order
        if critere.pk not in filed:
            continue
        if not groups or groups[-1].section != critere.section:
            groups.append(SectionGroup(critere.section))
        groups[-1].criteres.append(CritereGroup(critere, filed[critere.pk]))
    if unfiled:
        groups.append(SectionGroup(None, items=unfiled))

    toc: list[TocEntry] = []
    if items:
        toc.append(TocEntry("synthese", "Synthèse du plan"))
        toc.append(TocEntry("actions", "Actions par partie du référentiel"))
        for group in groups:
            if group.section is None:
                toc.append(TocEntry("s-aucune", "Actions sans critère", 2))
            else:
                title = f"{group.section.code}. {group.section.titre}"
                toc.append(TocEntry(f"s-{group.section.pk}", title, 2))
        toc.append(TocEntry("calendrier", "Calendrier des actions"))
    ctx.update(
        {
            "plan": plan,
            "draft": plan is None or plan.soumis_le is None,
            "today": today,
            "items": items,
            "summary": plan_summary(dossier, today) if items else None,
            "matrix": by_status_and_priority(actions),
            "groups": groups,
            "schedule": schedule(items),
            "toc": toc,
        }
    )
    return ctx
