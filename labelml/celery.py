"""Celery application.

Without REDIS_URL (the embedded default) tasks run eagerly in the web process; with it, they
go through Redis to real workers. See settings.CELERY_*.
"""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

from labelml.core.logs import connect_celery

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelml.settings")

app = Celery("labelml")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers and beat log with settings.LOGGING; a task's records carry the id of the request that
# enqueued it (message header) and the task id.
connect_celery()


@worker_ready.connect
def requeue_on_worker_start(**kwargs: Any) -> None:
    """A worker that starts (typically after Redis or the workers were down) publishes again the
    tasks that could not be published meanwhile (labelml.documents.tasks.requeue_pending does the
    same
    every minute from beat). Runs in the worker's main process: its database connections are
    closed afterwards, the pool's processes open their own."""
    from django.db import connections

    # Imported here: this module is loaded (labelml/__init__.py) before Django is set up.
    from labelml.core.jobs import requeue_all

    try:
        counts = requeue_all()
        logger.info("Worker start: tasks published again: %s", counts)
    except Exception:
        logger.exception("Worker start: the recovery of unpublished tasks failed")
    finally:
        connections.close_all()
