"""Reads on remarkable practices, scoped by the user.

- The catalogue (everyone logged in): published practices the structure consented to share.
- A practice's page: the catalogue's, plus, whatever their state, those of the structures the
  user sees (its members, its ARML, the UNML) and those the user proposed (an auditor).
- The public catalogue and pages (no login): published practices shared publicly.

A withdrawn consent takes a practice out of all of them at once: they read the state and the
consent on each request, nothing is cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Func, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.http import Http404, QueryDict

from labelml.accounts.models import User
from labelml.core.ids import parse_id
from labelml.structures.models import Region, Structure
from referentiel.models import Critere, Referentiel, Section

from .models import Pratique, plain

PUBLICS = (
    ("jeunes", "Jeunes", "public_jeunes"),
    ("partenaires", "Partenaires", "public_partenaires"),
    ("entreprises", "Entreprises", "public_entreprises"),
)
PAGE_SIZE = 20


class Unaccent(Func):
    """PostgreSQL's unaccent() (the extension is created by this app's first migration)."""

    function = "unaccent"
    output_field = TextField()


def pratiques_for_user(user: User | AnonymousUser) -> QuerySet[Pratique]:
    if not user.is_authenticated or not user.is_active:
        return Pratique.objects.none()
    visible = Structure.objects.for_user(user).values("pk")
    shared = Q(
        statut=Pratique.Statut.PUBLIEE,
        consentement__in=[Pratique.Consentement.RESEAU, Pratique.Consentement.PUBLIC],
    )
    return Pratique.objects.filter(shared | Q(structure__in=visible) | Q(propose_par=user))


def get_pratique_for_user(user: User | AnonymousUser, pk: int) -> Pratique:
    pratique = (
        pratiques_for_user(user)
        .select_related("structure", "dossier__campagne", "propose_par", "consentement_par")
        .prefetch_related(_criteres())
        .filter(pk=pk)
        .first()
    )
    if pratique is None:
        raise Http404("Pratique introuvable.")
    return pratique


def _criteres() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch(
        "criteres",
        queryset=Critere.objects.select_related("referentiel", "section").order_by("ordre"),
    )


def structure_pratiques(user: User, structure: Structure) -> QuerySet[Pratique]:
    """Every practice of a structure the user sees (its own page lists them all)."""
    return (
        pratiques_for_user(user)
        .filter(structure=structure)
        .prefetch_related(_criteres())
        .order_by("-created_at", "-pk")
    )


def search(queryset: QuerySet[Pratique], words: str) -> QuerySet[Pratique]:
    """French full-text search, accents ignored, on PostgreSQL (stems: "insertion" finds
    "insérés"); a plain accent-free substring match elsewhere (SQLite, in quick tests)."""
    words = words.strip()[:200]
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        document = Concat(
            "titre", Value(" "), "description", Value(" "), "resultats", output_field=TextField()
        )
        vector = SearchVector(Unaccent(document), config="french")
        query = SearchQuery(plain(words), config="french", search_type="websearch")
        return (
            queryset.annotate(rang=SearchRank(vector, query))
            .filter(rang__gt=0)
            .order_by("-rang", "-publiee_le", "pk")
        )
    condition = Q()
    for word in plain(words).split():
        condition &= Q(texte_recherche__contains=word)
    return queryset.filter(condition)


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    referentiel: Referentiel | None = None
    section: Section | None = None
    critere: Critere | None = None
    region: str = ""
    type: str = ""
    public: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.section or self.critere or self.region or self.public)

    def querystring(self, **change: Any) -> str:
        params = QueryDict(mutable=True)
        values = {
            "q": self.q,
            "partie": self.section.pk if self.section else "",
            "critere": self.critere.pk if self.critere else "",
            "region": self.region,
            "type": self.type,
            "public": self.public,
        }
        values.update(change)
        for key, value in values.items():
            if value:
                params[key] = str(value)
        return params.urlencode()


def parse_catalogue_filters(params: QueryDict) -> CatalogueFilters:
    """The catalogue's filters; an unknown value is ignored (the page shows everything)."""
    critere = section = None
    critere_id = parse_id(params.get("critere", ""))
    if critere_id is not None:
        critere = (
            Critere.objects.filter(pk=critere_id, referentiel__statut=Referentiel.Statut.PUBLIE)
            .select_related("referentiel", "section")
            .first()
        )
    section_id = parse_id(params.get("partie", ""))
    if section_id is not None:
        section = (
            Section.objects.filter(pk=section_id, referentiel__statut=Referentiel.Statut.PUBLIE)
            .select_related("referentiel")
            .first()
        )
    region = params.get("region", "")
    kind = params.get("type", "")
    public = params.get("public", "")
    referentiel = (critere.referentiel if critere else None) or (
        section.referentiel if section else None
    )
    return CatalogueFilters(
        q=params.get("q", "").strip()[:200],
        referentiel=referentiel,
        section=section,
        critere=critere,
        region=region if region in Region.values else "",
        type=kind if kind in Structure.Type.values else "",
        public=public if public in {p[0] for p in PUBLICS} else "",
    )


def filtered(queryset: QuerySet[Pratique], filters: CatalogueFilters) -> QuerySet[Pratique]:
    if filters.critere is not None:
        queryset = queryset.filter(criteres=filters.critere)
    elif filters.section is not None:
        queryset = queryset.filter(
            Q(criteres__section=filters.section) | Q(criteres__section__parent=filters.section)
        )
    if filters.region:
        queryset = queryset.filter(structure__region=filters.region)
    if filters.type:
        queryset = queryset.filter(structure__type=filters.type)
    if filters.public:
        field = {p[0]: p[2] for p in PUBLICS}[filters.public]
        queryset = queryset.filter(**{field: True})
    if filters.critere is None and filters.section is not None:
        # A practice answering two criteria of the part is listed once.
        queryset = queryset.filter(pk__in=queryset.values("pk")).distinct()
    return search(queryset, filters.q)


def with_relations(queryset: QuerySet[Pratique]) -> QuerySet[Pratique]:
    return queryset.select_related("structure").prefetch_related(_criteres())


def catalogue(filters: CatalogueFilters) -> QuerySet[Pratique]:
    """The network's catalogue: published, consented practices, filtered and searched."""
    return with_relations(filtered(Pratique.objects.shared_with_network(), filters))


def public_catalogue(filters: CatalogueFilters) -> QuerySet[Pratique]:
    return with_relations(filtered(Pratique.objects.shared_publicly(), filters))


def filter_choices() -> dict[str, Any]:
    """The filters' options: the published référentiels' parts and criteria, the regions, the
    structure types, the publics. Three queries."""
    sections = list(
        Section.objects.filter(referentiel__statut=Referentiel.Statut.PUBLIE)
        .select_related("referentiel")
        .order_by("referentiel__code", "-referentiel__version", "ordre")
    )
    criteres = list(
        Critere.objects.filter(referentiel__statut=Referentiel.Statut.PUBLIE)
        .select_related("referentiel")
        .order_by("referentiel__code", "-referentiel__version", "ordre")
        .only("pk", "code", "titre", "referentiel__code", "referentiel__version")
    )
    return {
        "sections": sections,
        "criteres": criteres,
        "regions": sorted(Region.choices, key=lambda r: plain(str(r[1]))),
        "types": [
            (Structure.Type.MISSION_LOCALE.value, Structure.Type.MISSION_LOCALE.label),
            (Structure.Type.ARML.value, Structure.Type.ARML.label),
        ],
        "publics": [(code, label) for code, label, _ in PUBLICS],
    }


def to_review() -> QuerySet[Pratique]:
    """The UNML's review queue: practices consented to and not yet published."""
    return (
        Pratique.objects.filter(statut=Pratique.Statut.CONSENTIE)
        .select_related("structure")
        .prefetch_related(_criteres())
        .order_by("consentement_le", "pk")
    )
