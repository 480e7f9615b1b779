"""CSRF on every form (ASVS V3.5): a POST without the token, sent by a logged-in national
administrator's browser that holds the CSRF cookie, to every route of the URL conf, is refused
with 403 and changes nothing in the database; with the token, the same client's POST goes
through. In production the cookies are Secure and the CSRF cookie is HTTP-only (the token
travels in the forms and in htmx's headers, never read from the cookie by scripts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.test import Client
from django.urls import reverse

from labelml.structures.roles import Role
from tests.conftest import ROOT, member, with_totp
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

# Rows that a refused request may still touch: the session's last activity
# (labelml/accounts/sessions.py)
# and its row in "Mes sessions".
VOLATILE = {"sessions.session", "usersessions.usersession"}


def database_state() -> str:
    parts = []
    for model in apps.get_models():
        if model._meta.label_lower in VOLATILE:
            continue
        parts.append(serializers.serialize("json", model._default_manager.order_by("pk")))
    return "\n".join(parts)


@pytest.fixture
def admin_client(dossier):  # type: ignore[no-untyped-def]
    """A national administrator (staff, TOTP) with the CSRF cookie of a page it has seen; the
    dossier fixture gives the sample ids (1) real objects behind them."""
    from labelml.structures.models import Structure

    user = with_totp(member(Structure.objects.get(type="unml"), Role.ADMIN_UNML))
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(reverse("notifications:notification_list")).status_code == 200
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


@pytest.fixture
def dossier(network, referentiel_ml):  # type: ignore[no-untyped-def]
    import datetime as dt

    from campagnes.models import Dossier
    from campagnes.services import create_campagne, open_campagne

    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    campagne = create_campagne(
        actor=admin,
        nom="Campagne",
        referentiel=referentiel_ml,
        date_ouverture=dt.date.today(),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=30),
    )
    open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]])
    return Dossier.objects.get(campagne=campagne)


def test_a_post_without_token_is_refused_on_every_route(admin_client):
    routes = all_routes()
    assert len(routes) > 150
    before = database_state()
    accepted = []
    for route in routes:
        response = admin_client.post(route.path, {"titre": "x", "choix": "pour"})
        if route.path.startswith("/api/v1/"):
            # The API ignores the session (personal tokens only, no CSRF to forge): the
            # browser's cookies open nothing there (401), or the route takes no POST (405).
            if response.status_code not in (401, 405):
                accepted.append((route.path, response.status_code))
            continue
        if response.status_code != 403:
            accepted.append((route.path, response.status_code))
    assert accepted == []
    assert database_state() == before


def test_htmx_posts_without_the_header_are_refused_too(admin_client):
    response = admin_client.post(
        reverse("notifications:notification_mark_all_read"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403


def test_the_same_post_with_the_token_goes_through(admin_client):
    token = admin_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = admin_client.post(
        reverse("notifications:notification_mark_all_read"), HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 302


def test_cookies_are_secure_in_production():
    env = {
        **os.environ,
        "LABELML_ENV": "production",
        "DJANGO_SECRET_KEY": "s" * 50,
        "DJANGO_ALLOWED_HOSTS": "labelml.example.fr",
        "DJANGO_SETTINGS_MODULE": "labelml.settings",
    }
    env.pop("DJANGO_DEBUG", None)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('CSRF_COOKIE_HTTPONLY', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'DEBUG')}))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "DEBUG": False,
    }
