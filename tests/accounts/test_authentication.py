"""Login by e-mail, mandatory TOTP for auditors, commission members and administrators, and a
password reset that never opens a session (so it cannot skip the second factor)."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from labelml.structures.roles import Role
from tests.conftest import DEMO_TOTP_SECRET, client_for, member, with_totp
from tests.factories import AuditeurFactory, MembreCommissionFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_by_email_for_a_referent_without_second_factor(network):
    user = member(network["ml_a"], Role.REFERENT_QUALITE)
    client = Client()
    response = login(client, user.email.upper())
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused_in_french(network):
    user = member(network["ml_a"], Role.REFERENT_QUALITE)
    response = login(Client(), user.email, "mauvais")
    assert response.status_code == 200
    assert "incorrect" in response.content.decode()


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(lambda n: member(n["unml"], Role.ADMIN_UNML), id="administrateur"),
        pytest.param(lambda n: AuditeurFactory().user, id="auditeur"),
        pytest.param(lambda n: MembreCommissionFactory().user, id="commission"),
    ],
)
def test_roles_needing_two_factor_are_sent_to_totp_setup(network, make_user):
    user = make_user(network)
    client = Client()
    login(client, user.email)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Setting up a second factor is a sensitive change: allauth asks for the password again.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "svg" in page.content.decode()  # the QR code to scan
    # Once TOTP is active, the application opens.
    with_totp(user)
    assert client.get(reverse("home")).status_code == 200


def test_login_with_totp_asks_for_the_code(network):
    user = with_totp(AuditeurFactory().user)
    client = Client()
    response = login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in yet.
    assert client.get(reverse("home")).status_code == 302
    bad = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert bad.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_does_not_log_in_nor_skip_totp(network):
    user = with_totp(AuditeurFactory().user)
    client = Client()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"password1": "Nouveau-secret-2026", "password2": "Nouveau-secret-2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nouveau-secret-2026")
    # No session was opened by the reset...
    assert client.get(reverse("home")).status_code == 302
    # ...and logging in with the new password still asks for the TOTP code.
    response = login(client, user.email, "Nouveau-secret-2026")
    assert response["Location"] == reverse("mfa_authenticate")


def test_totp_cannot_be_removed_by_someone_who_needs_it(network):
    user = with_totp(MembreCommissionFactory().user)
    client = client_for(user)
    client.post(reverse("mfa_deactivate_totp"), {"code": current_code()})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(network):
    user = UserFactory()
    known = login(Client(), user.email, "mauvais").content.decode()
    unknown = login(Client(), "inconnu@example.fr", "mauvais").content.decode()
    assert ("incorrect" in known) and ("incorrect" in unknown)
