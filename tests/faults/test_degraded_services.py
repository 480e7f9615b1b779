"""Redis unreachable, in-process (no service needed): the degrading cache, the publication that
fails without failing the request, the page that says so, and the recovery that publishes
again. The end-to-end run against a Redis really killed is test_redis_down.py."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from labelml.celery import app as celery_app
from labelml.core import jobs
from labelml.core.cache import DegradingRedisCache
from labelml.documents.models import Document
from labelml.documents.tasks import render_document
from labelml.notifications.models import Notification
from labelml.notifications.services import notify
from labelml.notifications.tasks import send_notification_email
from labelml.pilotage.models import Export
from labelml.pilotage.tasks import build_export
from tests.campagnes.conftest import admin, campagne, dossier, people  # noqa: F401
from tests.conftest import client_for
from tests.faults.services import free_port

DELAYED_REPORT = (
    "Le service de génération est momentanément indisponible : votre rapport sera généré dès "
    "son retour."
)
DELAYED_EXPORT = (
    "Le service de génération est momentanément indisponible : votre export sera généré dès "
    "son retour."
)


# --- the cache ------------------------------------------------------------------------------


@pytest.fixture
def dead_cache():  # type: ignore[no-untyped-def]
    """The project's Redis cache pointed at a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    config = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "dead": {
            "BACKEND": "labelml.core.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        },
    }
    with override_settings(CACHES=config):
        yield caches["dead"]


def test_an_unreachable_redis_cache_behaves_as_an_empty_cache(dead_cache, caplog):
    caplog.set_level(logging.DEBUG, logger="labelml.core.cache")
    assert isinstance(dead_cache, DegradingRedisCache)
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "défaut") == "défaut"
    dead_cache.set("k", 1)
    # add() answers True, as on an empty cache: allauth takes its rate-limit lock and marks
    # TOTP codes used with it (False would refuse every login).
    assert dead_cache.add("k", 1) is True
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.has_key("k") is False
    assert dead_cache.touch("k") is False
    assert dead_cache.delete("k") is False
    dead_cache.delete_many(["a"])
    dead_cache.clear()
    with pytest.raises(ValueError):
        dead_cache.incr("k")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "Cache Redis injoignable" in errors[0].getMessage()
    assert not dead_cache.available  # not asked again for RETRY_AFTER seconds


def test_the_cache_asks_again_after_a_pause_and_logs_the_return(dead_cache, caplog, monkeypatch):
    assert dead_cache.get("k") is None
    assert not dead_cache.available
    monkeypatch.setattr(dead_cache._circuit, "down_until", 0.0)
    assert dead_cache.available
    # Still down: one more attempt, quietly.
    caplog.clear()
    caplog.set_level(logging.INFO, logger="labelml.core.cache")
    assert dead_cache.get("k", 0) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # Back: logged once.
    monkeypatch.setattr(dead_cache._circuit, "down_until", 0.0)
    monkeypatch.setattr(
        "django.core.cache.backends.redis.RedisCache.get", lambda self, *a, **k: "valeur"
    )
    assert dead_cache.get("k") == "valeur"
    assert "Cache Redis de nouveau joignable" in caplog.text


def test_programming_errors_still_raise(dead_cache):
    import pickle

    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        dead_cache.set("k", lambda: None)  # cannot be pickled: a bug, not an outage


# --- publication failing: the rows wait, the pages say so, the recovery publishes ------------


class Broker:
    """Stands for Celery's publication: `up` or raising like kombu when Redis is down."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *tasks: Any) -> None:
        self.up = False
        self.sent: list[tuple[str, int]] = []
        for task in tasks:
            monkeypatch.setattr(task, "delay", self._delay(task.name))

    def _delay(self, name: str):  # type: ignore[no-untyped-def]
        def delay(pk: int) -> None:
            if not self.up:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Refused.")
            self.sent.append((name, pk))

        return delay


@pytest.fixture
def broker(monkeypatch):  # type: ignore[no-untyped-def]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield Broker(monkeypatch, render_document, build_export, send_notification_email)
    finally:
        celery_app.conf.task_always_eager = previous


def make_old(model: Any, pk: int, **fields: Any) -> None:
    model.objects.filter(pk=pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5), **fields
    )


@pytest.mark.django_db(transaction=True)
def test_a_report_requested_while_redis_is_down_waits_and_the_page_says_so(
    broker,
    dossier,  # noqa: F811
    people,  # noqa: F811
):
    client = client_for(people.direction)
    response = client.post(
        reverse("documents:document_request", args=[dossier.pk]),
        {"type": "autoevaluation"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.content.decode().count(DELAYED_REPORT) == 2  # message and list notice
    document = Document.objects.get(dossier=dossier)
    assert (document.statut, document.enqueued_at) == ("queued", None)
    assert document.waiting_for_service
    poll = client.get(reverse("documents:document_list", args=[dossier.pk]), HTTP_HX_REQUEST="true")
    assert DELAYED_REPORT in poll.content.decode() and "every 10s" in poll.content.decode()
    # A second click reuses the queued document and says the same.
    again = client.post(
        reverse("documents:document_request", args=[dossier.pk]),
        {"type": "autoevaluation"},
        follow=True,
    )
    assert DELAYED_REPORT in again.content.decode()
    assert Document.objects.filter(dossier=dossier).count() == 1

    # Redis back: the recovery publishes it (after the grace period), once.
    assert jobs.requeue_all() == {"documents": 0, "exports": 0, "notifications": 0}
    make_old(Document, document.pk)
    broker.up = True
    assert jobs.requeue_all()["documents"] == 1
    assert broker.sent == [("documents.render_document", document.pk)]
    document.refresh_from_db()
    assert document.enqueued_at is not None and not document.waiting_for_service
    assert jobs.requeue_all()["documents"] == 0  # published: not again
    listing = client.get(reverse("documents:document_list", args=[dossier.pk]))
    assert DELAYED_REPORT not in listing.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_report_requested_with_redis_up_is_published_and_stamped(
    broker,
    dossier,  # noqa: F811
    people,  # noqa: F811
):
    broker.up = True
    client = client_for(people.direction)
    response = client.post(
        reverse("documents:document_request", args=[dossier.pk]),
        {"type": "autoevaluation"},
        follow=True,
    )
    body = response.content.decode()
    assert DELAYED_REPORT not in body and "il sera prêt dans quelques instants" in body
    document = Document.objects.get(dossier=dossier)
    assert document.enqueued_at is not None
    assert broker.sent == [("documents.render_document", document.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_lost_message_is_published_again_after_the_delay(broker, dossier, settings):  # noqa: F811
    broker.up = True
    old = timezone.now() - dt.timedelta(seconds=settings.JOB_REQUEUE_LOST_AFTER + 60)
    lost = Document.objects.create(dossier=dossier, type="autoevaluation", statut="queued")
    Document.objects.filter(pk=lost.pk).update(created_at=old, enqueued_at=old)
    recent = Document.objects.create(dossier=dossier, type="plan", statut="queued")
    Document.objects.filter(pk=recent.pk).update(created_at=old, enqueued_at=timezone.now())
    done = Document.objects.create(dossier=dossier, type="audit", statut="ready")
    make_old(Document, done.pk)
    assert jobs.requeue_all()["documents"] == 1
    assert broker.sent == [("documents.render_document", lost.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_recovery_that_finds_redis_still_down_leaves_the_rows_for_the_next(
    broker,
    dossier,  # noqa: F811
):
    first = Document.objects.create(dossier=dossier, type="autoevaluation")
    second = Document.objects.create(dossier=dossier, type="plan")
    make_old(Document, first.pk)
    make_old(Document, second.pk)
    assert jobs.requeue_all()["documents"] == 0
    assert set(Document.objects.values_list("enqueued_at", flat=True)) == {None}
    broker.up = True
    assert jobs.requeue_all()["documents"] == 2


@pytest.mark.django_db(transaction=True)
def test_an_export_requested_while_redis_is_down_waits_and_the_page_says_so(
    broker,
    admin,  # noqa: F811
    campagne,  # noqa: F811
    dossier,  # noqa: F811
):
    client = client_for(admin)
    response = client.post(
        reverse("pilotage:pilotage_export_request"),
        {"dataset": "dossiers", "campagne": campagne.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert response.content.decode().count(DELAYED_EXPORT) == 2
    export = Export.objects.get()
    assert (export.statut, export.enqueued_at) == ("queued", None)
    make_old(Export, export.pk)
    broker.up = True
    assert jobs.requeue_all()["exports"] == 1
    assert broker.sent == [("pilotage.build_export", export.pk)]
    page = client.get(reverse("pilotage:pilotage_exports"))
    assert DELAYED_EXPORT not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_notification_emails_not_published_are_sent_by_the_recovery_within_a_day(
    broker,
    people,  # noqa: F811
):
    from django.db import transaction

    with transaction.atomic():
        notification = notify([people.direction], titre="Rappel")[0]
    notification.refresh_from_db()
    assert notification.email_enqueued_at is None  # the in-app notification exists
    yesterday = Notification.objects.create(destinataire=people.direction, titre="Ancienne")
    Notification.objects.filter(pk=yesterday.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    sent = Notification.objects.create(
        destinataire=people.direction, titre="Envoyée", email_envoye_le=timezone.now()
    )
    make_old(Notification, notification.pk)
    make_old(Notification, sent.pk)
    broker.up = True
    assert jobs.requeue_all()["notifications"] == 1
    assert broker.sent == [("notifications.send_notification_email", notification.pk)]
    assert Notification.objects.get(pk=notification.pk).email_enqueued_at is not None


@pytest.fixture
def eager():  # type: ignore[no-untyped-def]
    """The embedded mode (no REDIS_URL): tasks run in the web process."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def test_eager_mode_runs_the_task_and_lets_its_errors_through(eager, monkeypatch):
    class Boom(Exception):
        pass

    class Row:
        pk = 7
        enqueued_at = None

    def delay(pk: int) -> None:
        raise Boom

    monkeypatch.setattr(render_document, "delay", delay)
    callbacks: list[Any] = []
    monkeypatch.setattr(jobs.transaction, "on_commit", callbacks.append)
    jobs.enqueue(Row(), render_document)  # type: ignore[arg-type]
    with pytest.raises(Boom):
        callbacks[0]()


def test_the_recovery_runs_every_minute_and_when_a_worker_starts(settings, monkeypatch):
    from labelml.celery import requeue_on_worker_start

    entry = settings.CELERY_BEAT_SCHEDULE["republier-taches"]
    assert entry == {"task": "documents.requeue_pending", "schedule": 60.0}
    calls: list[int] = []
    monkeypatch.setattr(jobs, "requeue_all", lambda: calls.append(1) or {})
    requeue_on_worker_start()
    assert calls == [1]

    def broken() -> dict[str, int]:
        raise RuntimeError("base injoignable")

    monkeypatch.setattr(jobs, "requeue_all", broken)
    requeue_on_worker_start()  # logged, the worker starts anyway


def test_celery_gives_up_publishing_within_a_second(settings):
    policy = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    worst = policy["max_retries"] * policy["interval_max"]
    assert worst <= 1
    assert celery_app.conf.task_publish_retry_policy == policy
    assert settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"] == policy
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 1
