"""`manage.py check --deploy` is clean with the production settings (LABELML_ENV=production,
DEBUG off, a real secret key, the site's host), warnings included: HTTPS redirection, HSTS,
secure cookies, nosniff, X-Frame-Options, referrer and opener policies, django-csp's own checks.
In a subprocess, since the settings are read from the environment once."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT

CHECK = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "S3_"))
    }
    env.update(
        LABELML_ENV="production",
        DJANGO_SETTINGS_MODULE="labelml.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DJANGO_ALLOWED_HOSTS="labelml.example.fr",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://labelml.example.fr",
    )
    return env


def test_deploy_check_is_clean_with_production_settings():
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHECK],
        env=production_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_a_weak_configuration_is_reported():
    """The check does look: the same settings with HSTS turned off fail it."""
    env = production_env() | {"DJANGO_HSTS_SECONDS": "0"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHECK], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
