"""Reads of the self-assessment: a criterion page, the overview of all criteria, progress and
scores, and what is missing before submission. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils.text import Truncator

from campagnes.models import Dossier
from labelml.core.transitions import MissingItem
from labelml.structures.home import WorkItem
from referentiel.models import Aide, Critere, Element, Niveau, Section

from .models import Preuve, Reponse, SyntheseCritere

SANS_OBJET = "sans_objet"


def rated_q(prefix: str = "") -> Q:
    """A person rated it: a level is set and, on a renewal copy, it was confirmed."""
    return Q(**{f"{prefix}niveau__isnull": False, f"{prefix}a_confirmer": False})


@dataclass
class CritereStats:
    critere: Critere
    total: int = 0
    rated: int = 0
    score: Decimal | None = None
    synthese_ok: bool = False
    # Copied answers (and synthesis) of a renewal not confirmed yet (SPEC §7b).
    a_confirmer: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.rated / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.rated == self.total and self.synthese_ok


@dataclass
class SectionStats:
    section: Section
    criteres: list[CritereStats] = field(default_factory=list)
    children: list[SectionStats] = field(default_factory=list)

    def all_criteres(self) -> list[CritereStats]:
        out = list(self.criteres)
        for child in self.children:
            out += child.all_criteres()
        return out

    @property
    def total(self) -> int:
        return sum(c.total for c in self.all_criteres())

    @property
    def rated(self) -> int:
        return sum(c.rated for c in self.all_criteres())

    @property
    def percent(self) -> int:
        return round(100 * self.rated / self.total) if self.total else 0

    @property
    def score(self) -> Decimal | None:
        """Section score = mean of its criteria's scores (SPEC §4)."""
        scores = [c.score for c in self.all_criteres() if c.score is not None]
        return sum(scores, Decimal(0)) / len(scores) if scores else None


@dataclass
class Progress:
    sections: list[SectionStats]
    criteres: list[CritereStats]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.criteres)

    @property
    def rated(self) -> int:
        return sum(c.rated for c in self.criteres)

    @property
    def percent(self) -> int:
        return round(100 * self.rated / self.total) if self.total else 0

    @property
    def syntheses_done(self) -> int:
        return sum(1 for c in self.criteres if c.synthese_ok)

    @property
    def a_confirmer(self) -> int:
        return sum(c.a_confirmer for c in self.criteres)

    def leaf_sections(self) -> list[SectionStats]:
        """Sections that hold criteria (1, 2, 3, 4.1…4.4, 5): the axes of the radar chart."""
        out: list[SectionStats] = []

        def walk(nodes: list[SectionStats]) -> None:
            for node in nodes:
                if node.criteres:
                    out.append(node)
                walk(node.children)

        walk(self.sections)
        return out


def dossier_progress(dossier: Dossier) -> Progress:
    """Progress and scores of every criterion and section: 4 queries, aggregated in the
    database."""
    referentiel_id = dossier.campagne.referentiel_id
    sections = list(Section.objects.filter(referentiel_id=referentiel_id))
    criteres = list(Critere.objects.filter(referentiel_id=referentiel_id))
    stats_rows = (
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .values("element__critere_id")
        .annotate(
            total=Count("pk"),
            rated=Count("pk", filter=rated_q()),
            to_confirm=Count("pk", filter=Q(a_confirmer=True)),
            score=Avg("niveau__valeur", filter=rated_q() & Q(niveau__valeur__isnull=False)),
        )
    )
    by_critere: dict[int, dict[str, Any]] = {
        row["element__critere_id"]: dict(row) for row in stats_rows
    }
    syntheses = dict(
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier)
        .exclude(synthese="")
        .values_list("critere_id", "a_confirmer")
    )
    # A copied synthesis is written, but not done until confirmed.
    done = {pk for pk, to_confirm in syntheses.items() if not to_confirm}
    stats = []
    for c in criteres:
        row: dict[str, Any] = by_critere.get(c.pk, {})
        score = row.get("score")
        stats.append(
            CritereStats(
                critere=c,
                total=row.get("total", 0),
                rated=row.get("rated", 0),
                score=Decimal(str(score)).quantize(Decimal("0.01")) if score is not None else None,
                synthese_ok=c.pk in done,
                a_confirmer=row.get("to_confirm", 0) + bool(syntheses.get(c.pk)),
            )
        )
    by_section: dict[int, list[CritereStats]] = {}
    for st in stats:
        by_section.setdefault(st.critere.section_id, []).append(st)
    nodes = {s.pk: SectionStats(s, by_section.get(s.pk, [])) for s in sections}
    roots = []
    for s in sections:
        if s.parent_id:
            nodes[s.parent_id].children.append(nodes[s.pk])
        else:
            roots.append(nodes[s.pk])
    return Progress(sections=roots, criteres=stats)


def missing_items(dossier: Dossier) -> list[MissingItem]:
    """What stops the submission: unrated elements, 'sans objet' without justification,
    criteria without synthesis, and on a renewal the copied answers and syntheses nobody
    confirmed yet. Each item links to the place to fix it. Two queries."""
    base = reverse("autoevaluations:autoevaluation_overview", args=[dossier.pk])
    out: list[MissingItem] = []
    reponses = (
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .filter(~rated_q() | Q(niveau__code=SANS_OBJET, justification=""))
        .select_related("element__critere", "niveau")
        .order_by("element__ordre")
    )
    for r in reponses:
        url = f"{base}criteres/{r.element.critere.code}/#element-{r.element.code}"
        words = Truncator(r.element.texte).chars(110)
        if r.niveau_id is None:
            out.append(
                MissingItem(f"Élément {r.element.code} : niveau non renseigné", url, words=words)
            )
        elif r.a_confirmer:
            out.append(
                MissingItem(
                    f"Élément {r.element.code} : réponse reprise à confirmer",
                    url,
                    "a_confirmer",
                    words=words,
                )
            )
        else:
            out.append(
                MissingItem(
                    f"Élément {r.element.code} : « Sans objet » doit être justifié",
                    url,
                    words=words,
                )
            )
    for s in (
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier)
        .filter(Q(synthese="") | Q(a_confirmer=True))
        .select_related("critere")
        .order_by("critere__ordre")
    ):
        out.append(
            MissingItem(
                f"Critère {s.critere.code} : synthèse reprise à confirmer",
                f"{base}criteres/{s.critere.code}/#synthese",
                "a_confirmer",
                words=s.critere.titre,
            )
            if s.synthese
            else MissingItem(
                f"Critère {s.critere.code} : synthèse à rédiger",
                f"{base}criteres/{s.critere.code}/#synthese",
                words=s.critere.titre,
            )
        )
    return out


@dataclass
class CriterePage:
    critere: Critere
    elements: list[Element]
    reponses: dict[int, Reponse]
    synthese: SyntheseCritere
    preuves: list[Preuve]
    niveaux: list[Niveau]
    aides: list[Aide]
    previous: Critere | None
    next: Critere | None
    # On a renewal: the answers and synthesis submitted for the label being renewed, by element
    # code ("synthese" for the synthesis), shown next to the copies to confirm.
    precedent: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def a_confirmer(self) -> int:
        return sum(1 for r in self.reponses.values() if r.a_confirmer) + int(
            self.synthese.a_confirmer
        )

    def rows(self) -> list[tuple[Element, Reponse]]:
        return [(e, self.reponses[e.pk]) for e in self.elements if e.pk in self.reponses]


def critere_page(dossier: Dossier, code: str) -> CriterePage:
    """Everything the page of one criterion shows, in a fixed number of queries."""
    referentiel = dossier.campagne.referentiel
    # One query for the criteria (the page links to the previous and next one) with their
    # sections; the chosen one then gets its elements and help prefetched.
    criteres = list(
        Critere.objects.filter(referentiel=referentiel).select_related("section", "section__parent")
    )
    index = next((i for i, c in enumerate(criteres) if c.code == code), None)
    if index is None:
        raise Http404("Critère introuvable.")
    critere = criteres[index]
    prefetch_related_objects(
        [critere],
        Prefetch("elements", queryset=Element.objects.prefetch_related("sous_elements")),
        Prefetch("aides", queryset=Aide.objects.order_by("ordre")),
        "fiches",
    )
    elements = list(critere.elements.all())
    reponses = {
        r.element_id: r
        for r in Reponse.objects.filter(
            autoevaluation__dossier=dossier, element__critere=critere
        ).select_related("niveau", "updated_by")
    }
    synthese = (
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier, critere=critere)
        .select_related("contributeur", "updated_by")
        .first()
    )
    if synthese is None:
        raise Http404("Synthèse introuvable.")
    preuves = list(
        Preuve.objects.filter(dossier=dossier, critere=critere).select_related(
            "element", "ajoute_par"
        )
    )
    niveaux = list(Niveau.objects.filter(echelle_id=referentiel.echelle_autoevaluation_pk))
    return CriterePage(
        precedent=previous_answers(dossier, critere.code),
        critere=critere,
        elements=elements,
        reponses=reponses,
        synthese=synthese,
        preuves=preuves,
        niveaux=niveaux,
        aides=list(critere.aides.all()),
        previous=criteres[index - 1] if index > 0 else None,
        next=criteres[index + 1] if index + 1 < len(criteres) else None,
    )


def previous_answers(dossier: Dossier, critere_code: str) -> dict[str, dict[str, Any]]:
    """On a renewal dossier, what was submitted last time for one criterion (the snapshot of
    the renewed dossier): element code → answer, and "synthese" → the synthesis. One query, none
    for an initial dossier."""
    if dossier.renouvellement_de_id is None:
        return {}
    from .models import Snapshot

    contenu = (
        Snapshot.objects.filter(dossier_id=dossier.renouvellement_de_id)
        .order_by("-numero")
        .values_list("contenu", flat=True)
        .first()
    )
    if not contenu:
        return {}
    out = {r["element"]: r for r in contenu.get("reponses", []) if r["critere"] == critere_code}
    for s in contenu.get("syntheses", []):
        if s["critere"] == critere_code:
            out["synthese"] = s
    return out


def structure_members(dossier: Dossier) -> list[Any]:
    """People who may be assigned a criterion: the structure's members."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(memberships__structure_id=dossier.structure_id)
        .order_by("last_name", "first_name")
    )


def dossier_home(dossier: Dossier) -> dict[str, Any]:
    """campagnes.hooks.dossier_home: the self-assessment's progress and, while it is open, what
    is missing before it can be submitted (the first eight)."""
    todo = missing_items(dossier) if dossier.statut == Dossier.Statut.AUTOEVALUATION else []
    return {"progress": dossier_progress(dossier), "todo": todo[:8], "todo_count": len(todo)}


# The home's worklist (labelml.structures.home.register_worklist) ------------------------------

# Criteria listed one by one per dossier on the home page; the rest in one line.
WORKLIST_CRITERIA = 6


def _short(text: str) -> str:
    from django.utils.text import Truncator

    return str(Truncator(text).chars(90))


def _criterion_todo(synthese: SyntheseCritere) -> str:
    """What is left on a criterion ("" when it is complete)."""
    parts = []
    n = getattr(synthese, "todo", 0)
    if n:
        parts.append(f"{n} élément{'s' if n > 1 else ''} à noter")
    if not synthese.synthese:
        parts.append("synthèse à rédiger")
    elif synthese.a_confirmer:
        parts.append("synthèse reprise à confirmer")
    return ", ".join(parts)


def worklist(user: Any) -> list[WorkItem]:
    """What the self-assessment gives the home's "À faire", while it is open: the criteria
    assigned to the user; to the référent qualité and the direction, the criteria left to fill
    (the first WORKLIST_CRITERIA, then one line for the rest) and, once complete, its
    submission for the direction; the evidence expiring within EXPIRY_WARNING_DAYS days.
    Three queries at most."""
    import datetime as dt

    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from campagnes.selectors import FINAL_STATES, member_roles
    from labelml.structures.roles import ROLE_CAPABILITIES, Capability

    from .preuves import EXPIRY_WARNING_DAYS

    roles = member_roles(user)
    if not user.is_authenticated:
        return []
    editors = [
        pk
        for pk, role in roles.items()
        if Capability.EDIT_AUTOEVALUATION in ROLE_CAPABILITIES.get(role, frozenset())
    ]
    submitters = {
        pk
        for pk, role in roles.items()
        if Capability.SUBMIT in ROLE_CAPABILITIES.get(role, frozenset())
    }
    todo = (
        Reponse.objects.filter(
            autoevaluation_id=OuterRef("autoevaluation_id"),
            element__critere_id=OuterRef("critere_id"),
        )
        .filter(~rated_q() | Q(niveau__code=SANS_OBJET, justification=""))
        .values("autoevaluation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    syntheses = (
        SyntheseCritere.objects.filter(
            autoevaluation__dossier__statut=Dossier.Statut.AUTOEVALUATION,
        )
        .filter(Q(autoevaluation__dossier__structure_id__in=editors) | Q(contributeur_id=user.pk))
        .select_related(
            "critere",
            "contributeur",
            "autoevaluation__dossier__structure",
            "autoevaluation__dossier__campagne",
        )
        .annotate(todo=Coalesce(Subquery(todo, output_field=IntegerField()), 0))
        .order_by("autoevaluation__dossier__structure__nom", "critere__ordre")
        if roles
        else SyntheseCritere.objects.none()
    )
    items: list[WorkItem] = []
    by_dossier: dict[int, list[SyntheseCritere]] = {}
    for s in syntheses:
        by_dossier.setdefault(s.autoevaluation.dossier_id, []).append(s)
    for rows in by_dossier.values():
        dossier = rows[0].autoevaluation.dossier
        due = dossier.campagne.date_cloture_autoevaluation
        left = [s for s in rows if _criterion_todo(s)]
        mine = [s for s in left if s.contributeur_id == user.pk]
        others = [s for s in left if s.contributeur_id != user.pk]
        for s in mine:
            items.append(
                WorkItem(
                    text=f"Critère {s.critere.code} qui vous est assigné : "
                    f"{_short(s.critere.titre)}",
                    url=reverse(
                        "autoevaluations:autoevaluation_critere", args=[dossier.pk, s.critere.code]
                    ),
                    due=due,
                    detail=f"{dossier.structure.nom} · {_criterion_todo(s)}",
                    group="Auto-évaluation",
                )
            )
        if dossier.structure_id not in editors:
            continue
        for s in others[:WORKLIST_CRITERIA]:
            items.append(
                WorkItem(
                    text=f"Compléter le critère {s.critere.code} : {_short(s.critere.titre)}",
                    url=reverse(
                        "autoevaluations:autoevaluation_critere", args=[dossier.pk, s.critere.code]
                    ),
                    due=due,
                    detail=f"{dossier.structure.nom} · {_criterion_todo(s)}"
                    + (f" · assigné à {s.contributeur}" if s.contributeur else ""),
                    group="Auto-évaluation",
                )
            )
        rest = len(others) - WORKLIST_CRITERIA
        if rest > 0:
            items.append(
                WorkItem(
                    text=f"Et {rest} autre{'s' if rest > 1 else ''} critère"
                    f"{'s' if rest > 1 else ''} à compléter",
                    url=reverse("autoevaluations:autoevaluation_overview", args=[dossier.pk]),
                    due=due,
                    detail=dossier.structure.nom,
                    group="Auto-évaluation",
                )
            )
        if not left and dossier.structure_id in submitters:
            items.append(
                WorkItem(
                    text="L'auto-évaluation est complète : la relire et la soumettre",
                    url=reverse("autoevaluations:autoevaluation_submit", args=[dossier.pk]),
                    due=due,
                    detail=f"{dossier.structure.nom} · {dossier.campagne.nom}",
                    group="Auto-évaluation",
                )
            )
    uploaders = [
        pk
        for pk, role in roles.items()
        if Capability.UPLOAD_PREUVE in ROLE_CAPABILITIES.get(role, frozenset())
    ]
    if uploaders:
        limit = timezone.localdate() + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        preuves = (
            Preuve.objects.filter(dossier__structure_id__in=uploaders, date_expiration__lte=limit)
            .exclude(dossier__statut__in=FINAL_STATES)
            .select_related("dossier__structure", "critere")
            .order_by("date_expiration")[:10]
        )
        for p in preuves:
            expired = p.date_expiration is not None and p.date_expiration < timezone.localdate()
            items.append(
                WorkItem(
                    text=f"Preuve {'expirée' if expired else 'bientôt expirée'} : {p.titre}",
                    url=reverse("autoevaluations:preuve_list", args=[p.dossier_id]),
                    due=p.date_expiration,
                    detail=f"{p.dossier.structure.nom} · critère {p.critere.code} · à remplacer",
                    group="Preuves",
                )
            )
    return items
