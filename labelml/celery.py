"""Celery application.

Without REDIS_URL (the embedded default) tasks run eagerly in the web process; with it, they
go through Redis to real workers. See settings.CELERY_*.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelml.settings")

app = Celery("labelml")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
