"""Celery settings that redelivery depends on (issue 6): one visibility timeout for the broker
and the results, every task's hard limit well under it, late acknowledgement, worker recycling."""

from __future__ import annotations

from django.conf import settings

from labelml.celery import app


def test_broker_and_results_share_the_visibility_timeout():
    broker = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    results = settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["visibility_timeout"]
    assert broker == results == settings.CELERY_VISIBILITY_TIMEOUT >= 600


def test_every_task_finishes_well_before_its_message_could_be_redelivered():
    app.loader.import_default_modules()
    tasks = {name: t for name, t in app.tasks.items() if not name.startswith("celery.")}
    assert "documents.render_document" in tasks
    for name, task in tasks.items():
        hard = task.time_limit or app.conf.task_time_limit
        assert hard, f"{name} has no hard time limit"
        assert hard * 4 <= settings.CELERY_VISIBILITY_TIMEOUT, name
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert soft and soft < hard, name
        assert task.acks_late and task.reject_on_worker_lost, name


def test_workers_recycle_and_take_one_message_at_a_time():
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0
    assert app.conf.worker_prefetch_multiplier == 1
