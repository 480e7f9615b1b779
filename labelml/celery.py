"""Celery application.

Without REDIS_URL (the embedded default) tasks run eagerly in the web process; with it, they
go through Redis to real workers. See settings.CELERY_*.
"""

import os

from celery import Celery

from labelml.logs import connect_celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelml.settings")

app = Celery("labelml")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers and beat log with settings.LOGGING; a task's records carry the id of the request that
# enqueued it (message header) and the task id.
connect_celery()
