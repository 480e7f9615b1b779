"""Settings of the application under gunicorn in the fault tests: the project's settings with
DEBUG off (the error pages a person would get: 400, 413, 500, 503), plus only what plain HTTP
on loopback without collectstatic needs. Never used outside tests/faults."""

from labelml.settings import *  # noqa: F403

# TLS is the reverse proxy's job; here the client talks plain HTTP on loopback.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic manifest in a test run: static files are named as they are.
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
