"""Se situer (issue 18): a structure's levels by part and by criterion next to the regional and
national distributions (quartiles and median) of the same campaign — submitted self-assessments
and validated audit reports of the Missions Locales.

Never an aggregate of fewer than MIN_STRUCTURES structures (the page says so instead), never
another structure's name: only numbers leave this module. The database groups the levels by
dossier and criterion (one query per side); Python computes the quartiles over at most
dossiers × criteria rows. A fixed number of queries, whatever the number of dossiers.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Exists, FloatField, Max, Min, OuterRef
from django.db.models.functions import Cast

from audits.models import Audit, Constat
from campagnes.autoevaluations.models import Reponse, Snapshot
from campagnes.autoevaluations.selectors import rated_q
from campagnes.models import Campagne, Dossier
from labelml.structures.models import Region, Structure
from referentiel.models import Critere, Echelle, Niveau, Section

MIN_STRUCTURES = 5
CENT = Decimal("0.01")


def _fr(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _dec(value: float | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Distribution:
    """Quartiles and median of the levels of `n` structures; empty below MIN_STRUCTURES."""

    n: int
    q1: Decimal | None = None
    mediane: Decimal | None = None
    q3: Decimal | None = None

    @property
    def shown(self) -> bool:
        return self.n >= MIN_STRUCTURES

    @property
    def figures(self) -> tuple[str, str, str]:
        """Q1, median, Q3 as a French reader writes them ("2,50")."""
        return (_fr(self.q1), _fr(self.mediane), _fr(self.q3))

    @classmethod
    def of(cls, values: Iterable[float]) -> Distribution:
        values = sorted(values)
        if len(values) < MIN_STRUCTURES:
            return cls(n=len(values))  # the figures are never computed, let alone shown
        q1, mediane, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(n=len(values), q1=_dec(q1), mediane=_dec(mediane), q3=_dec(q3))


@dataclass(frozen=True)
class Side:
    """One scale's figures for a row: the structure's level and the two distributions."""

    own: Decimal | None
    regional: Distribution
    national: Distribution
    lo: Decimal
    hi: Decimal

    def _pct(self, value: Decimal | None) -> str:
        if value is None or self.hi == self.lo:
            return ""
        share = (value - self.lo) / (self.hi - self.lo) * 100
        return f"{max(Decimal(0), min(Decimal(100), share)):.1f}"

    @property
    def own_text(self) -> str:
        return _fr(self.own)

    @property
    def chart(self) -> dict[str, object]:
        """Positions on the chart (percent of its width) of the boxes and the own mark."""
        boxes = []
        for name, d, y in (("national", self.national, 2), ("regional", self.regional, 12)):
            if d.shown:
                left, mid, right = self._pct(d.q1), self._pct(d.mediane), self._pct(d.q3)
                width = f"{max(float(right) - float(left), 0.8):.1f}"
                boxes.append({"name": name, "x": left, "w": width, "m": mid, "y": y, "y2": y + 8})
        return {"boxes": boxes, "own": self._pct(self.own)}


@dataclass(frozen=True)
class Row:
    code: str
    titre: str
    depth: int  # 0: a part; 1: a sub-part; 2: a criterion
    is_critere: bool
    autoevaluation: Side
    audit: Side


@dataclass
class Positionnement:
    campagne: Campagne | None
    region: str | None
    rows: list[Row] = field(default_factory=list)
    # How many structures each side counts (the whole distribution), for the page's summary.
    autoevaluations_nationales: int = 0
    audits_nationaux: int = 0
    echelle_autoevaluation: tuple[Decimal, Decimal] = (Decimal(1), Decimal(4))
    echelle_audit: tuple[Decimal, Decimal] = (Decimal(1), Decimal(5))
    minimum: int = MIN_STRUCTURES

    @property
    def region_label(self) -> str:
        return str(Region(self.region).label) if self.region in Region.values else ""

    @property
    def autoevaluation_rows(self) -> list[tuple[Row, Side]]:
        return [(r, r.autoevaluation) for r in self.rows]

    @property
    def audit_rows(self) -> list[tuple[Row, Side]]:
        return [(r, r.audit) for r in self.rows]

    @property
    def sections(self) -> list[Row]:
        return [r for r in self.rows if not r.is_critere]

    @property
    def criteres(self) -> list[Row]:
        return [r for r in self.rows if r.is_critere]


def _levels_by_dossier(
    rows: Iterable[tuple[int, int, Decimal | float | None]],
) -> dict[int, dict[int, float]]:
    levels: dict[int, dict[int, float]] = defaultdict(dict)
    for dossier_id, critere_id, value in rows:
        if value is not None:
            levels[dossier_id][critere_id] = float(value)
    return levels


def positionnement(
    campagne: Campagne | None, *, region: str | None = None, dossier: Dossier | None = None
) -> Positionnement:
    """The distributions of `campagne` (national, and `region`'s), and `dossier`'s own levels
    when given (computed from its answers even before its submission, never counted in the
    distributions before it). Six queries, whatever the number of dossiers."""
    if campagne is None:
        return Positionnement(campagne=None, region=region)
    referentiel_id = campagne.referentiel_id
    sections = list(Section.objects.filter(referentiel_id=referentiel_id).order_by("ordre"))
    criteres = list(Critere.objects.filter(referentiel_id=referentiel_id).order_by("ordre"))
    bounds: dict[str, tuple[Decimal, Decimal]] = {}
    for usage, lo, hi in (
        Niveau.objects.filter(echelle__referentiel_id=referentiel_id, valeur__isnull=False)
        .order_by()
        .values("echelle__usage")
        .annotate(lo=Min("valeur"), hi=Max("valeur"))
        .values_list("echelle__usage", "lo", "hi")
    ):
        bounds[usage] = (Decimal(lo), Decimal(hi))
    auto_bounds = bounds.get(Echelle.Usage.AUTOEVALUATION, (Decimal(1), Decimal(4)))
    audit_bounds = bounds.get(Echelle.Usage.AUDIT, (Decimal(1), Decimal(5)))

    # The campaign's Missions Locales: region, and whether the self-assessment was submitted.
    own_id = dossier.pk if dossier is not None else None
    dossiers = list(
        Dossier.objects.filter(campagne=campagne, structure__type=Structure.Type.MISSION_LOCALE)
        .annotate(submitted=Exists(Snapshot.objects.filter(dossier_id=OuterRef("pk"))))
        .order_by()
        .values_list("pk", "structure__region", "submitted")
    )
    regions = {pk: r for pk, r, _ in dossiers}
    submitted_ids = [pk for pk, _, done in dossiers if done]
    read_ids = [*submitted_ids, own_id] if own_id is not None else submitted_ids
    auto = _levels_by_dossier(
        Reponse.objects.filter(
            rated_q(), autoevaluation__dossier_id__in=read_ids, niveau__valeur__isnull=False
        )
        .order_by()
        .values("autoevaluation__dossier_id", "element__critere_id")
        .annotate(v=Avg("niveau__valeur", output_field=FloatField()))
        .values_list("autoevaluation__dossier_id", "element__critere_id", "v")
    )
    audit = _levels_by_dossier(
        Constat.objects.filter(
            audit__dossier_id__in=list(regions),
            audit__statut=Audit.Statut.VALIDE,
            niveau__valeur__isnull=False,
        )
        .order_by()
        .annotate(v=Cast("niveau__valeur", FloatField()))
        .values_list("audit__dossier_id", "critere_id", "v")
    )
    auto_regions = audit_regions = regions
    own_auto = auto.get(own_id, {}) if own_id is not None else {}
    own_audit = audit.get(own_id, {}) if own_id is not None else {}
    if own_id is not None and own_id not in set(submitted_ids):
        auto.pop(own_id, None)  # its levels are its own until it submits

    parents = {s.pk: s.parent_id for s in sections}
    under: dict[int, list[int]] = {s.pk: [] for s in sections}
    for c in criteres:
        node: int | None = c.section_id
        while node is not None:
            under.setdefault(node, []).append(c.pk)
            node = parents.get(node)

    def depth(pk: int) -> int:
        d, node = 0, parents.get(pk)
        while node is not None:
            d, node = d + 1, parents.get(node)
        return d

    def section_level(levels: dict[int, float], section_pk: int) -> float | None:
        """A part's level: the mean of its criteria's levels (SPEC §4)."""
        present = [levels[c] for c in under[section_pk] if c in levels]
        return sum(present) / len(present) if present else None

    def side(
        by_dossier: dict[int, dict[int, float]],
        regions: dict[int, str],
        own: dict[int, float],
        key: int,
        is_section: bool,
        scale: tuple[Decimal, Decimal],
    ) -> Side:
        values: dict[int, float] = {}
        for dossier_id, levels in by_dossier.items():
            value = section_level(levels, key) if is_section else levels.get(key)
            if value is not None:
                values[dossier_id] = value
        own_value = _dec(section_level(own, key) if is_section else own.get(key))
        regional = [v for d, v in values.items() if region and regions.get(d) == region]
        return Side(
            own=own_value,
            regional=Distribution.of(regional) if region else Distribution(n=0),
            national=Distribution.of(values.values()),
            lo=scale[0],
            hi=scale[1],
        )

    result = Positionnement(
        campagne=campagne,
        region=region,
        autoevaluations_nationales=len(auto),
        audits_nationaux=len(audit),
        echelle_autoevaluation=auto_bounds,
        echelle_audit=audit_bounds,
    )
    by_section: dict[int, list[Critere]] = defaultdict(list)
    for c in criteres:
        by_section[c.section_id].append(c)
    for s in sections:
        result.rows.append(
            Row(
                code=s.code,
                titre=s.titre,
                depth=depth(s.pk),
                is_critere=False,
                autoevaluation=side(auto, auto_regions, own_auto, s.pk, True, auto_bounds),
                audit=side(audit, audit_regions, own_audit, s.pk, True, audit_bounds),
            )
        )
        for c in by_section.get(s.pk, []):
            result.rows.append(
                Row(
                    code=c.code,
                    titre=c.titre,
                    depth=2,
                    is_critere=True,
                    autoevaluation=side(auto, auto_regions, own_auto, c.pk, False, auto_bounds),
                    audit=side(audit, audit_regions, own_audit, c.pk, False, audit_bounds),
                )
            )
    return result
