"""Tenant isolation: a member of one ML never reaches another ML's objects; ids can't be probed."""

import pytest
from django.urls import get_resolver, reverse

from labelml.structures.models import Invitation
from labelml.structures.roles import Role
from tests.conftest import client_for, member

pytestmark = pytest.mark.django_db


POST_ONLY = {"structures:invitation_revoke"}
# Read-only pages answer 405 to a POST before any lookup: it reveals nothing.
GET_ONLY = {"structures:structure_history"}


def structure_urls(target, invitation):
    """Every URL of the application that designates a structure's object."""
    return {
        "structures:structure_detail": reverse("structures:structure_detail", args=[target.pk]),
        "structures:structure_invite": reverse("structures:structure_invite", args=[target.pk]),
        "structures:structure_history": reverse("structures:structure_history", args=[target.pk]),
        "structures:invitation_revoke": reverse(
            "structures:invitation_revoke", args=[target.pk, invitation.pk]
        ),
    }


def test_every_structure_url_is_covered_by_the_isolation_test(network):
    """Other apps' URLs are covered by tests/test_isolation_matrix.py."""
    invitation = Invitation.objects.create(
        email="x@example.fr", structure=network["ml_b"], role=Role.LECTEUR
    )
    covered = set(structure_urls(network["ml_b"], invitation))
    resolver = get_resolver()
    with_pk = {
        name
        for name, entries in resolver.reverse_dict.lists()
        if isinstance(name, str) and name.startswith(("structure_", "invitation_"))
        for _, pattern, _, _ in entries
        if "pk" in pattern
    }
    assert with_pk <= covered, f"URL sans test d'isolation : {with_pk - covered}"


@pytest.mark.parametrize(
    "role", [Role.REFERENT_QUALITE, Role.DIRECTION, Role.LECTEUR, Role.CONTRIBUTEUR]
)
def test_member_of_one_ml_gets_404_on_every_object_of_another_ml(network, role):
    outsider = member(network["ml_a"], role)
    invitation = Invitation.objects.create(
        email="y@example.fr", structure=network["ml_b"], role=Role.LECTEUR
    )
    client = client_for(outsider)
    for name, url in structure_urls(network["ml_b"], invitation).items():
        if name not in POST_ONLY:
            assert client.get(url).status_code == 404, name
        post = client.post(url, {"email": "z@example.fr", "role": "lecteur"})
        assert post.status_code == (405 if name in GET_ONLY else 404), name
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert not Invitation.objects.filter(email="z@example.fr").exists()


def test_missing_and_foreign_structure_answer_the_same(network):
    client = client_for(member(network["ml_a"], Role.DIRECTION))
    foreign = client.get(reverse("structures:structure_detail", args=[network["ml_b"].pk]))
    missing = client.get(reverse("structures:structure_detail", args=[999999]))
    assert foreign.status_code == missing.status_code == 404


def test_structure_list_shows_only_own_structures(network):
    client = client_for(member(network["ml_a"], Role.REFERENT_QUALITE))
    html = client.get(reverse("structures:structure_list")).content.decode()
    assert reverse("structures:structure_detail", args=[network["ml_a"].pk]) in html
    for other in ("ml_a2", "ml_b", "arml_a", "arml_b", "unml"):
        assert reverse("structures:structure_detail", args=[network[other].pk]) + '"' not in html


def test_arml_referent_sees_the_mls_of_its_region_only(network):
    client = client_for(member(network["arml_a"], Role.REFERENT_ARML))
    assert (
        client.get(reverse("structures:structure_detail", args=[network["ml_a"].pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("structures:structure_detail", args=[network["ml_a2"].pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("structures:structure_detail", args=[network["ml_b"].pk])).status_code
        == 404
    )
    # Support role: reads, never invites into the ML.
    assert (
        client.get(reverse("structures:structure_invite", args=[network["ml_a"].pk])).status_code
        == 403
    )


def test_guardian_grant_opens_one_structure(network):
    from guardian.shortcuts import assign_perm

    user = member(network["ml_a"], Role.LECTEUR)
    assign_perm("view_structure", user, network["ml_b"])
    client = client_for(user)
    assert (
        client.get(reverse("structures:structure_detail", args=[network["ml_b"].pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("structures:structure_detail", args=[network["ml_a2"].pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    "url_name", ["home", "structures:structure_list", "referentiel:referentiel_list"]
)
def test_anonymous_is_sent_to_login(url_name):
    response = pytest.importorskip("django.test").Client().get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_is_sent_to_login_on_structure_objects(network):
    from django.test import Client

    response = Client().get(reverse("structures:structure_detail", args=[network["ml_b"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_lecteur_may_read_but_not_invite(network):
    client = client_for(member(network["ml_a"], Role.LECTEUR))
    assert (
        client.get(reverse("structures:structure_detail", args=[network["ml_a"].pk])).status_code
        == 200
    )
    response = client.post(
        reverse("structures:structure_invite", args=[network["ml_a"].pk]),
        {"email": "n@example.fr", "role": "lecteur"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
