"""Suggested actions: elements rated 1 or 2 in the self-assessment that no action answers yet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campagnes.plans.models import Action
from campagnes.plans.services import suggested_title
from campagnes.plans.text import shorten
from referentiel.models import Element
from tests.conftest import client_for

from .conftest import element, make_action, rate

pytestmark = pytest.mark.django_db


def suggestions_url(dossier):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_suggestions", args=[dossier.pk])


def accept_url(dossier, target):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_suggestion_accept", args=[dossier.pk, target.pk])


def listed_elements(html: str) -> list[str]:
    import re

    return re.findall(r'<li class="card" id="suggestion-([^"]+)">', html)


def test_only_elements_rated_1_or_2_without_action_are_suggested(dossier, referent):
    rate(dossier, "1.1.e1", "1")
    rate(dossier, "1.2.e1", "2")
    rate(dossier, "1.2.e2", "3")
    rate(dossier, "1.2.e3", "4")
    rate(dossier, "2.1.e1", "sans_objet")
    rate(dossier, "2.1.e2", "1", a_confirmer=True)  # copied from a former dossier, unconfirmed
    rate(dossier, "2.2.e1", "2")
    make_action(dossier, criteres=("2.2",), element_source=element(dossier, "2.2.e1"))
    html = client_for(referent).get(suggestions_url(dossier)).content.decode()
    assert listed_elements(html) == ["1.1.e1", "1.2.e1"]


def test_suggestions_of_another_dossier_do_not_leak(dossier, other_dossier, referent):
    rate(other_dossier, "1.1.e1", "1")
    html = client_for(referent).get(suggestions_url(dossier)).content.decode()
    assert listed_elements(html) == []
    assert "Aucune suggestion" in html


def test_accepting_a_suggestion_creates_the_linked_action(dossier, referent):
    rate(dossier, "1.2.e2", "1")
    rate(dossier, "3.2.e1", "2")
    client = client_for(referent)
    first = client.post(accept_url(dossier, element(dossier, "1.2.e2")))
    assert first.status_code == 302
    client.post(accept_url(dossier, element(dossier, "3.2.e1")))
    high, medium = Action.objects.filter(plan__dossier=dossier).order_by("pk")
    assert high.element_source == element(dossier, "1.2.e2")
    assert [c.code for c in high.criteres.all()] == ["1.2"]
    assert high.titre == (
        "La gouvernance définit les orientations prioritaires de l'action de la Mission Locale"
    )
    assert high.priorite == Action.Priorite.HAUTE
    assert high.origine == Action.Origine.SUGGESTION
    assert high.created_by == referent
    assert "1.2.e2" in high.description and "Non engagé" in high.description
    assert medium.priorite == Action.Priorite.MOYENNE
    assert [c.code for c in medium.criteres.all()] == ["3.2"]


def test_an_accepted_suggestion_leaves_the_list(dossier, direction):
    rate(dossier, "1.2.e2", "1")
    rate(dossier, "1.2.e3", "2")
    client = client_for(direction)
    response = client.post(accept_url(dossier, element(dossier, "1.2.e2")), follow=True)
    html = response.content.decode()
    assert listed_elements(html) == ["1.2.e3"]
    assert "créée pour l&#x27;élément 1.2.e2" in html


def test_accepting_twice_creates_one_action(dossier, referent):
    rate(dossier, "1.2.e2", "1")
    client = client_for(referent)
    client.post(accept_url(dossier, element(dossier, "1.2.e2")))
    response = client.post(accept_url(dossier, element(dossier, "1.2.e2")), follow=True)
    assert Action.objects.filter(plan__dossier=dossier).count() == 1
    assert "Une action répond déjà à l&#x27;élément 1.2.e2." in response.content.decode()


def test_an_element_that_is_not_a_suggestion_cannot_be_accepted(dossier, referent):
    rate(dossier, "1.2.e2", "4")
    response = client_for(referent).post(
        accept_url(dossier, element(dossier, "1.2.e2")), follow=True
    )
    assert not Action.objects.exists()
    assert "n&#x27;appelle pas d&#x27;action suggérée" in response.content.decode()


def test_the_plan_page_counts_pending_suggestions(dossier, referent):
    rate(dossier, "1.1.e1", "1")
    rate(dossier, "1.1.e2", "2")
    html = (
        client_for(referent).get(reverse("plans:plan_detail", args=[dossier.pk])).content.decode()
    )
    assert "2 actions suggérées par l'auto-évaluation" in html


def test_suggested_title_is_the_first_sentence_cut_on_a_word():
    element_ = Element(code="x", texte="Première phrase courte. Seconde phrase.")
    assert suggested_title(element_) == "Première phrase courte"
    long_text = "mot " * 80
    title = suggested_title(Element(code="x", texte=long_text))
    assert len(title) <= 150
    assert title.endswith("mot…")
    assert shorten("abc def", 100) == "abc def"
    assert suggested_title(Element(code="4.2.e1", texte="   ")) == "4.2.e1"
