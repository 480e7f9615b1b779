"""Who reaches the plan: 404 outside the dossier's scope (like a missing dossier or action),
403 for members who may read but not write, read-only once the audit is requested."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campagnes.models import Dossier, DossierTransition
from campagnes.plans.models import Action
from labelml.structures.roles import Role
from tests.conftest import client_for, member
from tests.urlmap import iter_patterns

from .conftest import action_payload, element, make_action, rate, set_statut

pytestmark = pytest.mark.django_db

READ = {"plans:plan_detail", "plans:plan_suggestions", "plans:plan_timeline"}
POST_ONLY = {"plans:plan_action_delete", "plans:plan_suggestion_accept", "plans:plan_submit"}
# A reservation action, written while the label runs (tests/commission_ui/test_decision_ready.py
# and tests/commission/test_dead_ends.py prove who writes it, and when).
RESERVE = {"plans:plan_reserve_action"}


def plan_urls(dossier, action, element_pk):  # type: ignore[no-untyped-def]
    """Every URL of the plan, for this dossier."""
    return {
        "plans:plan_detail": reverse("plans:plan_detail", args=[dossier.pk]),
        "plans:plan_action_create": reverse("plans:plan_action_create", args=[dossier.pk]),
        "plans:plan_action_edit": reverse("plans:plan_action_edit", args=[dossier.pk, action.pk]),
        "plans:plan_action_delete": reverse(
            "plans:plan_action_delete", args=[dossier.pk, action.pk]
        ),
        "plans:plan_suggestions": reverse("plans:plan_suggestions", args=[dossier.pk]),
        "plans:plan_suggestion_accept": reverse(
            "plans:plan_suggestion_accept", args=[dossier.pk, element_pk]
        ),
        "plans:plan_timeline": reverse("plans:plan_timeline", args=[dossier.pk]),
        "plans:plan_submit": reverse("plans:plan_submit", args=[dossier.pk]),
        "plans:plan_reserve_action": reverse(
            "plans:plan_reserve_action",
            args=[dossier.pk, Action.objects.get(plan__dossier=dossier, origine="reserve").pk],
        ),
    }


def write_names() -> set[str]:
    return {
        "plans:plan_action_create",
        "plans:plan_action_edit",
        "plans:plan_action_delete",
        "plans:plan_suggestion_accept",
        "plans:plan_submit",
    }


@pytest.fixture
def ready(dossier):  # type: ignore[no-untyped-def]
    """ML A's dossier in `plan_amelioration`, with one action and one pending suggestion:
    every write would succeed for its direction."""
    set_statut(dossier, Dossier.Statut.PLAN_AMELIORATION)
    action = make_action(dossier, titre="Action existante", avancement=10)
    Action.objects.create(plan=dossier.plan, titre="Lever une réserve", origine="reserve")
    rate(dossier, "2.1.e1", "1")
    return dossier, action, element(dossier, "2.1.e1")


def snapshot(dossier):  # type: ignore[no-untyped-def]
    """What a refused request must leave untouched."""
    dossier.refresh_from_db()
    plan = dossier.plan
    plan.refresh_from_db()
    return (
        dossier.statut,
        plan.soumis_le,
        sorted(Action.objects.filter(plan=plan).values_list("pk", "titre", "avancement")),
        DossierTransition.objects.filter(dossier=dossier).count(),
    )


def test_every_plan_url_is_covered_by_these_tests(ready):
    dossier, action, target = ready
    covered = set(plan_urls(dossier, action, target.pk))
    plan_names = {name for name, _, _ in iter_patterns() if name.startswith("plans:plan_")}
    assert plan_names == covered
    assert write_names() | READ | RESERVE == covered


@pytest.mark.parametrize("role", [Role.DIRECTION, Role.REFERENT_QUALITE, Role.LECTEUR])
def test_member_of_another_ml_gets_404_on_every_plan_url(ready, network, role):
    dossier, action, target = ready
    outsider = client_for(member(network["ml_b"], role))
    before = snapshot(dossier)
    for name, url in plan_urls(dossier, action, target.pk).items():
        assert outsider.get(url).status_code == 404, name
        assert outsider.post(url, action_payload(dossier, titre="Intrus")).status_code == 404, name
    assert snapshot(dossier) == before


def test_arml_of_another_region_gets_404_on_every_plan_url(ready, network):
    dossier, action, target = ready
    client = client_for(member(network["arml_b"], Role.REFERENT_ARML))
    for name, url in plan_urls(dossier, action, target.pk).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name


def test_missing_dossier_answers_like_a_foreign_one(ready, outsider, direction):
    dossier, action, target = ready
    foreign = client_for(outsider).get(reverse("plans:plan_detail", args=[dossier.pk]))
    missing = client_for(direction).get(reverse("plans:plan_detail", args=[999999]))
    assert foreign.status_code == missing.status_code == 404


def test_an_action_of_another_dossier_answers_404(ready, other_dossier, direction):
    dossier, _action, _target = ready
    set_statut(other_dossier, Dossier.Statut.PLAN_AMELIORATION)
    foreign = make_action(other_dossier, titre="Action de la ML B", avancement=20)
    client = client_for(direction)
    edit = reverse("plans:plan_action_edit", args=[dossier.pk, foreign.pk])
    delete = reverse("plans:plan_action_delete", args=[dossier.pk, foreign.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, action_payload(dossier, titre="Détournée")).status_code == 404
    assert client.post(delete).status_code == 404
    missing = reverse("plans:plan_action_edit", args=[dossier.pk, 999999])
    assert client.get(missing).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.titre, foreign.avancement) == ("Action de la ML B", 20)


def test_an_element_of_another_referentiel_answers_404(ready, direction):
    dossier, _action, _target = ready
    url = reverse("plans:plan_suggestion_accept", args=[dossier.pk, 999999])
    assert client_for(direction).post(url).status_code == 404


@pytest.mark.parametrize("reader", ["lecteur", "contributeur", "arml_referent"])
def test_readers_get_403_on_every_write_url_and_nothing_changes(request, ready, reader):
    dossier, action, target = ready
    client = client_for(request.getfixturevalue(reader))
    urls = plan_urls(dossier, action, target.pk)
    before = snapshot(dossier)
    for name in write_names():
        if name not in POST_ONLY:
            assert client.get(urls[name]).status_code == 403, name
        response = client.post(urls[name], action_payload(dossier, titre="Pas autorisé"))
        assert response.status_code == 403, name
    assert snapshot(dossier) == before


@pytest.mark.parametrize("reader", ["lecteur", "contributeur", "arml_referent"])
def test_readers_see_the_plan_read_only(request, ready, reader):
    dossier, action, target = ready
    client = client_for(request.getfixturevalue(reader))
    urls = plan_urls(dossier, action, target.pk)
    for name in READ:
        assert client.get(urls[name]).status_code == 200, name
    html = client.get(urls["plans:plan_detail"]).content.decode()
    assert "Action existante" in html
    assert "lecture seule" in html
    assert urls["plans:plan_action_create"] not in html
    assert urls["plans:plan_action_edit"] not in html
    assert urls["plans:plan_submit"] not in html
    suggestions = client.get(urls["plans:plan_suggestions"]).content.decode()
    assert "2.1.e1" in suggestions
    assert urls["plans:plan_suggestion_accept"] not in suggestions


def test_an_auditor_granted_the_dossier_reads_the_plan_but_cannot_write(ready):
    from guardian.shortcuts import assign_perm

    from tests.factories import UserFactory

    dossier, action, target = ready
    auditor = UserFactory()
    assign_perm("campagnes.view_dossier", auditor, dossier)
    client = client_for(auditor)
    urls = plan_urls(dossier, action, target.pk)
    assert client.get(urls["plans:plan_detail"]).status_code == 200
    assert client.post(urls["plans:plan_action_edit"], action_payload(dossier)).status_code == 403


def test_post_only_urls_refuse_get_for_members(ready, direction):
    dossier, action, target = ready
    client = client_for(direction)
    for name, url in plan_urls(dossier, action, target.pk).items():
        if name in POST_ONLY:
            assert client.get(url).status_code == 405, name
    assert Action.objects.filter(pk=action.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(ready):
    from django.test import Client

    dossier, action, target = ready
    for name, url in plan_urls(dossier, action, target.pk).items():
        response = Client().get(url)
        assert response.status_code == 302, name
        assert "/comptes/" in response["Location"], name


@pytest.mark.parametrize(
    "statut",
    [Dossier.Statut.AUDIT_A_PLANIFIER, Dossier.Statut.AUDIT_EN_COURS, Dossier.Statut.EN_COMMISSION],
)
def test_once_the_audit_is_requested_the_plan_is_read_only(ready, referent, direction, statut):
    dossier, action, target = ready
    set_statut(dossier, statut)
    urls = plan_urls(dossier, action, target.pk)
    before = snapshot(dossier)
    for user in (referent, direction):
        client = client_for(user)
        for name in write_names() - {"plans:plan_submit"}:
            response = client.post(urls[name], action_payload(dossier, titre="Trop tard"))
            assert response.status_code == 403, (user, name)
        html = client.get(urls["plans:plan_detail"]).content.decode()
        assert "Le plan est en lecture seule" in html
        assert urls["plans:plan_action_create"] not in html
        assert urls["plans:plan_submit"] not in html
    assert client_for(referent).post(urls["plans:plan_submit"]).status_code == 403
    refused = client_for(direction).post(urls["plans:plan_submit"], follow=True)
    assert "Impossible de soumettre le plan d&#x27;amélioration" in refused.content.decode()
    assert snapshot(dossier) == before
