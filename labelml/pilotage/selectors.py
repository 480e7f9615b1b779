"""The figures of the UNML and ARML dashboards (SPEC §9, issue 7).

Every function takes the steering scope and the filters and starts from `dossiers_in_scope`, so
an ARML never reads another region's data. Every aggregate is computed by the database (GROUP
BY, COUNT, AVG, TruncWeek): the Python code only reshapes the aggregated rows, whose number is
bounded by the référentiel (24 criteria), the regions (18) and the states (11) — never by the
number of dossiers, answers or findings. Each function runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from audits.commission.models import Label
from audits.models import GAP_CODES, Audit, Constat
from campagnes.autoevaluations.models import Reponse
from campagnes.autoevaluations.selectors import rated_q
from campagnes.models import Dossier, DossierTransition
from labelml.structures.models import Region
from referentiel.models import Critere, Echelle, Niveau, Section

from .scope import Filters, Scope, dossiers_in_scope, sort_key

Statut = Dossier.Statut
# The dossiers past the self-assessment, in the audit, and labelled: the dashboard's KPIs.
ETATS_AUDIT = (Statut.AUDIT_A_PLANIFIER, Statut.AUDIT_PLANIFIE, Statut.AUDIT_EN_COURS)
ETATS_LABELLISES = (Statut.LABELLISE, Statut.LABELLISE_SOUS_RESERVE)
# Workflow actions that mark progress (campagnes.workflow writes them in DossierTransition).
ACTION_AUTOEVALUATION = "submit_autoevaluation"
ACTION_AUDIT = "validate_audit_report"
ACTION_DECISION_PREFIX = "decision_"
EXPIRING_DAYS = 183  # about six months, as on the administrators' home page
EXPIRING_LIMIT = 50
TOP_GAPS = 10


def _round(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- Dossiers by state and by region ----------------------------------------------------------


@dataclass(frozen=True)
class StatutCount:
    statut: str
    label: str
    count: int


@dataclass(frozen=True)
class StatutCounts:
    rows: list[StatutCount]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    def count(self, *statuts: str) -> int:
        return sum(r.count for r in self.rows if r.statut in statuts)

    @property
    def labellises(self) -> int:
        return self.count(*ETATS_LABELLISES)

    @property
    def en_audit(self) -> int:
        return self.count(*ETATS_AUDIT)


def counts_by_state(scope: Scope, filters: Filters) -> StatutCounts:
    """Number of dossiers in each workflow state (every state listed, zeros included). One
    query."""
    counts = dict(
        dossiers_in_scope(scope, filters)
        .order_by()
        .values("statut")
        .annotate(n=Count("pk"))
        .values_list("statut", "n")
    )
    return StatutCounts(
        rows=[
            StatutCount(statut=e.value, label=str(e.label), count=counts.get(e.value, 0))
            for e in Statut
        ]
    )


@dataclass(frozen=True)
class RegionRow:
    region: str
    label: str
    counts: list[int]  # in the order of `RegionCounts.statuts`

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class RegionCounts:
    statuts: list[tuple[str, str]]  # (code, label), in workflow order
    rows: list[RegionRow]

    @property
    def totals(self) -> list[int]:
        return [sum(r.counts[i] for r in self.rows) for i in range(len(self.statuts))]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def counts_by_region(scope: Scope, filters: Filters) -> RegionCounts:
    """A region × state table of dossiers: every region of the scope (or the chosen one) gets a
    row, zeros included, sorted by name. One query."""
    rows = (
        dossiers_in_scope(scope, filters)
        .order_by()
        .values("structure__region", "statut")
        .annotate(n=Count("pk"))
        .values_list("structure__region", "statut", "n")
    )
    cells: dict[tuple[str, str], int] = {(region, statut): n for region, statut, n in rows}
    regions = [filters.region] if filters.region else list(scope.regions)
    labels = dict(Region.choices)
    statuts = [(e.value, str(e.label)) for e in Statut]
    out = [
        RegionRow(
            region=code,
            label=str(labels.get(code, code)),
            counts=[cells.get((code, statut), 0) for statut, _ in statuts],
        )
        for code in regions
    ]
    out.sort(key=lambda r: sort_key(r.label))
    return RegionCounts(statuts=statuts, rows=out)


# --- Progress over time -------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPoint:
    semaine: dt.date  # the Monday of the week
    autoevaluations: int  # self-assessments submitted that week
    audits: int  # audit reports validated that week
    decisions: int  # commission decisions recorded that week
    # Running totals since the start of the campaign.
    autoevaluations_cumul: int = 0
    audits_cumul: int = 0
    decisions_cumul: int = 0


def progress_over_time(scope: Scope, filters: Filters) -> list[WeekPoint]:
    """Per week, from the workflow's audit trail: self-assessments submitted, audit reports
    validated, decisions recorded, with running totals. One query, grouped by TruncWeek in the
    database; the running totals add up the weekly rows (one per week of the campaign)."""
    decision_q = Q(action__startswith=ACTION_DECISION_PREFIX)
    rows = (
        DossierTransition.objects.filter(dossier__in=dossiers_in_scope(scope, filters))
        .filter(subject=DossierTransition.Subject.DOSSIER)
        .filter(Q(action__in=(ACTION_AUTOEVALUATION, ACTION_AUDIT)) | decision_q)
        .annotate(semaine=TruncWeek("at"))
        .order_by()
        .values("semaine")
        .annotate(
            autoevaluations=Count("pk", filter=Q(action=ACTION_AUTOEVALUATION)),
            audits=Count("pk", filter=Q(action=ACTION_AUDIT)),
            decisions=Count("pk", filter=decision_q),
        )
        .order_by("semaine")
    )
    out: list[WeekPoint] = []
    auto = audits = decisions = 0
    for row in rows:
        auto += row["autoevaluations"]
        audits += row["audits"]
        decisions += row["decisions"]
        semaine = row["semaine"]
        if isinstance(semaine, dt.datetime):
            semaine = (
                timezone.localtime(semaine).date() if timezone.is_aware(semaine) else semaine.date()
            )
        out.append(
            WeekPoint(
                semaine=semaine,
                autoevaluations=row["autoevaluations"],
                audits=row["audits"],
                decisions=row["decisions"],
                autoevaluations_cumul=auto,
                audits_cumul=audits,
                decisions_cumul=decisions,
            )
        )
    return out


# --- Average levels per section and per criterion ---------------------------------------------


@dataclass(frozen=True)
class CritereLevel:
    code: str
    titre: str
    section_id: int
    autoevaluation: Decimal | None  # mean of the rated elements (scale 1–4)
    autoevaluation_n: int  # number of rated answers behind the mean
    audit: Decimal | None  # mean of the validated findings (scale 1–5)
    audit_n: int  # number of findings behind the mean


@dataclass(frozen=True)
class SectionLevel:
    code: str
    titre: str
    depth: int
    autoevaluation: Decimal | None  # mean of its criteria's means (SPEC §4)
    audit: Decimal | None


@dataclass(frozen=True)
class Levels:
    sections: list[SectionLevel] = field(default_factory=list)
    criteres: list[CritereLevel] = field(default_factory=list)
    # How to read the means: "1 (Non engagé) à 4 (Mis en œuvre et évalué)", from the scales
    # of the référentiel file.
    echelle_autoevaluation: str = ""
    echelle_audit: str = ""


def final_constats(scope: Scope, filters: Filters) -> QuerySet[Constat]:
    """The findings of validated audit reports (a report under review may still change)."""
    return Constat.objects.filter(
        audit__dossier__in=dossiers_in_scope(scope, filters), audit__statut=Audit.Statut.VALIDE
    )


def average_levels(scope: Scope, filters: Filters) -> Levels:
    """Average self-assessment level per criterion (over every rated answer of the dossiers in
    scope; 'sans objet' has no value and does not count) next to the average audit finding per
    criterion (validated reports), and the same per section as the mean of its criteria's means
    (sub-sections included). Five queries: sections, criteria, the scales' levels, and one
    GROUP BY critere for each side."""
    if filters.campagne is None:
        return Levels()
    referentiel_id = filters.campagne.referentiel_id
    sections = list(Section.objects.filter(referentiel_id=referentiel_id).order_by("ordre"))
    criteres = list(Critere.objects.filter(referentiel_id=referentiel_id).order_by("ordre"))
    niveaux = list(
        Niveau.objects.filter(echelle__referentiel_id=referentiel_id, valeur__isnull=False)
        .select_related("echelle")
        .order_by("valeur")
    )
    auto_rows = (
        Reponse.objects.filter(
            rated_q(),
            autoevaluation__dossier__in=dossiers_in_scope(scope, filters),
            niveau__valeur__isnull=False,
        )
        .order_by()
        .values("element__critere_id")
        .annotate(moyenne=Avg("niveau__valeur"), n=Count("pk"))
        .values_list("element__critere_id", "moyenne", "n")
    )
    auto = {pk: (_round(moyenne), n) for pk, moyenne, n in auto_rows}
    audit_rows = (
        final_constats(scope, filters)
        .filter(niveau__valeur__isnull=False)
        .order_by()
        .values("critere_id")
        .annotate(moyenne=Avg("niveau__valeur"), n=Count("pk"))
        .values_list("critere_id", "moyenne", "n")
    )
    audit = {pk: (_round(moyenne), n) for pk, moyenne, n in audit_rows}

    levels = [
        CritereLevel(
            code=c.code,
            titre=c.titre,
            section_id=c.section_id,
            autoevaluation=auto.get(c.pk, (None, 0))[0],
            autoevaluation_n=auto.get(c.pk, (None, 0))[1],
            audit=audit.get(c.pk, (None, 0))[0],
            audit_n=audit.get(c.pk, (None, 0))[1],
        )
        for c in criteres
    ]
    # A section's criteria include those of its sub-sections (4 = 4.1 … 4.4).
    parents = {s.pk: s.parent_id for s in sections}
    under: dict[int, list[CritereLevel]] = {s.pk: [] for s in sections}
    for level in levels:
        node: int | None = level.section_id
        while node is not None:
            under.setdefault(node, []).append(level)
            node = parents.get(node)

    def depth(pk: int) -> int:
        d, node = 0, parents.get(pk)
        while node is not None:
            d, node = d + 1, parents.get(node)
        return d

    def mean(values: list[Decimal | None]) -> Decimal | None:
        present = [v for v in values if v is not None]
        return _round(sum(present, Decimal(0)) / len(present)) if present else None

    return Levels(
        sections=[
            SectionLevel(
                code=s.code,
                titre=s.titre,
                depth=depth(s.pk),
                autoevaluation=mean([c.autoevaluation for c in under[s.pk]]),
                audit=mean([c.audit for c in under[s.pk]]),
            )
            for s in sections
        ],
        criteres=levels,
        echelle_autoevaluation=_scale(niveaux, Echelle.Usage.AUTOEVALUATION),
        echelle_audit=_scale(niveaux, Echelle.Usage.AUDIT),
    )


def _scale(niveaux: list[Niveau], usage: str) -> str:
    """ "1 (Non engagé) à 4 (Mis en œuvre et évalué)": the range of a scale's numeric values."""
    own = [n for n in niveaux if n.echelle.usage == usage]
    if not own:
        return ""
    low, high = own[0], own[-1]
    return f"{_num(low.valeur)} ({low.libelle}) à {_num(high.valeur)} ({high.libelle})"


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


# --- Most frequent gaps ---------------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    code: str
    titre: str
    mineurs: int
    majeurs: int

    @property
    def total(self) -> int:
        return self.mineurs + self.majeurs


def frequent_gaps(scope: Scope, filters: Filters, limit: int = TOP_GAPS) -> list[GapRow]:
    """The criteria with the most gaps (minor and major findings of validated reports), most
    frequent first. One query: counted, sorted and limited by the database."""
    rows = (
        final_constats(scope, filters)
        .filter(niveau__code__in=GAP_CODES)
        .order_by()
        .values("critere_id", "critere__code", "critere__titre", "critere__ordre")
        .annotate(
            total=Count("pk"),
            mineurs=Count("pk", filter=Q(niveau__code="ecart_mineur")),
            majeurs=Count("pk", filter=Q(niveau__code="ecart_majeur")),
        )
        .order_by("-total", "-majeurs", "critere__ordre")[:limit]
    )
    return [
        GapRow(
            code=row["critere__code"],
            titre=row["critere__titre"],
            mineurs=row["mineurs"],
            majeurs=row["majeurs"],
        )
        for row in rows
    ]


# --- Labels expiring ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringLabel:
    structure: str
    region: str
    numero: str
    date_fin: dt.date
    jours: int


@dataclass(frozen=True)
class ExpiringLabels:
    rows: list[ExpiringLabel]
    total: int
    within_days: int


def labels_expiring(
    scope: Scope,
    filters: Filters,
    within_days: int = EXPIRING_DAYS,
    limit: int = EXPIRING_LIMIT,
) -> ExpiringLabels:
    """Valid labels of the Missions Locales in scope (and the chosen region) ending within
    about six months, soonest first, at most `limit` of them with the total count. A label
    expiring now was granted in an earlier campaign: this list follows the scope and the region,
    not the chosen campaign. Two queries."""
    today = timezone.localdate()
    qs = Label.objects.filter(
        scope.structures_q("structure__"),
        statut=Label.Statut.VALIDE,
        date_fin__gte=today,
        date_fin__lte=today + dt.timedelta(days=within_days),
    )
    if filters.region:
        qs = qs.filter(structure__region=filters.region)
    labels = dict(Region.choices)
    rows = [
        ExpiringLabel(
            structure=nom,
            region=str(labels.get(region, region)),
            numero=numero,
            date_fin=date_fin,
            jours=(date_fin - today).days,
        )
        for nom, region, numero, date_fin in qs.order_by("date_fin", "structure__nom").values_list(
            "structure__nom", "structure__region", "numero", "date_fin"
        )[:limit]
    ]
    return ExpiringLabels(rows=rows, total=qs.count(), within_days=within_days)


# --- The whole dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    statuts: StatutCounts
    regions: RegionCounts
    semaines: list[WeekPoint]
    niveaux: Levels
    ecarts: list[GapRow]
    echeances: ExpiringLabels


def dashboard(scope: Scope, filters: Filters) -> Dashboard:
    """Everything the dashboard page shows: at most 10 queries whatever the data's size."""
    return Dashboard(
        statuts=counts_by_state(scope, filters),
        regions=counts_by_region(scope, filters),
        semaines=progress_over_time(scope, filters),
        niveaux=average_levels(scope, filters),
        ecarts=frequent_gaps(scope, filters),
        echeances=labels_expiring(scope, filters),
    )
