"""No way around mandatory TOTP (SPEC §2: national administrators, auditors, commission
members): a password reset opens no session and the next login still asks for the code; until
TOTP is set up, every route of the application except the setup itself (and logging out) sends
to the setup page; a recovery code opens one session, once."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from labelml.accounts.middleware import ALLOWED_PREFIXES
from labelml.structures.roles import Role
from tests.conftest import DEMO_TOTP_SECRET, member, with_totp
from tests.factories import AuditeurFactory, MembreCommissionFactory
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"
NEW_PASSWORD = "Nouveau-secret-2026"

ROLES = [
    pytest.param(lambda n: member(n["unml"], Role.ADMIN_UNML), id="administrateur"),
    pytest.param(lambda n: AuditeurFactory().user, id="auditeur"),
    pytest.param(lambda n: MembreCommissionFactory().user, id="commission"),
]


def login(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": email, "password": password})


def reset_password(client: Client, email: str) -> None:
    client.post(reverse("account_reset_password"), {"email": email})
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)  # type: ignore[union-attr]
    response = client.get(link.split("testserver", 1)[-1], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("make_user", ROLES)
def test_a_password_reset_neither_logs_in_nor_skips_the_code(network, make_user):
    user = with_totp(make_user(network))
    client = Client()
    reset_password(client, user.email)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in client.session
    response = login(client, user.email, NEW_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("make_user", ROLES)
def test_a_reset_without_totp_yet_still_leads_to_the_setup(network, make_user):
    user = make_user(network)
    client = Client()
    reset_password(client, user.email)
    assert client.get(reverse("home")).status_code == 302
    login(client, user.email, NEW_PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("make_user", ROLES)
def test_every_route_but_the_setup_leads_to_the_setup(network, make_user):
    user = make_user(network)
    client = Client()
    client.force_login(user)
    setup = reverse("mfa_activate_totp")
    open_routes = []
    for route in all_routes():
        response = client.get(route.path)
        if response.status_code == 302 and response["Location"] == setup:
            continue
        open_routes.append(route.path)
        # The only pages reachable before the setup are the allowed ones.
        assert route.path.startswith(ALLOWED_PREFIXES), (route.path, response.status_code)
    assert any(p.startswith("/comptes/2fa/") for p in open_routes)
    # POSTs are stopped the same way (before any view runs).
    response = client.post(reverse("notifications:notification_mark_all_read"))
    assert response["Location"] == setup


def test_a_recovery_code_works_once(network):
    user = with_totp(AuditeurFactory().user)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client = Client()
    login(client, user.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("account_logout"))

    again = Client()
    login(again, user.email)
    response = again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200  # refused: the form again
    assert again.get(reverse("home")).status_code == 302
    # Another unused code still works.
    response = again.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert response.status_code == 302
    assert again.get(reverse("home")).status_code == 200
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes[0] not in RecoveryCodes(authenticator).get_unused_codes()


def test_a_totp_code_cannot_be_replayed(network, settings):  # type: ignore[no-untyped-def]
    user = with_totp(AuditeurFactory().user)
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    first = Client()
    login(first, user.email)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    second = Client()
    login(second, user.email)
    assert second.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert second.get(reverse("home")).status_code == 302
