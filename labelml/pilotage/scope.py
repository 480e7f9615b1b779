"""Who steers what (SPEC §2, §9): a national administrator sees every region; an ARML's
référent labellisation sees the Missions Locales of their ARML(s), enforced here on the server
for every dashboard and export. Anyone else has no steering page at all (404).

Dashboards and exports read dossiers only through `dossiers_in_scope`, so a forgotten filter
fails closed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from campagnes.models import Campagne, Dossier
from labelml.accounts.models import User
from labelml.core.ids import parse_id
from labelml.structures.models import Membership, Region, Structure
from labelml.structures.roles import Role
from labelml.structures.selectors import is_national_admin


@dataclass(frozen=True)
class Scope:
    national: bool
    # The ARMLs whose Missions Locales are in scope (empty when national).
    armls: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.national:
            return "National"
        return ", ".join(Region(r).label for r in self.regions if r in Region.values)

    def structures_q(self, prefix: str = "") -> Q:
        """The Missions Locales in scope, as a condition on `prefix` + structure fields."""
        if self.national:
            return Q(**{f"{prefix}type": Structure.Type.MISSION_LOCALE})
        return Q(
            **{f"{prefix}type": Structure.Type.MISSION_LOCALE, f"{prefix}parent_id__in": self.armls}
        )


def scope_for_user(user: User | AnonymousUser) -> Scope:
    """The user's steering scope; 404 for anyone who steers nothing."""
    if not user.is_authenticated:
        raise Http404("Page introuvable.")
    if is_national_admin(user):
        return Scope(national=True, regions=tuple(Region.values))
    armls = list(
        Membership.objects.filter(
            user=user, role=Role.REFERENT_ARML, structure__type=Structure.Type.ARML
        )
        .order_by("structure__region")
        .values_list("structure_id", "structure__region")
    )
    if not armls:
        raise Http404("Page introuvable.")
    return Scope(
        national=False,
        armls=tuple(pk for pk, _ in armls),
        regions=tuple(sorted({region for _, region in armls if region})),
    )


@dataclass(frozen=True)
class Filters:
    campagne: Campagne | None
    region: str | None  # an INSEE region code within the scope, or None for the whole scope

    def querystring(self) -> str:
        q = QueryDict(mutable=True)
        if self.campagne:
            q["campagne"] = str(self.campagne.pk)
        if self.region:
            q["region"] = self.region
        return q.urlencode()


def parse_filters(params: QueryDict, scope: Scope) -> Filters:
    """Filters from the query string. An unknown campaign or a region outside the scope answers
    404 (exactly as a missing page: another region's data cannot be probed). Without a
    campaign, the latest opened one is used."""
    campagnes = Campagne.objects.order_by("-date_ouverture", "-pk")
    raw = params.get("campagne", "")
    if raw:
        campagne_id = parse_id(raw)
        if campagne_id is None:
            raise Http404("Campagne introuvable.")
        campagne = campagnes.filter(pk=campagne_id).first()
        if campagne is None:
            raise Http404("Campagne introuvable.")
    else:
        campagne = campagnes.first()
    region = params.get("region", "") or None
    if region is not None and region not in scope.regions:
        raise Http404("Région introuvable.")
    return Filters(campagne=campagne, region=region)


def dossiers_in_scope(scope: Scope, filters: Filters) -> QuerySet[Dossier]:
    """The dossiers a dashboard or an export may read: the campaign's, the scope's Missions
    Locales, the chosen region."""
    if filters.campagne is None:
        return Dossier.objects.none()
    qs = Dossier.objects.filter(scope.structures_q("structure__"), campagne=filters.campagne)
    if filters.region:
        qs = qs.filter(structure__region=filters.region)
    return qs


def sort_key(label: str) -> str:
    """Alphabetical order as a French reader expects it: Île-de-France among the I."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", label) if not unicodedata.combining(ch)
    ).casefold()


def filter_choices(scope: Scope) -> dict[str, Any]:
    """The filter form's options: every campaign (latest first) and the scope's regions."""
    labels = dict(Region.choices)
    return {
        "campagnes": Campagne.objects.order_by("-date_ouverture", "-pk").only(
            "pk", "nom", "date_ouverture"
        ),
        "regions": sorted(
            ((code, str(labels[code])) for code in scope.regions if code in labels),
            key=lambda r: sort_key(r[1]),
        ),
    }
