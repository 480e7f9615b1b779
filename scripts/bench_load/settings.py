"""Settings of the server under load: the production settings (labelml.settings, configured by
the environment run.py sets: LABELML_ENV=production, DJANGO_DEBUG=0, PostgreSQL, Redis), plus
only what a benchmark on plain HTTP over loopback needs. Never used outside `make bench-load`."""

import os
from pathlib import Path

from labelml.settings import *  # noqa: F403

# The floor view lives in a bench-only URL conf; the production one is not touched.
ROOT_URLCONF = "scripts.bench_load.urls"

# TLS is the reverse proxy's job in production; here the client talks plain HTTP on loopback,
# so no redirect to https and the cookies must travel over http (same work on the server).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# As in production behind the reverse proxy (TRUSTED_PROXY_COUNT), whatever the environment says:
# every simulated person is on 127.0.0.1 and sends its own loopback address in X-Forwarded-For,
# so that allauth's per-address rate limits (30 logins a minute) apply per person.
ALLAUTH_TRUSTED_PROXY_COUNT = 1

# collectstatic writes the manifest here (a temporary directory of the run).
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT))  # noqa: F405
