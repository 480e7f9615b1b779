"""Settings of the test suite (pytest-django's DJANGO_SETTINGS_MODULE, pyproject.toml): the
project's settings, plus the N+1 detector and one Redis database per xdist worker."""

import os
from urllib.parse import urlsplit, urlunsplit

from labelml.settings import *  # noqa: F403
from labelml.settings import CACHES, INSTALLED_APPS, MIDDLEWARE, REDIS_URL

# --- One Redis database per xdist worker ------------------------------------------------------
# Tests clear the cache (a FLUSHDB) and a real worker reads the broker's queues: two pytest
# workers on one database would wipe each other's. gw0 keeps REDIS_URL's database, gw1 the
# next one, and so on.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
if REDIS_URL:
    _parts = urlsplit(REDIS_URL)
    _base = int(_parts.path.strip("/") or 0)
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{_base + int(_XDIST_WORKER[2:] or 0)}"))
    CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL

# --- N+1 detection (django-zeal, docs/decisions.md) --------------------------------------------
# Every N+1 query raises zeal.NPlusOneError. Each request, including those of the browser tests'
# in-process live server threads, gets its own context through the middleware (right after the
# request id, which stays first); tests/conftest.py wraps each test and each Celery task in
# zeal_context(). A genuine false positive goes, with the reason, in ZEAL_ALLOWLIST here.
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
MIDDLEWARE = [MIDDLEWARE[0], "zeal.middleware.zeal_middleware", *MIDDLEWARE[1:]]
ZEAL_RAISE = True
# Zeal counts queries by the first line of ours on the stack, so two different look-ups made
# inside a library from one line of ours look repeated: Django's session store (a test client's
# login reads, cycles and deletes its session row with get()) and allauth's login (the user by
# e-mail, then by id for its session record). Our code never get()s sessions or users one by
# one in a loop.
ZEAL_ALLOWLIST = [
    {"model": "sessions.Session", "field": "get()"},
    {"model": "accounts.User", "field": "get()"},
]
