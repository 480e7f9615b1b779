"""Redis stopped (issue 9, faults): the application, under gunicorn with a Redis of its own,
keeps serving pages, saves and logins while that Redis is killed; a report requested meanwhile
says that its rendering is delayed and stays queued; once Redis is back, a worker that starts
publishes it again and renders it. The shared Redis of the machine is never touched.

The worker killed in the middle of a task is tests/documents/test_worker.py
(test_a_worker_killed_mid_render_is_redelivered_and_the_document_exists_once)."""

from __future__ import annotations

import time
import uuid

import pytest

from campagnes.autoevaluations.models import Reponse
from labelml.documents.models import Document
from tests.campagnes.conftest import admin, campagne, dossier, people  # noqa: F401
from tests.faults.services import VERSION_RE, AppServer, HttpUser, PrivateRedis
from tests.worker import Worker, wait_until, worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "Faults-redis-2025!"  # noqa: S105 - test account
DELAYED = (
    "Le service de génération est momentanément indisponible : votre rapport sera généré dès "
    "son retour."
)
# Redis unreachable must not make a page wait: connection refused is immediate, the cache
# gives up after 0.25 s and stops asking for 2 s, a publication gives up within a second.
PAGE_BUDGET = 3.0


def timed(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - start


def test_redis_stopped_pages_saves_and_logins_work_and_reports_wait_for_it(
    dossier,  # noqa: F811
    people,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    # The server hashes with the real settings: a password it can check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    direction = people.direction
    direction.set_password(PASSWORD)
    direction.save()
    reponse = Reponse.objects.filter(autoevaluation__dossier=dossier).select_related(
        "element__critere"
    )[0]
    code = reponse.element.critere.code
    pages = {
        "tableau de bord du dossier": f"/dossiers/{dossier.pk}/",
        "page du critère": f"/dossiers/{dossier.pk}/autoevaluation/criteres/{code}/",
        "rapports": f"/dossiers/{dossier.pk}/rapports/",
    }

    redis = PrivateRedis(tmp_path / "redis")
    queue = f"faults-{uuid.uuid4().hex[:12]}"
    app = AppServer(
        env={
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis.url,
            "PRIVATE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        },
        log=tmp_path / "gunicorn.log",
    )
    worker = None
    try:
        user = HttpUser(app.base)
        assert user.login(direction.email, PASSWORD).status_code == 302
        assert user.get(pages["tableau de bord du dossier"]).status_code == 200

        redis.kill()

        for what, path in pages.items():
            response, took = timed(user.get, path)
            assert response.status_code == 200, (what, response.status_code, app.output())
            assert took < PAGE_BUDGET, (what, took)

        # An autosave (htmx, one field) is acknowledged and is in the database.
        text = "Enregistré pendant que Redis était arrêté."
        version = Reponse.objects.get(pk=reponse.pk).version
        response, took = timed(
            user.post,
            f"/dossiers/{dossier.pk}/autoevaluation/reponses/{reponse.pk}/",
            {"champ": "justification", "version": version, "justification": text},
            htmx=True,
        )
        assert response.status_code == 200, (response.status_code, app.output())
        assert took < PAGE_BUDGET, took
        match = VERSION_RE.search(response.text)
        assert match and int(match.group(1)) == version + 1
        saved = Reponse.objects.get(pk=reponse.pk)
        assert (saved.justification, saved.version) == (text, version + 1)

        # Somebody logs in meanwhile: the rate limits cannot be counted, the login goes on.
        other = HttpUser(app.base)
        response, took = timed(other.login, direction.email, PASSWORD)
        assert response.status_code == 302 and response.headers["Location"] == "/", (
            response.status_code,
            app.output(),
        )
        assert took < PAGE_BUDGET + 2, took  # PBKDF2 included
        assert other.get("/").status_code == 200

        # A report: the request is accepted, the page says the rendering is delayed.
        response, took = timed(
            user.post, f"/dossiers/{dossier.pk}/rapports/demander/", {"type": "autoevaluation"}
        )
        assert response.status_code == 302, (response.status_code, app.output())
        assert took < PAGE_BUDGET, took
        listing = user.get(response.headers["Location"])
        assert listing.status_code == 200
        assert listing.text.count(DELAYED) == 2  # the message, and the list's own notice
        document = Document.objects.get(dossier=dossier, type="autoevaluation")
        assert document.statut == Document.Statut.QUEUED
        assert document.enqueued_at is None
        # The list polled by htmx keeps saying so.
        poll = user.get(f"/dossiers/{dossier.pk}/rapports/", htmx=True)
        assert poll.status_code == 200 and DELAYED in poll.text

        log = app.output()
        assert "Cache Redis injoignable" in log
        assert "failed, left for the recovery run" in log
        assert " 500 " not in log and "Internal Server Error" not in log

        # Redis comes back (empty: it had no persistence); a worker starts and publishes the
        # report again (labelml/celery.py, worker_ready), then renders it.
        redis.start()
        worker = Worker(
            queue=queue,
            log=tmp_path / "worker.log",
            visibility_timeout=3600,
            redis_url=redis.url,
            env={"CELERY_TASK_DEFAULT_QUEUE": queue, "JOB_REQUEUE_GRACE": "0"},
        )
        wait_until(
            lambda: Document.objects.get(pk=document.pk).statut in ("ready", "failed"),
            timeout=120,
            what="the report, once Redis is back",
        )
        document.refresh_from_db()
        assert document.statut == Document.Statut.READY, (document.error, worker.output())
        assert document.enqueued_at is not None and document.pages
        assert "render_document" in worker.output()
        listing = user.get(f"/dossiers/{dossier.pk}/rapports/")
        assert DELAYED not in listing.text and "Télécharger le PDF" in listing.text

        # The cache works again in the web process, without a restart: once its retry delay
        # is over (DegradingRedisCache.RETRY_AFTER), the next request using it (a login's rate
        # limit) reconnects and says so.
        def reconnected() -> bool:
            assert HttpUser(app.base).login(direction.email, PASSWORD).status_code == 302
            return "Cache Redis de nouveau joignable" in app.output()

        wait_until(reconnected, timeout=15, what="le cache Redis de nouveau utilisé")
    finally:
        if worker is not None:
            worker.stop()
        app.stop()
        redis.stop()
