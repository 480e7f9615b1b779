"""Invitations: no open sign-up; administrators and a structure's direction invite by e-mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from labelml.structures.models import Invitation, Membership
from labelml.structures.roles import Role
from tests.conftest import client_for, member, with_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(client, structure, email="nouvelle@example.fr", role=Role.CONTRIBUTEUR):
    return client.post(
        reverse("structures:structure_invite", args=[structure.pk]), {"email": email, "role": role}
    )


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "Inscription sur invitation uniquement" in response.content.decode()
    client.post(
        reverse("account_signup"),
        {
            "email": "intrus@example.fr",
            "password1": "Un-mot-de-passe-1",
            "password2": "Un-mot-de-passe-1",
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="intrus@example.fr").exists()


def test_direction_invites_by_email_and_invitee_creates_account(
    network, django_capture_on_commit_callbacks
):
    direction = member(network["ml_a"], Role.DIRECTION)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(direction), network["ml_a"], role=Role.REFERENT_QUALITE)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nouvelle@example.fr")
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert network["ml_a"].nom in mail.outbox[0].subject

    anonymous = Client()
    url = reverse("structures:invitation_accept", args=[invitation.token])
    page = anonymous.get(url)
    assert page.status_code == 200 and "nouvelle@example.fr" in page.content.decode()
    response = anonymous.post(
        url,
        {
            "first_name": "Nina",
            "last_name": "Roux",
            "password1": "Labellisation-2026",
            "password2": "Labellisation-2026",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nouvelle@example.fr")
    assert membership.structure == network["ml_a"] and membership.role == Role.REFERENT_QUALITE
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # The link works once.
    assert anonymous.get(url).status_code == 404


def test_weak_password_is_refused_and_nothing_is_created(network):
    invitation = Invitation.objects.create(
        email="a@example.fr", structure=network["ml_a"], role=Role.LECTEUR
    )
    client = Client()
    response = client.post(
        reverse("structures:invitation_accept", args=[invitation.token]),
        {"first_name": "A", "last_name": "B", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 400
    assert "mot de passe" in response.content.decode().lower()
    assert not Membership.objects.filter(user__email="a@example.fr").exists()


def test_expired_or_revoked_invitation_is_refused(network):
    expired = Invitation.objects.create(
        email="e@example.fr",
        structure=network["ml_a"],
        role=Role.LECTEUR,
        expires_at=timezone.now() - timedelta(days=1),
    )
    revoked = Invitation.objects.create(
        email="r@example.fr",
        structure=network["ml_a"],
        role=Role.LECTEUR,
        revoked_at=timezone.now(),
    )
    for inv in (expired, revoked):
        response = Client().get(reverse("structures:invitation_accept", args=[inv.token]))
        assert response.status_code == 404
        assert (
            "n'est plus valable" in response.content.decode()
            or "expiré" in response.content.decode()
        )


def test_existing_user_accepts_while_logged_in(network):
    user = UserFactory(email="deja@example.fr")
    invitation = Invitation.objects.create(
        email="deja@example.fr", structure=network["ml_a2"], role=Role.LECTEUR
    )
    client = client_for(user)
    assert (
        client.post(reverse("structures:invitation_accept", args=[invitation.token])).status_code
        == 302
    )
    assert Membership.objects.filter(user=user, structure=network["ml_a2"]).exists()


def test_invitation_for_another_address_cannot_be_taken(network):
    user = UserFactory(email="autre@example.fr")
    invitation = Invitation.objects.create(
        email="cible@example.fr", structure=network["ml_a2"], role=Role.DIRECTION
    )
    client_for(user).post(reverse("structures:invitation_accept", args=[invitation.token]))
    assert not Membership.objects.filter(user=user).exists()


def test_referent_may_invite_contributors_but_not_a_direction(network):
    client = client_for(member(network["ml_a"], Role.REFERENT_QUALITE))
    assert invite(client, network["ml_a"], "c@example.fr", Role.CONTRIBUTEUR).status_code == 302
    response = invite(client, network["ml_a"], "d@example.fr", Role.DIRECTION)
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="d@example.fr").exists()


@pytest.mark.parametrize("role", [Role.CONTRIBUTEUR, Role.LECTEUR])
def test_members_without_invite_right_get_403(network, role):
    client = client_for(member(network["ml_a"], role))
    assert invite(client, network["ml_a"]).status_code == 403
    assert not Invitation.objects.exists()


def test_bad_email_gets_a_french_message_and_nothing_is_sent(network):
    client = client_for(member(network["ml_a"], Role.DIRECTION))
    response = invite(client, network["ml_a"], email="pas-une-adresse")
    assert response.status_code == 400
    assert "adresse e-mail valide" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_national_admin_may_invite_anywhere_and_give_national_roles(network):
    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    client = client_for(admin)
    assert invite(client, network["ml_b"], "x@example.fr", Role.DIRECTION).status_code == 302
    assert invite(client, network["unml"], "y@example.fr", Role.ADMIN_UNML).status_code == 302
    # A national role never lands on a Mission Locale.
    assert invite(client, network["ml_b"], "z@example.fr", Role.ADMIN_UNML).status_code == 400


def test_direction_revokes_a_pending_invitation(network):
    client = client_for(member(network["ml_a"], Role.DIRECTION))
    invitation = Invitation.objects.create(
        email="p@example.fr", structure=network["ml_a"], role=Role.LECTEUR
    )
    response = client.post(
        reverse("structures:invitation_revoke", args=[network["ml_a"].pk, invitation.pk])
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_invited_national_administrator_gets_the_django_admin(network):
    invitation = Invitation.objects.create(
        email="admin2@example.fr", structure=network["unml"], role=Role.ADMIN_UNML
    )
    client = Client()
    response = client.post(
        reverse("structures:invitation_accept", args=[invitation.token]),
        {
            "first_name": "A",
            "last_name": "B",
            "password1": "Labellisation-2026",
            "password2": "Labellisation-2026",
        },
    )
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email="admin2@example.fr")
    assert user.is_staff and user.is_superuser
    # ...and, as an administrator, must set up TOTP before anything else.
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")
