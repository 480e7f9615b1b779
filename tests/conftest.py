"""Shared fixtures. Under REQUIRE_SERVICES=1 (CI) the suite must run on the real PostgreSQL and
Redis: a test marked `services` fails instead of skipping when they are not configured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from tests.browser import browser  # noqa: F401  (one Chromium for the whole session)
from tests.factories import (
    ArmlFactory,
    MembershipFactory,
    MissionLocaleFactory,
    UnmlFactory,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "referentiel-ml-2022.yaml"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REQUIRE_SERVICES:
        return
    from django.conf import settings

    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if not missing:
        return
    skip = pytest.mark.skip(reason="service non configuré : " + ", ".join(missing))
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def referentiel_ml(db):  # type: ignore[no-untyped-def]
    from referentiel.services import import_referentiel_file

    return import_referentiel_file(FIXTURE).referentiel


@pytest.fixture
def network(db):  # type: ignore[no-untyped-def]
    """Two regions: ML A (ARML A) and ML B (ARML B), plus the UNML."""
    unml = UnmlFactory()
    arml_a = ArmlFactory(region="11")
    arml_b = ArmlFactory(region="84")
    ml_a = MissionLocaleFactory(parent=arml_a, region="11")
    ml_a2 = MissionLocaleFactory(parent=arml_a, region="11")
    ml_b = MissionLocaleFactory(parent=arml_b, region="84")
    return {
        "unml": unml,
        "arml_a": arml_a,
        "arml_b": arml_b,
        "ml_a": ml_a,
        "ml_a2": ml_a2,
        "ml_b": ml_b,
    }


def member(structure, role):  # type: ignore[no-untyped-def]
    return MembershipFactory(structure=structure, role=role).user


def with_totp(user):  # type: ignore[no-untyped-def]
    TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


__all__ = ["Authenticator", "client_for", "member", "with_totp"]


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Rate limits and used TOTP codes live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness is a production property; tests only need correctness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
