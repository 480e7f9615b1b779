"""/healthz (issue 9): database, Redis and workers; 200 unless the database is down."""

from __future__ import annotations

import json
import socket

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from labelml.celery import app as celery_app
from labelml.core import health
from tests.conftest import client_for
from tests.factories import UserFactory


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def embedded(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The `make run` configuration: no Redis, tasks run eagerly."""
    settings.REDIS_URL = ""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def get(client: Client | None = None):  # type: ignore[no-untyped-def]
    response = (client or Client()).get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


@pytest.mark.django_db
def test_everything_fine_in_the_embedded_configuration(embedded):
    response, body = get()
    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "disabled", "workers": "eager"},
    }
    assert "no-store" in response["Cache-Control"]
    assert reverse("healthz") == "/healthz"


@pytest.mark.django_db
def test_redis_unreachable_is_degraded_not_an_error(settings, monkeypatch):
    port = closed_port()
    settings.REDIS_URL = f"redis://:hunter2@127.0.0.1:{port}/0"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    pinged = []
    monkeypatch.setattr(celery_app.control, "ping", lambda **kw: pinged.append(kw) or [])
    response, body = get()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "fail", "workers": "fail"}
    assert pinged == []  # the broker is that Redis: no time lost waiting for workers
    text = response.content.decode()
    assert str(port) not in text and "hunter2" not in text and "127.0.0.1" not in text


@pytest.mark.django_db
def test_no_worker_answering_is_degraded(embedded, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    asked = {}

    def ping(**kwargs):  # type: ignore[no-untyped-def]
        asked.update(kwargs)
        return []

    monkeypatch.setattr(celery_app.control, "ping", ping)
    response, body = get()
    assert response.status_code == 200
    assert body["status"] == "degraded" and body["checks"]["workers"] == "fail"
    assert asked["timeout"] <= 1 and asked["limit"] == 1


@pytest.mark.django_db
def test_a_worker_answering_is_ok(embedded, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(
        celery_app.control, "ping", lambda **kw: [{"celery@worker-3": {"ok": "pong"}}]
    )
    response, body = get()
    assert body["checks"]["workers"] == "ok" and body["status"] == "ok"
    assert "worker-3" not in response.content.decode()  # no host names


@pytest.mark.django_db
def test_database_down_is_503_without_details(embedded, monkeypatch):
    def down() -> str:
        raise OperationalError('could not connect to server "db-primary.internal" (10.0.0.5)')

    monkeypatch.setattr(health, "check_database", down)
    response, body = get()
    assert response.status_code == 503
    assert body == {
        "status": "fail",
        "checks": {"database": "fail", "redis": "disabled", "workers": "eager"},
    }
    text = response.content.decode()
    assert "db-primary" not in text and "Traceback" not in text and "10.0.0.5" not in text


@pytest.mark.django_db
def test_no_login_and_no_two_factor_redirect(embedded):
    """Anonymous probes pass; a signed-in administrator without TOTP is not sent to the
    activation page either (RequireTwoFactorMiddleware only redirects other pages)."""
    _, body = get()
    assert body["status"] == "ok"
    admin = UserFactory(is_staff=True)
    response, body = get(client_for(admin))
    assert response.status_code == 200 and body["status"] == "ok"


@pytest.mark.django_db
def test_only_reading_methods(embedded):
    assert Client().post(reverse("healthz")).status_code == 405
    assert Client().head(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_plain_http_probe_is_not_redirected_to_https(embedded, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert Client().get(reverse("healthz")).status_code == 200
    assert Client().get("/comptes/login/").status_code == 301


def test_the_production_settings_exempt_healthz_from_the_https_redirect():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "labelml" / "settings.py").read_text()
    assert 'SECURE_REDIRECT_EXEMPT = [r"^healthz$"]' in text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_redis_and_a_real_worker(tmp_path, settings):
    from tests.worker import Worker, worker_queue

    with worker_queue() as queue:
        worker = Worker(queue=queue, log=tmp_path / "worker.log", visibility_timeout=3600)
        try:
            response, body = get()
        finally:
            worker.stop()
    assert response.status_code == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "workers": "ok"}}
