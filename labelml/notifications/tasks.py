from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(
    name="notifications.send_notification_email",
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Idempotent: a notification is e-mailed at most once (`email_envoye_le`)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("destinataire")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_envoye_le is not None:
            return "skipped"
        link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
        body = "\n\n".join(
            part
            for part in [
                "Bonjour,",
                notification.message,
                f"Voir le dossier : {link}" if link else "",
                "— labelml",
            ]
            if part
        )
        send_mail(
            subject=f"[labelml] {notification.titre}",
            message=body,
            from_email=None,
            recipient_list=[notification.destinataire.email],
        )
        notification.email_envoye_le = timezone.now()
        notification.save(update_fields=["email_envoye_le"])
    return "sent"


@shared_task(name="notifications.send_reminders", acks_late=True, reject_on_worker_lost=True)
def send_reminders() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): the deadline reminders due today, each sent once. Takes no
    arguments: a redelivered or repeated run finds the reminders already recorded. Time limits:
    the project's defaults (CELERY_TASK_TIME_LIMIT); each reminder commits on its own, so a run
    cut short keeps what it sent and the next run finishes the rest."""
    from .reminders import send_due_reminders

    return send_due_reminders(timezone.localdate())
