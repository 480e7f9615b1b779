"""The plan page: list, filters by criterion / owner / status / priority, counts, progress,
and a number of queries that does not grow with the number of actions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from labelml.structures.roles import Role
from tests.conftest import client_for, member
from tests.queries import page_queries

from .conftest import element, make_action

pytestmark = pytest.mark.django_db


def plan_url(dossier):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_detail", args=[dossier.pk])


def shown_titles(html: str) -> list[str]:
    return re.findall(r'<strong class="plan-action-titre">([^<]*)</strong>', html)


@pytest.fixture
def plan(dossier):  # type: ignore[no-untyped-def]
    owner = member(dossier.structure, Role.CONTRIBUTEUR)
    other = member(dossier.structure, Role.REFERENT_QUALITE)
    past = timezone.localdate() - timedelta(days=10)
    make_action(
        dossier,
        "Gouvernance",
        criteres=("1.1",),
        responsable=owner,
        priorite="haute",
        statut="a_faire",
        echeance=past,
    )
    make_action(
        dossier,
        "Accueil",
        criteres=("4.1.1", "1.1"),
        responsable=other,
        priorite="basse",
        statut="en_cours",
        avancement=50,
        echeance=date(2099, 1, 1),
    )
    make_action(
        dossier,
        "Partenariats",
        criteres=("3.2",),
        priorite="moyenne",
        statut="fait",
        avancement=100,
        echeance=past,
    )
    make_action(dossier, "Abandonnée", criteres=("5.1",), statut="abandonne", avancement=0)
    return {"owner": owner, "other": other}


def test_the_plan_lists_every_action_by_due_date(dossier, plan, lecteur):
    html = client_for(lecteur).get(plan_url(dossier)).content.decode()
    # Dated actions first (by due date, then creation), then the undated one.
    assert shown_titles(html) == ["Gouvernance", "Partenariats", "Accueil", "Abandonnée"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("critere=1.1", ["Gouvernance", "Accueil"]),
        ("critere=3.2", ["Partenariats"]),
        ("statut=en_cours", ["Accueil"]),
        ("statut=fait", ["Partenariats"]),
        ("priorite=haute", ["Gouvernance"]),
        ("priorite=basse&critere=1.1", ["Accueil"]),
        ("responsable=aucun", ["Partenariats", "Abandonnée"]),
        ("en_retard=1", ["Gouvernance"]),
        ("statut=inconnu", ["Gouvernance", "Partenariats", "Accueil", "Abandonnée"]),
        ("critere=9.9", []),
    ],
)
def test_filters(dossier, plan, referent, query, expected):
    html = client_for(referent).get(f"{plan_url(dossier)}?{query}").content.decode()
    assert shown_titles(html) == expected


def test_filter_by_owner(dossier, plan, referent):
    client = client_for(referent)
    html = client.get(f"{plan_url(dossier)}?responsable={plan['owner'].pk}").content.decode()
    assert shown_titles(html) == ["Gouvernance"]
    html = client.get(f"{plan_url(dossier)}?responsable={plan['other'].pk}").content.decode()
    assert shown_titles(html) == ["Accueil"]


def test_filters_are_kept_in_the_form_and_counted(dossier, plan, referent):
    html = client_for(referent).get(f"{plan_url(dossier)}?statut=fait").content.decode()
    assert re.search(r'<option value="fait" selected>', html)
    assert "1 action affichée sur 4" in html


def test_counts_and_overall_progress(dossier, plan, referent):
    html = client_for(referent).get(plan_url(dossier)).content.decode()
    kpis = dict(
        (label.strip(), int(value))
        for value, label in re.findall(
            r'<div class="kpi[^"]*"><strong>(\d+)</strong>\s*([^<\n]+)', html
        )
    )
    assert kpis == {"actions": 4, "à faire": 1, "en cours": 1, "faite": 1, "en retard": 1}
    # Mean progress of the 3 actions not abandoned: (0 + 50 + 100) / 3.
    assert '<progress id="plan-avancement" max="100" value="50">' in html
    assert "hors 1 action abandonnée" in html


def test_overdue_actions_are_flagged(dossier, plan, referent):
    html = client_for(referent).get(plan_url(dossier)).content.decode()
    row = re.search(r'<tr id="action-\d+" class="plan-action statut-a_faire">.*?</tr>', html, re.S)
    assert row and "En retard" in row.group(0)
    done = re.search(r'<tr id="action-\d+" class="plan-action statut-fait">.*?</tr>', html, re.S)
    assert done and "En retard" not in done.group(0)


def test_empty_plan_invites_to_use_the_suggestions(dossier, referent):
    html = client_for(referent).get(plan_url(dossier)).content.decode()
    assert "Le plan ne contient encore aucune action." in html
    assert reverse("plans:plan_suggestions", args=[dossier.pk]) in html


def test_editors_get_edit_links_and_the_new_action_button(dossier, plan, referent):
    html = client_for(referent).get(plan_url(dossier)).content.decode()
    assert reverse("plans:plan_action_create", args=[dossier.pk]) in html
    assert len(re.findall(rf"/dossiers/{dossier.pk}/plan/actions/\d+/", html)) == 4


def _add_actions(dossier, n: int, owners) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        make_action(
            dossier,
            f"Action {i}",
            criteres=("1.1", "2.1", "3.1"),
            responsable=owners[i % 2],
            element_source=element(dossier, "1.1.e1"),
            echeance=date(2026, 1 + i % 12, 1),
        )


@pytest.mark.parametrize("url_name", ["plans:plan_detail", "plans:plan_timeline"])
def test_query_count_does_not_grow_with_the_number_of_actions(dossier, referent, url_name):
    owners = [member(dossier.structure, Role.CONTRIBUTEUR), referent]
    client = client_for(referent)
    url = reverse(url_name, args=[dossier.pk])
    _add_actions(dossier, 3, owners)
    client.get(url)  # warm-up: session, content types
    few = page_queries(client, url).count
    _add_actions(dossier, 37, owners)
    many = page_queries(client, url).count
    assert few == many
    assert many <= 15
