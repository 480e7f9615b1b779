"""GET /healthz: is this web process able to serve, and are its dependencies there?

    {"status": "ok" | "degraded" | "fail",
     "checks": {"database": "ok" | "fail",
                "redis": "ok" | "fail" | "disabled",
                "workers": "ok" | "fail" | "eager"}}

HTTP 200 while the database answers, even when Redis or the workers do not ("degraded"): pages
still work, only tasks wait, and a load balancer must keep the process. 503 when the database
does not answer. No authentication, no detail that would help an attacker (no error text, host
name or worker name: those go to the log, with the request id), never cached.

"disabled": no REDIS_URL (the embedded mode); "eager": tasks run in the web process, there is no
worker to ask. Workers are asked with Celery's broadcast `ping`, returning at the first answer.
The Celery application is the current one (labelml/celery.py's, set up with Django): core
imports no app and not the composition root.
"""

from __future__ import annotations

import logging

import redis
from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, FAIL, DISABLED, EAGER = "ok", "fail", "disabled", "eager"


def timeout() -> float:
    return float(getattr(settings, "HEALTH_CHECK_TIMEOUT", 0.5))


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_redis() -> str:
    if not settings.REDIS_URL:
        return DISABLED
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout(), socket_timeout=timeout()
    )
    try:
        client.ping()
    finally:
        client.close()
    return OK


def check_workers() -> str:
    if celery_app.conf.task_always_eager:
        return EAGER
    replies = celery_app.control.ping(timeout=timeout(), limit=1)
    if not replies:
        logger.warning("Health check: no Celery worker answered")
        return FAIL
    return OK


def run_checks() -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        checks["database"] = check_database()
    except Exception:
        logger.exception("Health check: the database does not answer")
        checks["database"] = FAIL
    try:
        checks["redis"] = check_redis()
    except Exception:
        logger.warning("Health check: Redis does not answer", exc_info=True)
        checks["redis"] = FAIL
    if checks["redis"] == FAIL and not celery_app.conf.task_always_eager:
        # The broker is this Redis: asking the workers would only wait for the connection.
        checks["workers"] = FAIL
    else:
        try:
            checks["workers"] = check_workers()
        except Exception:
            logger.warning("Health check: the workers cannot be reached", exc_info=True)
            checks["workers"] = FAIL
    return checks


def overall(checks: dict[str, str]) -> str:
    if checks["database"] != OK:
        return "fail"
    if FAIL in checks.values():
        return "degraded"
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    status = overall(checks)
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "fail" else 200
    )
