"""Reads on référentiels. Published versions are visible to every logged-in user; drafts only to
national administrators."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from labelml.accounts.models import User
from labelml.structures.selectors import is_national_admin

from .models import Aide, Critere, Element, Referentiel, Section, SousElement
from .services import normalize_for_search


def referentiels_for_user(user: User | AnonymousUser) -> QuerySet[Referentiel]:
    if not user.is_authenticated:
        return Referentiel.objects.none()
    if is_national_admin(user):
        return Referentiel.objects.all()
    return Referentiel.objects.published()


def get_referentiel_for_user(user: User | AnonymousUser, code: str, version: int) -> Referentiel:
    ref = referentiels_for_user(user).filter(code=code, version=version).first()
    if ref is None:
        raise Http404("Référentiel introuvable.")
    return ref


@dataclass
class SectionNode:
    section: Section
    children: list[SectionNode]
    criteres: list[Critere]


def referentiel_tree(ref: Referentiel) -> list[SectionNode]:
    """The whole tree in a fixed number of queries, whatever its size."""
    sections = list(ref.sections.all())
    criteres = list(
        ref.criteres.prefetch_related(
            Prefetch(
                "elements",
                queryset=Element.objects.prefetch_related(
                    Prefetch("sous_elements", queryset=SousElement.objects.order_by("ordre")),
                ).order_by("ordre"),
            ),
            Prefetch("aides", queryset=Aide.objects.order_by("ordre")),
        )
    )
    by_section: dict[int, list[Critere]] = {}
    for c in criteres:
        # Help attached to an element or a sous-élément is shown next to it; the rest at the
        # criterion level.
        aides = list(c.aides.all())
        c.aides_critere = [a for a in aides if a.element_id is None]  # type: ignore[attr-defined]
        by_element: dict[int, list[Aide]] = {}
        for a in aides:
            if a.element_id is not None:
                by_element.setdefault(a.element_id, []).append(a)
        for e in c.elements.all():
            e.aides_element = [  # type: ignore[attr-defined]
                a for a in by_element.get(e.pk, []) if a.sous_element_id is None
            ]
            for sous in e.sous_elements.all():
                sous.aides_sous_element = [  # type: ignore[attr-defined]
                    a for a in by_element.get(e.pk, []) if a.sous_element_id == sous.pk
                ]
        by_section.setdefault(c.section_id, []).append(c)
    nodes = {s.pk: SectionNode(s, [], by_section.get(s.pk, [])) for s in sections}
    roots = []
    for s in sections:
        if s.parent_id:
            nodes[s.parent_id].children.append(nodes[s.pk])
        else:
            roots.append(nodes[s.pk])
    return roots


def search(ref: Referentiel, query: str) -> tuple[list[Critere], list[Element]]:
    """Criteria and elements whose text holds every word of `query` (accents and case ignored)."""
    words = [w for w in normalize_for_search(query).split() if len(w) > 1]
    if not words:
        return [], []
    el_q, cr_q = Q(), Q()
    for w in words:
        el_q &= Q(texte_recherche__contains=w)
        cr_q &= Q(texte_recherche__contains=w)
    criteres = list(ref.criteres.filter(cr_q).select_related("section"))
    elements = list(ref.elements.filter(el_q).select_related("critere"))
    return criteres, elements
