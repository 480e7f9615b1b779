"""E-mail ownership (issue 16, finding 3): every account has its verified address row; an
address added on /comptes/email/ is neither a login nor primary until verified; claiming the
address of another account gets a clear French message, never a 500."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from labelml.accounts.emails import ensure_email_addresses
from labelml.accounts.models import User
from labelml.structures.roles import Role
from labelml.structures.services import accept_invitation, invite_member
from tests.conftest import client_for, member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"


def login(email: str) -> int:
    return (
        Client().post(reverse("account_login"), {"login": email, "password": PASSWORD}).status_code
    )


def add_address(client: Client, email: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def test_every_new_account_has_its_primary_verified_address():
    user = User.objects.create_user(email="Nouvelle@Example.fr", password=PASSWORD)
    row = EmailAddress.objects.get(user=user)
    assert (row.email, row.primary, row.verified) == (user.email, True, True)
    assert EmailAddress.objects.get(user=UserFactory()).verified


def test_an_invited_account_has_its_address_row(network):
    admin = member(network["ml_a"], Role.DIRECTION)
    invitation = invite_member(
        actor=admin, structure=network["ml_a"], email="invitee@example.fr", role=Role.LECTEUR
    )
    membership = accept_invitation(token=invitation.token, password=PASSWORD)
    assert EmailAddress.objects.filter(
        user=membership.user, email="invitee@example.fr", primary=True, verified=True
    ).exists()


def test_accounts_written_in_bulk_get_their_rows():
    users = User.objects.bulk_create([User(email=f"lot{i}@example.fr") for i in range(3)])
    assert not EmailAddress.objects.filter(user__in=users).exists()
    assert ensure_email_addresses(u.pk for u in users) == 3
    assert EmailAddress.objects.filter(user__in=users, primary=True, verified=True).count() == 3
    assert ensure_email_addresses() == 0  # idempotent


def test_an_unverified_address_is_not_a_login_nor_primary(network):
    user = member(network["ml_a"], Role.REFERENT_QUALITE)
    client = client_for(user)
    mail.outbox.clear()
    response = add_address(client, "autre.adresse@example.fr")
    assert response.status_code == 302
    row = EmailAddress.objects.get(email="autre.adresse@example.fr")
    assert row.user == user and not row.verified and not row.primary
    assert any("autre.adresse@example.fr" in m.to for m in mail.outbox)  # the link to verify

    assert login("autre.adresse@example.fr") != 302  # not a login
    client.post(
        reverse("account_email"), {"email": "autre.adresse@example.fr", "action_primary": ""}
    )
    user.refresh_from_db()
    assert user.email != "autre.adresse@example.fr"
    assert not EmailAddress.objects.get(pk=row.pk).primary

    row.verified = True  # the person followed the link
    row.save()
    assert login("autre.adresse@example.fr") == 302


def test_claiming_the_address_of_another_account_gets_a_message_and_no_500(network):
    owner = member(network["ml_a"], Role.DIRECTION)
    thief = member(network["ml_b"], Role.REFERENT_QUALITE)
    client = client_for(thief)

    response = add_address(client, owner.email.upper())

    assert response.status_code == 200
    assert "un autre compte" in response.content.decode()
    assert not EmailAddress.objects.filter(user=thief, email__iexact=owner.email).exists()
    # Making it primary anyway (a forged request) changes nothing and answers no 500.
    response = client.post(reverse("account_email"), {"email": owner.email, "action_primary": ""})
    assert response.status_code < 500
    thief.refresh_from_db()
    assert thief.email != owner.email
    assert EmailAddress.objects.get(user=thief, primary=True).email == thief.email
