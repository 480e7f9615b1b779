from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="suivis.schedule_followups", acks_late=True, reject_on_worker_lost=True)
def schedule_followups() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): schedule the follow-up audits now due. Takes no
    arguments and is idempotent: a repeated or redelivered run finds them already scheduled."""
    from .services import schedule_due_followups

    return len(schedule_due_followups(timezone.localdate()))
