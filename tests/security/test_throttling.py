"""Login throttling (allauth's ACCOUNT_RATE_LIMITS, counted in Django's cache: Redis when
REDIS_URL is set, as in CI): after 5 failed logins on one account (per account, from any
address) or 10 from one address (on any accounts), the next attempt is refused in French even
with the right password; wrong TOTP codes count the same way, per user; password reset requests
are limited per address and per e-mail."""

from __future__ import annotations

import html
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from labelml.structures.roles import Role
from tests.conftest import DEMO_TOTP_SECRET, member, with_totp
from tests.factories import AuditeurFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"
TOO_MANY = "Trop de tentatives de connexion échouées"


def attempt(email: str, password: str, ip: str = "192.0.2.1") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=ip).post(
        reverse("account_login"), {"login": email, "password": password}
    )
    return response.status_code, html.unescape(response.content.decode())


def test_five_failures_on_an_account_lock_it_from_every_address(network):
    user = member(network["ml_a"], Role.REFERENT_QUALITE)
    for _ in range(5):
        status, page = attempt(user.email, "mauvais-mot-de-passe")
        assert status == 200 and "incorrect" in page
    # The right password, from the same address or another one: refused, in French.
    for ip in ("192.0.2.1", "198.51.100.9"):
        status, page = attempt(user.email, PASSWORD, ip)
        assert status == 200 and TOO_MANY in page
    # Another account from the same address is not affected.
    other = member(network["ml_a"], Role.DIRECTION)
    assert attempt(other.email, PASSWORD)[0] == 302


def test_ten_failures_from_an_address_lock_that_address_only(network):
    users = [member(network["ml_a"], Role.CONTRIBUTEUR) for _ in range(11)]
    for user in users[:10]:
        status, page = attempt(user.email, "mauvais-mot-de-passe", "203.0.113.5")
        assert status == 200 and TOO_MANY not in page
    status, page = attempt(users[10].email, PASSWORD, "203.0.113.5")
    assert status == 200 and TOO_MANY in page
    # The same account from another address logs in.
    assert attempt(users[10].email, PASSWORD, "203.0.113.6")[0] == 302


def test_a_successful_login_does_not_reset_the_account_counter(network):
    user = member(network["ml_a"], Role.REFERENT_QUALITE)
    for _ in range(4):
        attempt(user.email, "mauvais-mot-de-passe")
    assert attempt(user.email, PASSWORD)[0] == 302
    # allauth rolls back only the successful attempt: one more failure reaches the limit.
    attempt(user.email, "mauvais-mot-de-passe")
    status, page = attempt(user.email, PASSWORD)
    assert TOO_MANY in page


def code(offset: int = 0) -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30 + offset))


def test_wrong_totp_codes_are_throttled_per_user(network):
    user = with_totp(AuditeurFactory().user)
    client = Client(REMOTE_ADDR="192.0.2.20")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    wrong = format_hotp_value((int(code()) + 1) % 1_000_000)
    for _ in range(5):
        page = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert page.status_code == 200
    page = client.post(reverse("mfa_authenticate"), {"code": code()})
    assert page.status_code == 200
    assert TOO_MANY in html.unescape(page.content.decode())
    assert client.get(reverse("home")).status_code == 302  # not logged in


def test_password_reset_requests_are_limited_per_email(network):
    user = member(network["ml_a"], Role.REFERENT_QUALITE)
    client = Client(REMOTE_ADDR="192.0.2.30")
    responses = [
        client.post(reverse("account_reset_password"), {"email": user.email}) for _ in range(6)
    ]
    assert [r.status_code for r in responses[:5]] == [302] * 5
    # The sixth within the minute sends nothing more, and says so in French.
    assert responses[5].status_code == 429
    assert "Trop de tentatives" in responses[5].content.decode()
    assert len(mail.outbox) == 5
